// The bank payout result file 代发回盘 (connectors.md): UTF-8 CSV with a header row, one row per payout the hub
// asked for (withdrawals and exit payouts). Parsed with csv-parse from any stream or string, one record at a time
// (bounded memory whatever the file size), by the shared engine (src/services/imports/streamed-import.ts). One record
// in, one typed row or a typed problem out: nothing here touches the database.
import { isValidDate } from "../../domain/calendar/calendar";
import { MoneyFormatError, type MoneyValue, parseMoney } from "../../domain/money/money";
import { type CsvRows, MAX_LINE_CHARS, readCsvRows } from "../imports/streamed-import";

export const PAYOUT_FILE_HEADER = ["payoutRef", "accountNumber", "amount", "paidOn", "result", "reason"] as const;

/** A record longer than this is refused (a real row is well under 200 characters). */
export const MAX_PAYOUT_RECORD_BYTES = MAX_LINE_CHARS;

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

/** The payout file for the streamed-import engine: its header and its rows. */
export const BANK_PAYOUT_CSV: CsvRows<PayoutRow> = { header: PAYOUT_FILE_HEADER, rowOf: payoutRowOf };

/**
 * Reads a payout file: yields one row or problem per record (the header excluded), each with its line number.
 * A wrong header yields one INVALID_HEADER problem and stops. A record the CSV parser cannot read (a stray or
 * unclosed quote, an over-long record) is skipped by the parser and reported as MALFORMED_ROW at its line.
 */
export function readPayoutRows(
  input: string | AsyncIterable<string | Buffer>,
): AsyncGenerator<PayoutRow | PayoutRowProblem> {
  return readCsvRows(input, BANK_PAYOUT_CSV);
}
