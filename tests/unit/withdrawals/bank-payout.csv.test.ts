import { Readable } from "node:stream";

import {
  type PayoutRow,
  type PayoutRowProblem,
  readPayoutRows,
} from "../../../src/services/withdrawals/bank-payout.csv";

async function read(input: string | Readable): Promise<(PayoutRow | PayoutRowProblem)[]> {
  const rows: (PayoutRow | PayoutRowProblem)[] = [];
  for await (const row of readPayoutRows(input)) rows.push(row);
  return rows;
}

const HEADER = "payoutRef,accountNumber,amount,paidOn,result,reason";

describe("bank payout file", () => {
  test("reads SUCCESS and FAILED rows with their line numbers, a BOM, CRLF and blank lines", async () => {
    const file = `\uFEFF${HEADER}\r\nWD-1,1405001000000001,500.00,2026-11-20,SUCCESS,\r\n\r\nWD-2,1405001000000002,12.30,2026-11-20,FAILED,"账户已销户, 退回"\r\n`;
    const rows = await read(file);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      line: 2,
      payoutRef: "WD-1",
      accountNumber: "1405001000000001",
      paidOn: "2026-11-20",
      result: "SUCCESS",
      reason: null,
    });
    expect((rows[0] as PayoutRow).amount.toFixed(2)).toBe("500.00");
    expect(rows[1]).toMatchObject({ line: 4, payoutRef: "WD-2", result: "FAILED", reason: "账户已销户, 退回" });
  });

  test("rejects each bad row by line and keeps reading", async () => {
    const file = [
      HEADER,
      "WD-1,1405001000000001,5.001,2026-11-20,SUCCESS,",
      "WD-2,14050010000000AB,5.00,2026-11-20,SUCCESS,",
      "WD-3,1405001000000001,5.00,2026-02-30,SUCCESS,",
      "WD-4,1405001000000001,5.00,2026-11-20,PAID,",
      "WD-5,1405001000000001,5.00,2026-11-20",
      "WD-6,1405001000000001,0.00,2026-11-20,SUCCESS,",
      "WD-7,1405001000000001,7.00,2026-11-20,SUCCESS,",
      "WD-8,1405001000000001,500,2026-11-20,SUCCESS,",
      "WD-9,1405001000000001,500.5,2026-11-20,SUCCESS,",
    ].join("\n");
    const rows = await read(file);
    expect(rows.map((r) => ("code" in r ? [r.line, r.code] : [r.line, r.payoutRef]))).toEqual([
      [2, "INVALID_AMOUNT"],
      [3, "INVALID_ACCOUNT_NUMBER"],
      [4, "INVALID_DATE"],
      [5, "INVALID_RESULT"],
      [6, "MALFORMED_ROW"],
      [7, "INVALID_AMOUNT"],
      [8, "WD-7"],
      [9, "INVALID_AMOUNT"], // "500": the money column has exactly two decimals, as the contract's Money
      [10, "INVALID_AMOUNT"], // "500.5"
    ]);
  });

  test("stops at a wrong header or an empty file; reports an unclosed quote by line", async () => {
    expect(await read("paymentRef,accountNumber,period,amount,paidOn,result,reason\nX,1,2,3,4,5,6\n")).toEqual([
      expect.objectContaining({ line: 1, code: "INVALID_HEADER" }),
    ]);
    expect(await read("")).toEqual([expect.objectContaining({ line: 1, code: "EMPTY_FILE" })]);
    const unclosed = `${HEADER}\nWD-1,1405001000000001,5.00,2026-11-20,SUCCESS,\nWD-2,1405001000000001,5.00,2026-11-20,FAILED,"never closed\n`;
    const rows = await read(unclosed);
    // A skipped record may be reported before rows the parser had already buffered: the line numbers tell them apart.
    const byLine = rows
      .map((r) => [r.line, "code" in r ? r.code : r.payoutRef])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byLine).toEqual([
      [2, "WD-1"],
      [3, "MALFORMED_ROW"],
    ]);
  });

  test("stops at an over-long line instead of buffering it (the streamed import's line bound)", async () => {
    const rows = await read(
      `${HEADER}\nWD-1,1405001000000001,5.00,2026-11-20,FAILED,"${"x".repeat(10_000)}"\nWD-2,1405001000000001,5.00,2026-11-20,SUCCESS,\n`,
    );
    expect(rows).toEqual([expect.objectContaining({ line: 2, code: "LINE_TOO_LONG" })]);
  });

  test("reads a stream arriving in arbitrary chunks", async () => {
    const text = `${HEADER}\nWD-1,1405001000000001,5.00,2026-11-20,SUCCESS,\nWD-2,1405001000000002,6.00,2026-11-21,SUCCESS,\n`;
    const chunks = [text.slice(0, 7), text.slice(7, 60), text.slice(60)].map((s) => Buffer.from(s));
    const rows = await read(Readable.from(chunks));
    expect(rows.map((r) => (r as PayoutRow).payoutRef)).toEqual(["WD-1", "WD-2"]);
  });
});
