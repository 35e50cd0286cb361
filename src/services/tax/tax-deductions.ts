// taxDeductions: the deductible HPF deposits of up to 500 persons for a tax year, in one SQL statement whatever the
// number of persons. The rule (src/domain/tax/tax-deduction.rule.ts) decides; this reads the months paid and the
// parameters in force. Unknown persons get zero amounts, exactly like a person who paid nothing that year.
import { commaList } from "../../db/pg-array";
import { batchFormatMoney, batchToMoney, formatMoney, type MoneyValue } from "../../domain/money/money";
import { PILOT_START_DATE } from "../../domain/policy/parameter-catalog";
import {
  type DeductionParameters,
  deductionParametersNeededFrom,
  NO_DEDUCTION,
  type PaidMonth,
  type TaxDeduction,
  taxDeduction,
  taxYearDates,
} from "../../domain/tax/tax-deduction.rule";
import { badInput } from "../../errors";
import type { HubServices } from "../hub-services";
import { distinctIdNumbers } from "../id-number-batch";
import { MissingParameterError, type ParametersOn } from "../policy/policy-parameters.service";

export interface MonthlyDeductionDto {
  period: string;
  paid: string;
  deductible: string;
}

export interface TaxDeductionDto {
  idNumber: string;
  taxYear: number;
  paidAmount: string;
  deductibleAmount: string;
  months: MonthlyDeductionDto[];
}

/** One person's months paid in the year, as TAX_SQL returns them: "period amount paidOn" joined with commas. */
interface PaidRow {
  id_number: string;
  months: string;
}

function deductionParameters(params: ParametersOn): DeductionParameters {
  return { baseCap: params.money("tax.baseCap"), deductibleRatio: params.decimal("tax.deductibleRatio") };
}

/** `printMonth` prints the months' amounts: they are the few values batchToMoney made and the caps, so each is
 *  printed once per page (batchFormatMoney). */
function toDto(
  idNumber: string,
  taxYear: number,
  d: TaxDeduction,
  printMonth: (amount: MoneyValue) => string,
): TaxDeductionDto {
  return {
    idNumber,
    taxYear,
    paidAmount: formatMoney(d.paidAmount),
    deductibleAmount: formatMoney(d.deductibleAmount),
    months: d.months.map((m) => ({
      period: m.period,
      paid: printMonth(m.paid),
      deductible: printMonth(m.deductible),
    })),
  };
}

/** One month of TAX_SQL's text: "period amount paidOn" (the amount through the page's batchToMoney). */
function paidMonth(text: string, money: (text: string) => MoneyValue): PaidMonth {
  const [period, amount, paidOn] = text.split(" ");
  return { period: period!, amount: money(amount!), paidOn: paidOn! };
}

const noParameters = (taxYear: number) =>
  badInput(`${taxYear} 年度没有生效的扣除参数 (no deduction parameters in force for tax year ${taxYear})`, "taxYear");

/** The parameters in force on `date`, or BAD_USER_INPUT when none are (the hub never guesses a cap). */
async function deductionParametersOn(
  hub: Pick<HubServices, "policy">,
  date: string,
  taxYear: number,
): Promise<DeductionParameters> {
  try {
    return deductionParameters(await hub.policy.on(date));
  } catch (e) {
    if (e instanceof MissingParameterError) throw noParameters(taxYear);
    throw e;
  }
}

/** The parameters in force on each payment date (read from the in-memory parameter table, no SQL per date). */
async function parametersByDate(
  hub: Pick<HubServices, "policy">,
  dates: Iterable<string>,
  taxYear: number,
): Promise<Map<string, DeductionParameters>> {
  const byDate = new Map<string, DeductionParameters>();
  for (const date of dates) if (!byDate.has(date)) byDate.set(date, await deductionParametersOn(hub, date, taxYear));
  return byDate;
}

/**
 * $1 the distinct ID numbers, $2 and $3 the tax year's first and last day. Text only (sql-reads.ts): a person's months
 * come as one text ("2024-01 6000.00 2024-01-10,2024-02 ..."), split in JS. Three text arrays, as before, cost the hub
 * about twice as much to parse (pg's array parser, one string per element), 15 µs a person against 6 (decision 048).
 *
 * Each person asked is looked up by `person_id_number_key` in a subquery of its own (LATERAL, with an aggregate, so
 * PostgreSQL cannot fold it into one join), whatever the plan. With `p.id_number = ANY($1)` over the person table the
 * plan depended on whether PostgreSQL planned this call's 500 values (a custom plan: it chose a parallel sequential
 * scan of person, 29–56 ms a page at 105,000 persons) or kept the statement's generic plan (which counts on ten values
 * and probes the index, 8 ms); each pool connection made its first five custom plans, and an unnamed statement made
 * one every call (decision 061). A person with no month paid in the year gets no row, as before.
 */
export const TAX_SQL = `
    SELECT asked.id_number::text AS id_number, paid.months
      FROM unnest($1::bpchar[]) AS asked(id_number)
     CROSS JOIN LATERAL (
           SELECT string_agg(dm.period::text || ' ' || dm.amount::text || ' ' || to_char(dm.paid_on, 'YYYY-MM-DD'), ','
                             ORDER BY dm.period, dm.paid_on) AS months
             FROM person p
             JOIN account a ON a.person_id = p.id
             JOIN deposit_month dm ON dm.account_id = a.id
            WHERE p.id_number = asked.id_number
              AND dm.paid_on BETWEEN $2::date AND $3::date) AS paid
     WHERE paid.months IS NOT NULL`;

export async function taxDeductions(
  hub: Pick<HubServices, "reads" | "policy">,
  taxYear: number,
  idNumbers: readonly string[],
  /** Called once the request is found valid, just before the read (the caller records the read there). */
  beforeRead: () => void = () => {},
): Promise<TaxDeductionDto[]> {
  const ids = distinctIdNumbers(idNumbers);
  if (!Number.isInteger(taxYear) || taxYear < 1900 || taxYear > 2199)
    throw badInput("纳税年度无效 (taxYear must be a year from 1900 to 2199)", "taxYear");
  if (ids.length === 0) return [];
  const { from, to } = taxYearDates(taxYear);
  // A parameter in force on that day stays in force (with some value) on every later day of the year. Parameters in
  // force before the pilot's start are never needed (decision 015).
  await deductionParametersOn(hub, deductionParametersNeededFrom(taxYear, PILOT_START_DATE), taxYear);
  beforeRead();
  const rows = await hub.reads.query<PaidRow>("hub_tax_deductions", TAX_SQL, [ids, from, to], ids.length);
  const money = batchToMoney();
  const paidByPerson = rows.map((row) => ({
    idNumber: row.id_number,
    months: commaList(row.months).map((text) => paidMonth(text, money)),
  }));
  const params = await parametersByDate(
    hub,
    paidByPerson.flatMap((p) => p.months.map((m) => m.paidOn)),
    taxYear,
  );
  const byPerson = new Map<string, TaxDeduction>();
  for (const { idNumber, months } of paidByPerson)
    byPerson.set(
      idNumber,
      taxDeduction(taxYear, months, (paidOn) => params.get(paidOn)!),
    );
  const printMonth = batchFormatMoney();
  return idNumbers.map((id) => toDto(id, taxYear, byPerson.get(id) ?? NO_DEDUCTION, printMonth));
}
