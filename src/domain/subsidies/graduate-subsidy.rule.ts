/**
 * Graduate deposit subsidy 高校毕业生缴存补贴 (domain.md): who qualifies for one month paid, and how much.
 *
 * - Education: at least `minEducation` (大专 = VOCATIONAL) in the order NONE < VOCATIONAL < BACHELOR < MASTER < DOCTOR.
 * - Graduation window, in whole months: the month paid for (the deposit's period) must lie from the month of
 *   graduation up to and including that month + withinYears × 12. Graduated 2021-08-15 with 5 years: 2021-08 ..
 *   2026-08 qualify, 2026-09 does not; a month before graduation does not qualify either.
 * - Amount: rate × that month's deposit, rounded half-up to the fen, at most `monthlyCap`.
 * - At most `maxMonths` subsidised months per person, counting every month already claimed and not rejected.
 */
import { addMonths, isValidDate, monthOf, monthRange, monthsBetween } from "../calendar/calendar";
import { type MoneyValue, roundFen } from "../money/money";

export const EDUCATION_LEVELS = ["NONE", "VOCATIONAL", "BACHELOR", "MASTER", "DOCTOR"] as const;

export interface GraduateSubsidyPolicy {
  withinYears: number;
  rate: MoneyValue;
  monthlyCap: MoneyValue;
  maxMonths: number;
  minEducation: string;
}

export interface GraduateSubsidyFacts {
  education: string | null;
  graduationDate: string | null;
  /** The month paid for, YYYY-MM. */
  period: string;
  /** The deposit paid for that month. */
  deposit: MoneyValue;
  /** Months of this person already claimed and not rejected (other months than `period`). */
  subsidisedMonths: number;
}

export type IneligibleReason =
  | "EDUCATION_BELOW_MINIMUM"
  | "NO_GRADUATION_DATE"
  | "NOT_YET_GRADUATED"
  | "GRADUATED_TOO_LONG_AGO"
  | "MONTHS_EXHAUSTED"
  | "NOTHING_TO_SUBSIDISE";

export type GraduateSubsidyDecision =
  { eligible: true; amount: MoneyValue } | { eligible: false; reason: IneligibleReason };

/** The education codes that qualify, lowest first. */
export function qualifyingEducations(policy: Pick<GraduateSubsidyPolicy, "minEducation">): string[] {
  const from = EDUCATION_LEVELS.indexOf(policy.minEducation as (typeof EDUCATION_LEVELS)[number]);
  if (from < 0) throw new RangeError(`unknown minimum education ${policy.minEducation}`);
  return EDUCATION_LEVELS.slice(from);
}

/** The first and last month paid for that a graduation date qualifies (both included). */
export function graduationWindow(
  graduationDate: string,
  policy: Pick<GraduateSubsidyPolicy, "withinYears">,
): { first: string; last: string } {
  const first = monthOf(graduationDate);
  return { first, last: addMonths(first, policy.withinYears * 12) };
}

/** The graduation dates whose window contains `period`: from `from` (included) to `before` (excluded). */
export function graduationDatesQualifyingFor(
  period: string,
  policy: Pick<GraduateSubsidyPolicy, "withinYears">,
): { from: string; before: string } {
  return { from: `${addMonths(period, -policy.withinYears * 12)}-01`, before: `${addMonths(period, 1)}-01` };
}

/** rate × deposit, half-up to the fen, capped. */
export function subsidyAmount(
  deposit: MoneyValue,
  policy: Pick<GraduateSubsidyPolicy, "rate" | "monthlyCap">,
): MoneyValue {
  const amount = roundFen(deposit.times(policy.rate));
  return amount.greaterThan(policy.monthlyCap) ? policy.monthlyCap : amount;
}

export function decideGraduateSubsidy(
  facts: GraduateSubsidyFacts,
  policy: GraduateSubsidyPolicy,
): GraduateSubsidyDecision {
  if (facts.education === null || !qualifyingEducations(policy).includes(facts.education)) {
    return { eligible: false, reason: "EDUCATION_BELOW_MINIMUM" };
  }
  if (facts.graduationDate === null || !isValidDate(facts.graduationDate))
    return { eligible: false, reason: "NO_GRADUATION_DATE" };
  const window = graduationWindow(facts.graduationDate, policy);
  if (monthsBetween(window.first, facts.period) < 0) return { eligible: false, reason: "NOT_YET_GRADUATED" };
  if (monthsBetween(facts.period, window.last) < 0) return { eligible: false, reason: "GRADUATED_TOO_LONG_AGO" };
  if (facts.subsidisedMonths >= policy.maxMonths) return { eligible: false, reason: "MONTHS_EXHAUSTED" };
  const amount = subsidyAmount(facts.deposit, policy);
  return amount.greaterThan(0) ? { eligible: true, amount } : { eligible: false, reason: "NOTHING_TO_SUBSIDISE" };
}

/**
 * The months whose late deposits the monthly run for `period` claims (a month back-paid after its batch exists):
 * `period` and the 12 months before it, oldest first. A back payment 补缴 reaches back at most to the first month of
 * the current settlement year, so the latest a month can be paid is the 30 June ending its settlement year; the first
 * run after that, the July run, is 12 months after the year's first month (the July before). Claims stay unique per
 * person and month, so a month is never claimed twice however often it is looked at.
 */
export const LATE_CLAIM_MONTHS_BACK = 12;

export function lateClaimWindow(period: string): string[] {
  return monthRange(addMonths(period, -LATE_CLAIM_MONTHS_BACK), period);
}
