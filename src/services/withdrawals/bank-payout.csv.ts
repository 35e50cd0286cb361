// The bank payout result file 代发回盘 (connectors.md): UTF-8 CSV with a header row, one row per payout the hub
// asked for (withdrawals and exit payouts). Parsed with csv-parse from any stream or string, one record at a time
// (bounded memory whatever the file size). One record in, one typed row or a typed problem out: nothing here
// touches the database.
import { Readable } from "node:stream";

import { parse } from "csv-parse";

import { isValidDate } from "../../domain/calendar/calendar";
import { MoneyFormatError, type MoneyValue, parseMoney } from "../../domain/money/money";

export const PAYOUT_FILE_HEADER = ["payoutRef", "accountNumber", "amount", "paidOn", "result", "reason"] as const;

/** A record longer than this is refused (a real row is well under 200 characters). */
export const MAX_PAYOUT_RECORD_BYTES = 4096;

export interface PayoutRow {
  line: number;
  payoutRef: string;
  accountNumber: string;
  amount: MoneyValue;
  paidOn: string;
  result: "SUCCESS" | "FAILED";
  reason: string | null;
}

export interface PayoutRowProblem {
  line: number;
  code: string;
  message: string;
}

export function isPayoutProblem(row: PayoutRow | PayoutRowProblem): row is PayoutRowProblem {
  return "code" in row;
}

const problem = (line: number, code: string, message: string): PayoutRowProblem => ({ line, code, message });

/** Checks one record's fields (already split by the CSV parser). */
export function payoutRowOf(fields: readonly string[], line: number): PayoutRow | PayoutRowProblem {
  if (fields.length !== PAYOUT_FILE_HEADER.length)
    return problem(line, "MALFORMED_ROW", `应为 ${PAYOUT_FILE_HEADER.length} 列`);
  if (fields.some((f) => f.includes("\u0000"))) return problem(line, "MALFORMED_ROW", "含有不允许的空字符");
  const [payoutRef, accountNumber, amountText, paidOn, result, reason] = fields.map((f) => f.trim()) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^[\x21-\x7e]{1,64}$/.test(payoutRef)) return problem(line, "INVALID_PAYOUT_REF", "代发流水号无效");
  if (!/^[0-9]{1,32}$/.test(accountNumber)) return problem(line, "INVALID_ACCOUNT_NUMBER", "账号格式无效");
  if (!isValidDate(paidOn)) return problem(line, "INVALID_DATE", "代发日期无效（YYYY-MM-DD）");
  if (result !== "SUCCESS" && result !== "FAILED")
    return problem(line, "INVALID_RESULT", "代发结果应为 SUCCESS 或 FAILED");
  let amount: MoneyValue;
  try {
    amount = parseMoney(amountText);
  } catch (e) {
    if (e instanceof MoneyFormatError) return problem(line, "INVALID_AMOUNT", "金额格式无效");
    throw e;
  }
  if (amount.lessThanOrEqualTo(0)) return problem(line, "INVALID_AMOUNT", "金额须大于 0");
  return { line, payoutRef, accountNumber, amount, paidOn, result, reason: reason.slice(0, 200) || null };
}

/**
 * Reads a payout file: yields one row or problem per record (the header excluded), each with its line number.
 * A wrong header yields one INVALID_HEADER problem and stops. A record the CSV parser cannot read (a stray or
 * unclosed quote, an over-long record) is skipped by the parser and reported as MALFORMED_ROW at its line.
 */
export async function* readPayoutRows(
  input: string | Readable | AsyncIterable<string | Buffer>,
): AsyncGenerator<PayoutRow | PayoutRowProblem> {
  const source = typeof input === "string" ? Readable.from([input]) : Readable.from(input);
  const skipped: PayoutRowProblem[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    max_record_size: MAX_PAYOUT_RECORD_BYTES,
  });
  parser.on("skip", (err: { lines?: number }) => {
    skipped.push(problem(err.lines ?? 0, "MALFORMED_ROW", "无法解析的行（引号不匹配或单行过长）"));
  });
  source.on("error", (err) => parser.destroy(err));
  source.pipe(parser);
  let first = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield* skipped.splice(0);
      if (first) {
        first = false;
        const header = record.map((f) => f.trim());
        if (header.length !== PAYOUT_FILE_HEADER.length || PAYOUT_FILE_HEADER.some((h, i) => header[i] !== h)) {
          yield problem(info.lines, "INVALID_HEADER", `表头应为 ${PAYOUT_FILE_HEADER.join(",")}`);
          return;
        }
        continue;
      }
      yield payoutRowOf(record, info.lines);
    }
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  yield* skipped.splice(0);
  if (first) yield problem(1, "EMPTY_FILE", "文件为空");
}
