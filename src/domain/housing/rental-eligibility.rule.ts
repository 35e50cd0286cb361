/**
 * Housing support through the housing bureau: priority for public / affordable rental housing 公租房/保租房优先 and the
 * rental-deposit waiver 租房押金减免. The one place that decides them.
 *
 * The deposit history (months paid as of asOf, the backward count) is src/domain/deposits/deposit-history.ts:
 * consecutive paid months are counted backwards from the month of `asOf`: that month counts if paid; if it is unpaid
 * and its agreed deposit day has not passed yet (asOf is on or before the deposit day), counting starts from the
 * month before; the first unpaid month stops the count. A month is paid as of `asOf` when its payment date is not
 * after `asOf`; a month later than asOf's month never counts, so lump-sum months count once they are not in the
 * future. "No unpaid month in the last N" looks at the N months ending at the month the count starts from; months
 * before the account was opened were not owed and are not unpaid. Months carried from a transfer in or a pre-pilot
 * account continue the run exactly as in the account's figures (decision 013 "Carried months"; 015): the carried
 * continuous months join a run that reaches their paid-up-to month, once that month is not after asOf's month.
 *
 * No fraud ban (domain.md "Housing support"): a ban of any kind in force on asOf refuses both (FRAUD_BAN); which bans
 * block housing support is decided by src/domain/risk/fraud-ban.rule.ts.
 */
import { compareDates } from "../calendar/calendar";
import {
  carriedAsOf,
  type CarriedRun,
  consecutivePaidMonths,
  countStartMonth,
  monthsPaidAsOf,
  type PaidMonth,
  unpaidInRecentMonths,
} from "../deposits/deposit-history";
import { actionBanned, type BanPeriod } from "../risk/fraud-ban.rule";

export interface HousingParameters {
  priorityMinConsecutiveMonths: number;
  depositWaiverMinConsecutiveMonths: number;
  noUnpaidInLastMonths: number;
}

export interface HousingAccountFacts {
  kind: string; // FLEXIBLE | EMPLOYER
  status: string; // ACTIVE | SEALED | CLOSED | FROZEN
  openedOn: string;
  /** The deposit day of the plan in force on asOf; null when no plan is in force then. */
  depositDay: number | null;
  paidMonths: readonly PaidMonth[];
  /** Months paid before the account's history began here (carried_history); none when absent. */
  carried?: readonly CarriedRun[];
  /** The person's fraud bans (at least those in force on asOf). */
  bans: readonly BanPeriod[];
}

export const RENTAL_REASONS = [
  "NOT_ENROLLED",
  "ACCOUNT_NOT_ACTIVE",
  "NOT_FLEXIBLE",
  "CONSECUTIVE_MONTHS_BELOW_PRIORITY",
  "CONSECUTIVE_MONTHS_BELOW_WAIVER",
  "UNPAID_IN_RECENT_MONTHS",
  "FRAUD_BAN",
] as const;
export type RentalReason = (typeof RENTAL_REASONS)[number];

export interface RentalEligibility {
  priorityEligible: boolean;
  depositWaiverEligible: boolean;
  consecutiveMonths: number;
  /** Codes of every rule not met, in the order of RENTAL_REASONS. */
  reasons: RentalReason[];
}

/** Eligibility of one person as of a date; `account` is null for a person with no account (enrolled as of asOf). */
export function rentalEligibility(
  account: HousingAccountFacts | null,
  asOf: string,
  p: HousingParameters,
): RentalEligibility {
  const enrolled = account !== null && compareDates(account.openedOn, asOf) <= 0;
  const paid = enrolled ? monthsPaidAsOf(account.paidMonths, asOf) : new Set<string>();
  const start = countStartMonth(asOf, paid, enrolled ? account.depositDay : null);
  const carried = enrolled ? carriedAsOf(account.carried ?? [], asOf) : [];
  const consecutiveMonths = consecutivePaidMonths(start, paid, carried);
  const failed = new Set<RentalReason>();
  if (!enrolled) failed.add("NOT_ENROLLED");
  else {
    if (account.status !== "ACTIVE") failed.add("ACCOUNT_NOT_ACTIVE");
    if (account.kind !== "FLEXIBLE") failed.add("NOT_FLEXIBLE");
    if (unpaidInRecentMonths(start, paid, account.openedOn, p.noUnpaidInLastMonths))
      failed.add("UNPAID_IN_RECENT_MONTHS");
    if (actionBanned(account.bans, "HOUSING_SUPPORT", asOf)) failed.add("FRAUD_BAN");
  }
  if (consecutiveMonths < p.priorityMinConsecutiveMonths) failed.add("CONSECUTIVE_MONTHS_BELOW_PRIORITY");
  if (consecutiveMonths < p.depositWaiverMinConsecutiveMonths) failed.add("CONSECUTIVE_MONTHS_BELOW_WAIVER");
  const gate = ["NOT_ENROLLED", "ACCOUNT_NOT_ACTIVE", "NOT_FLEXIBLE", "UNPAID_IN_RECENT_MONTHS", "FRAUD_BAN"] as const;
  const gatesMet = gate.every((code) => !failed.has(code));
  return {
    priorityEligible: gatesMet && !failed.has("CONSECUTIVE_MONTHS_BELOW_PRIORITY"),
    depositWaiverEligible: gatesMet && !failed.has("CONSECUTIVE_MONTHS_BELOW_WAIVER"),
    consecutiveMonths,
    reasons: RENTAL_REASONS.filter((code) => failed.has(code)),
  };
}
