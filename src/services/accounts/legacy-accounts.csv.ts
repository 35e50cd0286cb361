// The pre-pilot system's account export (connectors.md, "Legacy accounts"): UTF-8 CSV with a header row, one account
// per row. Parsed with csv-parse from any stream or string, one record at a time (bounded memory, bounded record size
// and row count). One record in, one typed row or a typed problem out: nothing here touches the database.
import { Readable } from "node:stream";

import { parse } from "csv-parse";

import { parseIdNumber } from "../../domain/accounts/id-number";
import { isValidMonth, monthsBetween } from "../../domain/calendar/calendar";
import { MoneyFormatError, type MoneyValue, parseMoney } from "../../domain/money/money";

export const LEGACY_FILE_HEADER = [
  "accountNumber",
  "idNumber",
  "name",
  "countyCode",
  "openedMonth",
  "paidUpTo",
  "paidMonths",
  "balance",
  "status",
] as const;

/** A record longer than this is refused (a real row is well under 200 characters). */
export const MAX_LEGACY_RECORD_BYTES = 4096;
/** Rows per request (the center's whole pre-pilot book is far smaller). */
export const MAX_LEGACY_ROWS = 1_000_000;

export interface LegacyRow {
  line: number;
  accountNumber: string;
  idNumber: string;
  sex: "M" | "F";
  birthDate: string;
  name: string;
  countyCode: string;
  openedMonth: string;
  paidUpTo: string;
  paidMonths: number;
  balance: MoneyValue;
}

export interface LegacyRowProblem {
  line: number;
  code: string;
  message: string;
}

export function isLegacyProblem(row: LegacyRow | LegacyRowProblem): row is LegacyRowProblem {
  return "code" in row;
}

const problem = (line: number, code: string, message: string): LegacyRowProblem => ({ line, code, message });

/** Checks one record's fields (already split by the CSV parser). */
export function legacyRowOf(fields: readonly string[], line: number): LegacyRow | LegacyRowProblem {
  if (fields.length !== LEGACY_FILE_HEADER.length)
    return problem(line, "MALFORMED_ROW", `应为 ${LEGACY_FILE_HEADER.length} 列`);
  if (fields.some((f) => f.includes("\u0000"))) return problem(line, "MALFORMED_ROW", "含有不允许的空字符");
  const [accountNumber, idText, name, countyCode, openedMonth, paidUpTo, paidMonthsText, balanceText, status] =
    fields.map((f) => f.trim()) as [string, string, string, string, string, string, string, string, string];
  if (!/^\d{16}$/.test(accountNumber)) return problem(line, "INVALID_ACCOUNT_NUMBER", "账号应为16位数字");
  const person = parseIdNumber(idText);
  if (!person.ok) return problem(line, "INVALID_ID_NUMBER", "身份证号码无效");
  if (name.length === 0 || name.length > 50) return problem(line, "INVALID_NAME", "姓名不能为空且不超过 50 个字符");
  if (!/^\d{6}$/.test(countyCode)) return problem(line, "INVALID_COUNTY", "县级区划代码应为6位数字");
  if (!isValidMonth(openedMonth) || !isValidMonth(paidUpTo) || monthsBetween(openedMonth, paidUpTo) < 0)
    return problem(line, "INVALID_PERIOD", "开户年月、缴至年月无效或缴至年月早于开户年月");
  if (!/^\d{1,4}$/.test(paidMonthsText)) return problem(line, "INVALID_PAID_MONTHS", "缴存月数应为非负整数");
  const paidMonths = Number(paidMonthsText);
  if (paidMonths > monthsBetween(openedMonth, paidUpTo) + 1)
    return problem(line, "INVALID_PAID_MONTHS", "缴存月数不能超过开户年月至缴至年月的月数");
  // Money has exactly two decimals (the contract's Money), in files as in GraphQL.
  if (!/^-?\d+\.\d{2}$/.test(balanceText)) return problem(line, "INVALID_AMOUNT", "余额须为两位小数的金额");
  let balance: MoneyValue;
  try {
    balance = parseMoney(balanceText);
  } catch (e) {
    if (e instanceof MoneyFormatError) return problem(line, "INVALID_AMOUNT", "余额格式无效");
    throw e;
  }
  if (balance.isNegative()) return problem(line, "INVALID_AMOUNT", "余额不能为负");
  if (status !== "SEALED")
    return problem(line, "INVALID_STATUS", "历史账户状态应为 SEALED（封存，待本人签订协议后启用）");
  return {
    line,
    accountNumber,
    idNumber: person.value.idNumber,
    sex: person.value.sex,
    birthDate: person.value.birthDate,
    name,
    countyCode,
    openedMonth,
    paidUpTo,
    paidMonths,
    balance,
  };
}

/**
 * Reads a legacy export: yields one row or problem per record (the header excluded), each with its line number. A
 * wrong header yields one INVALID_HEADER problem and stops; past `maxRows` data rows, one TOO_MANY_ROWS problem and
 * stops. A record the CSV parser cannot read (a stray or unclosed quote, an over-long record) is skipped by the
 * parser and reported as MALFORMED_ROW at its line.
 */
export async function* readLegacyRows(
  input: string | Readable | AsyncIterable<string | Buffer>,
  maxRows = MAX_LEGACY_ROWS,
): AsyncGenerator<LegacyRow | LegacyRowProblem> {
  const source = typeof input === "string" ? Readable.from([input]) : Readable.from(input);
  const skipped: LegacyRowProblem[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    max_record_size: MAX_LEGACY_RECORD_BYTES,
  });
  parser.on("skip", (err: { lines?: number }) => {
    skipped.push(problem(err.lines ?? 0, "MALFORMED_ROW", "无法解析的行（引号不匹配或单行过长）"));
  });
  source.on("error", (err) => parser.destroy(err));
  source.pipe(parser);
  let first = true;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield* skipped.splice(0);
      if (first) {
        first = false;
        const header = record.map((f) => f.trim());
        if (header.length !== LEGACY_FILE_HEADER.length || LEGACY_FILE_HEADER.some((h, i) => header[i] !== h)) {
          yield problem(info.lines, "INVALID_HEADER", `表头应为 ${LEGACY_FILE_HEADER.join(",")}`);
          return;
        }
        continue;
      }
      if (++rows > maxRows) {
        yield problem(info.lines, "TOO_MANY_ROWS", `一次导入最多 ${maxRows} 行数据，导入在第${info.lines}行停止`);
        return;
      }
      yield legacyRowOf(record, info.lines);
    }
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  yield* skipped.splice(0);
  if (first) yield problem(1, "EMPTY_FILE", "文件为空");
}
