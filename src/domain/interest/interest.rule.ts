/**
 * Fund interest and the interest subsidy (domain.md, Interest, "Precisely (wave 2)").
 *
 * - Interest accrues on the balance at the end of each day; each entry counts from its business date.
 * - 积数 (accumulated balance) = Σ over the days of the period of that end-of-day balance. For a settlement year
 *   (1 July – 30 June) that is 365 or 366 days (2027-07-01 .. 2028-06-30 holds 29 February 2028).
 *   Equivalently: opening balance × days + Σ each entry's amount × the days from its date to the period's end.
 * - Interest = 积数 × annual rate / 360, rounded half-up to the fen, posted on 30 June (business type 09).
 * - The interest subsidy uses the same 积数 at the subsidy rate, for an account open for the whole year
 *   (opened on or before its 1 July) that stayed unused (no withdrawal, no relative transfer out, no loan
 *   outstanding) for at least `minUnusedMonths` up to the year's 30 June; the cap is cumulative per person.
 * - An exit credits interest from the last 1 July up to the day before its date (销户结息).
 */
import {
  addDays,
  addMonthsToDate,
  compareDates,
  daysBetween,
  settlementYearDates,
  settlementYearOf,
} from "../calendar/calendar";
import { type MoneyValue, roundFen, ZERO } from "../money/money";

/** A change of the balance on its business date: positive credits the worker. */
export interface BalanceMovement {
  on: string;
  amount: MoneyValue;
}

export interface InterestPeriod {
  /** First day, included. */
  from: string;
  /** Last day, included. */
  to: string;
}

/** The days of a settlement year: 1 July of `year` to 30 June of `year + 1`. */
export function settlementYearPeriod(year: number): InterestPeriod {
  return settlementYearDates(year);
}

/** Days in a period, both ends included (0 for an empty period). */
export function daysIn(period: InterestPeriod): number {
  return Math.max(daysBetween(period.from, period.to) + 1, 0);
}

/** 积数: Σ of the end-of-day balances over the period. Movements before it form the opening balance; later ones do not count. */
export function accumulatedBalance(movements: readonly BalanceMovement[], period: InterestPeriod): MoneyValue {
  let total = ZERO;
  for (const m of movements) {
    if (compareDates(m.on, period.to) > 0) continue;
    const start = compareDates(m.on, period.from) < 0 ? period.from : m.on;
    total = total.plus(m.amount.times(daysBetween(start, period.to) + 1));
  }
  return total;
}

/** 积数 × rate / 360, half-up to the fen. */
export function interestOn(accumulated: MoneyValue, annualRate: MoneyValue): MoneyValue {
  return roundFen(accumulated.times(annualRate).dividedBy(360));
}

/** The period an exit (or transfer out) on `exitOn` credits: from the last 1 July to the day before; null when empty. */
export function exitInterestPeriod(exitOn: string): InterestPeriod | null {
  const { from } = settlementYearDates(settlementYearOf(exitOn));
  const to = addDays(exitOn, -1);
  return compareDates(to, from) < 0 ? null : { from, to };
}

/** Whether a settlement year has ended on `asOf`: its 30 June must have passed. */
export function settlementYearEnded(year: number, asOf: string): boolean {
  return compareDates(asOf, settlementYearDates(year).to) > 0;
}

export interface InterestSubsidyPolicy {
  annualRate: MoneyValue;
  minUnusedMonths: number;
  capPerPerson: MoneyValue;
}

export interface InterestSubsidyFacts {
  settlementYear: number;
  openedOn: string;
  /** Business dates of every use of the deposits: withdrawals, exit payouts, relative transfers out. */
  useDates: readonly string[];
  /** Whether a loan was outstanding (or applied for) at any time during the year. */
  loanDuringYear: boolean;
  /** Interest subsidy this person already received, over all years. */
  receivedBefore: MoneyValue;
}

export type InterestSubsidyRefusal = "OPENED_DURING_YEAR" | "DEPOSITS_USED" | "LOAN_OUTSTANDING" | "CAP_REACHED";

export type InterestSubsidyDecision =
  { eligible: true; amount: MoneyValue; capped: boolean } | { eligible: false; reason: InterestSubsidyRefusal };

/** The first day of the unused window: `minUnusedMonths` before the day after the year's 30 June (1 July for 12). */
export function unusedWindowStart(year: number, minUnusedMonths: number): string {
  return addMonthsToDate(addDays(settlementYearDates(year).to, 1), -minUnusedMonths);
}

/** The subsidy of one account for one settlement year, given its 积数 for that year. */
export function decideInterestSubsidy(
  accumulated: MoneyValue,
  facts: InterestSubsidyFacts,
  policy: InterestSubsidyPolicy,
): InterestSubsidyDecision {
  const year = settlementYearDates(facts.settlementYear);
  const windowStart = unusedWindowStart(facts.settlementYear, policy.minUnusedMonths);
  const mustBeOpenBy = compareDates(windowStart, year.from) < 0 ? windowStart : year.from;
  if (compareDates(facts.openedOn, mustBeOpenBy) > 0) return { eligible: false, reason: "OPENED_DURING_YEAR" };
  if (facts.loanDuringYear) return { eligible: false, reason: "LOAN_OUTSTANDING" };
  const used = facts.useDates.some((d) => compareDates(d, windowStart) >= 0 && compareDates(d, year.to) <= 0);
  if (used) return { eligible: false, reason: "DEPOSITS_USED" };
  const room = policy.capPerPerson.minus(facts.receivedBefore);
  if (room.lessThanOrEqualTo(0)) return { eligible: false, reason: "CAP_REACHED" };
  const full = interestOn(accumulated, policy.annualRate);
  return full.greaterThan(room)
    ? { eligible: true, amount: room, capped: true }
    : { eligible: true, amount: full, capped: false };
}
