// The bank collection result file 银行托收回盘 (connectors.md): UTF-8 CSV with a header row.
// One line in, one typed row or a typed problem out: nothing here touches the database.
import { isValidDate, isValidMonth } from "../../domain/calendar/calendar";
import { MoneyFormatError, type MoneyValue, parseMoney } from "../../domain/money/money";

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

/** Splits one CSV line (RFC 4180 quoting, no embedded line breaks). */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null; // unterminated quote
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
      if (i < line.length && line[i] !== ",") return null;
    } else {
      const comma = line.indexOf(",", i);
      field = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

export function isHeader(fields: string[]): boolean {
  return fields.length === BANK_FILE_HEADER.length && BANK_FILE_HEADER.every((h, i) => fields[i]?.trim() === h);
}

const problem = (line: number, code: string, message: string): BankRowProblem => ({ line, code, message });

export function parseBankRow(text: string, line: number): BankRow | BankRowProblem {
  if (text.includes("\u0000")) return problem(line, "MALFORMED_ROW", "含有不允许的空字符");
  const fields = splitCsvLine(text.endsWith("\r") ? text.slice(0, -1) : text);
  if (!fields || fields.length !== BANK_FILE_HEADER.length)
    return problem(line, "MALFORMED_ROW", `应为 ${BANK_FILE_HEADER.length} 列`);
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

export function isProblem(row: BankRow | BankRowProblem): row is BankRowProblem {
  return "code" in row;
}
