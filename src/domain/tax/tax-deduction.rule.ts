/**
 * Income-tax deduction 个人所得税扣除 of HPF deposits: the one place that computes it.
 * A deposit counts in the tax year (calendar year) of its payment date. Per month covered, the deductible part is
 * min(paid for that month, deductible ratio × base cap in force on the payment date), rounded half-up to the fen;
 * a lump sum is one payment with one credit per month, so it is capped month by month.
 */
import { compareDates, dateOrdinal, monthOrdinal } from "../calendar/calendar";
import { type MoneyValue, roundFen, sumMoney, ZERO } from "../money/money";

/** The parameters in force on one payment date. */
export interface DeductionParameters {
  baseCap: MoneyValue;
  deductibleRatio: MoneyValue;
}

/** One month credited by a payment (a deposit_month row). */
export interface PaidMonth {
  period: string;
  amount: MoneyValue;
  paidOn: string;
}

export interface MonthlyDeduction {
  period: string;
  paid: MoneyValue;
  deductible: MoneyValue;
}

export interface TaxDeduction {
  paidAmount: MoneyValue;
  deductibleAmount: MoneyValue;
  months: MonthlyDeduction[];
}

export const NO_DEDUCTION: TaxDeduction = Object.freeze({
  paidAmount: ZERO,
  deductibleAmount: ZERO,
  months: [],
}) as TaxDeduction;

/** The most that one month can deduct under these parameters (24 % × 24,183.00 = 5,803.92). */
export function monthlyDeductionCap(p: DeductionParameters): MoneyValue {
  return roundFen(p.deductibleRatio.times(p.baseCap));
}

/** The first and last day of a tax year. */
export function taxYearDates(taxYear: number): { from: string; to: string } {
  return { from: `${String(taxYear).padStart(4, "0")}-01-01`, to: `${String(taxYear).padStart(4, "0")}-12-31` };
}

/**
 * The first day of a tax year on which its deduction parameters must be in force: 1 January, or the pilot's start
 * when the pilot began during the year (no HPF deposit under the pilot was paid before it, so parameters in force
 * before it are never needed: a payment of 2023-08-10 is answered with the parameters in force on that day).
 * A year that ended before the pilot began is asked from 1 January, so it needs parameters recorded for it.
 */
export function deductionParametersNeededFrom(taxYear: number, pilotStart: string): string {
  const { from, to } = taxYearDates(taxYear);
  return compareDates(pilotStart, from) > 0 && compareDates(pilotStart, to) <= 0 ? pilotStart : from;
}

/** Caps by parameter set: a page of 500 persons asks for the same few sets 6,000 times. */
const caps = new WeakMap<DeductionParameters, MoneyValue>();
function capOf(p: DeductionParameters): MoneyValue {
  let cap = caps.get(p);
  if (cap === undefined) caps.set(p, (cap = monthlyDeductionCap(p)));
  return cap;
}

/** A month's deductible part, min(paid, cap), by instance pair: a page's months repeat a few amounts (batchToMoney
 *  shares them) under a few caps, and comparing two Decimals allocates one. */
const cappedByCap = new WeakMap<MoneyValue, WeakMap<MoneyValue, MoneyValue>>();
function capped(amount: MoneyValue, cap: MoneyValue): MoneyValue {
  let byAmount = cappedByCap.get(cap);
  if (byAmount === undefined) cappedByCap.set(cap, (byAmount = new WeakMap()));
  let deductible = byAmount.get(amount);
  if (deductible === undefined) byAmount.set(amount, (deductible = roundFen(amount.lessThan(cap) ? amount : cap)));
  return deductible;
}

export function isPaidInTaxYear(paidOn: string, taxYear: number): boolean {
  const { from, to } = taxYearDates(taxYear);
  return compareDates(paidOn, from) >= 0 && compareDates(paidOn, to) <= 0;
}

/**
 * The deduction of one person for a tax year from the months their payments credited (any order, any year:
 * months paid outside the tax year are ignored). `parametersOn(paidOn)` gives the parameters in force on a payment
 * date. A month credited twice in the year (possible only across two accounts of one person) is one month: its
 * amounts add up and it is capped once, with the parameters of its earliest payment.
 */
export function taxDeduction(
  taxYear: number,
  paid: readonly PaidMonth[],
  parametersOn: (paidOn: string) => DeductionParameters,
): TaxDeduction {
  const { from, to } = taxYearDates(taxYear);
  const [first, last] = [dateOrdinal(from), dateOrdinal(to)];
  // Each date and period is parsed once (dateOrdinal, monthOrdinal): a page of 500 persons holds 6,000 months.
  const byPeriod = new Map<string, { amount: MoneyValue; firstPaidOn: string; firstDay: number }>();
  for (const month of paid) {
    const day = dateOrdinal(month.paidOn);
    if (day < first || day > last) continue;
    const seen = byPeriod.get(month.period);
    if (!seen) byPeriod.set(month.period, { amount: month.amount, firstPaidOn: month.paidOn, firstDay: day });
    else {
      seen.amount = seen.amount.plus(month.amount);
      if (day < seen.firstDay) [seen.firstPaidOn, seen.firstDay] = [month.paidOn, day];
    }
  }
  const months = Array.from(byPeriod, ([period, { amount, firstPaidOn }]) => ({
    order: monthOrdinal(period),
    period,
    amount,
    firstPaidOn,
  }))
    .sort((a, b) => a.order - b.order)
    .map(({ period, amount, firstPaidOn }) => ({
      period,
      paid: amount,
      deductible: capped(amount, capOf(parametersOn(firstPaidOn))),
    }));
  return {
    paidAmount: sumMoney(months.map((m) => m.paid)),
    deductibleAmount: sumMoney(months.map((m) => m.deductible)),
    months,
  };
}
