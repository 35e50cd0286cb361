// The bank collection result file 银行托收回盘 (connectors.md): UTF-8 CSV with a header row.
// One record in, one typed row or a typed problem out: nothing here touches the database. The text is split into
// records by csv-parse (RFC 4180 quoting), streaming, in the shared engine src/services/imports/streamed-import.ts.
import { isValidDate, isValidMonth } from "../../domain/calendar/calendar";
import { MoneyFormatError, type MoneyValue, parseMoney } from "../../domain/money/money";
import type { CsvRows } from "../imports/streamed-import";

export const BANK_FILE_HEADER = [
  "paymentRef",
  "accountNumber",
  "period",
  "amount",
  "paidOn",
  "result",
  "reason",
] as const;

export interface BankRow {
  line: number;
  paymentRef: string;
  accountNumber: string;
  period: string;
  amount: MoneyValue;
  paidOn: string;
  result: "SUCCESS" | "FAILED";
  reason: string | null;
}

export interface BankRowProblem {
  line: number;
  code: string;
  message: string;
}

const problem = (line: number, code: string, message: string): BankRowProblem => ({ line, code, message });

/** Checks one record's fields (already split by the CSV parser, csv-parse: see streamed-import.ts). */
export function bankRowOf(fields: readonly string[], line: number): BankRow | BankRowProblem {
  if (fields.length !== BANK_FILE_HEADER.length)
    return problem(line, "MALFORMED_ROW", `应为 ${BANK_FILE_HEADER.length} 列`);
  if (fields.some((f) => f.includes("\u0000"))) return problem(line, "MALFORMED_ROW", "含有不允许的空字符");
  const [paymentRef, accountNumber, period, amountText, paidOn, result, reason] = fields.map((f) => f.trim()) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^[\x21-\x7e]{1,64}$/.test(paymentRef)) return problem(line, "INVALID_PAYMENT_REF", "缴款凭证号无效");
  if (!/^[0-9]{1,32}$/.test(accountNumber)) return problem(line, "INVALID_ACCOUNT_NUMBER", "账号格式无效");
  if (!isValidMonth(period)) return problem(line, "INVALID_PERIOD", "缴存年月无效（YYYY-MM）");
  if (!isValidDate(paidOn)) return problem(line, "INVALID_DATE", "扣款日期无效（YYYY-MM-DD）");
  if (result !== "SUCCESS" && result !== "FAILED")
    return problem(line, "INVALID_RESULT", "扣款结果应为 SUCCESS 或 FAILED");
  let amount: MoneyValue;
  try {
    amount = parseMoney(amountText);
  } catch (e) {
    if (e instanceof MoneyFormatError) return problem(line, "INVALID_AMOUNT", "金额格式无效");
    throw e;
  }
  return { line, paymentRef, accountNumber, period, amount, paidOn, result, reason: reason || null };
}

/** The collection file for the streamed-import engine: its header and its rows. */
export const BANK_COLLECTION_CSV: CsvRows<BankRow> = { header: BANK_FILE_HEADER, rowOf: bankRowOf };

export function isProblem(row: BankRow | BankRowProblem): row is BankRowProblem {
  return "code" in row;
}
