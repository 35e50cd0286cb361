/**
 * The one deposit history: which months count as paid, duration 缴存时长, continuity 连续缴存 and stability, for the
 * account view, rental eligibility and (next) the loan quota. Two questions are asked of it, by contract:
 *
 * - The account's figures (hub.graphql Account: "consecutive paid months ending at the latest paid month"):
 *   every month paid so far, including months a lump sum paid ahead; the run ends at the latest paid month.
 * - Figures "as of" a date (housing support, loan quota): a month counts once it is paid (payment date not after
 *   asOf) and is not in the future (not after asOf's month), so months a lump sum paid ahead count only as they
 *   come. The run starts at asOf's month, or at the month before while asOf's deposit day has not passed and
 *   asOf's month is unpaid; the first unpaid month stops it.
 *
 * Both count the same run (`consecutivePaidMonths`) over the same months; they differ only in where the run ends,
 * so once asOf has passed every month paid ahead (and its deposit day) the two agree.
 */
import { addMonths, compareDates, dayOfMonth, isValidMonth, monthOf, monthsBetween } from "../calendar/calendar";

export interface DepositHistory {
  paidMonths: number;
  consecutiveMonths: number;
  paidUpTo: string | null;
}

/** One month paid: the month paid for and the date it was paid on. */
export interface PaidMonth {
  period: string;
  paidOn: string;
}

/**
 * Months paid before the account's history began here (a transfer in, a pre-pilot system): `paidMonths` count in
 * duration; the last `continuousMonths` up to `paidUpTo` (the transfer's six-month flag) continue a run of months
 * paid here that starts right after `paidUpTo`.
 */
export interface CarriedRun {
  paidMonths: number;
  paidUpTo: string;
  continuousMonths: number;
}

/** The length of the run of paid months ending at `end` (0 when `end` is unpaid), continued by a carried run that
 *  ends right before it (or at `end` itself when nothing was paid here). */
export function consecutivePaidMonths(
  end: string,
  paid: ReadonlySet<string>,
  carried: readonly CarriedRun[] = [],
): number {
  let count = 0;
  let month = end;
  for (; paid.has(month); month = addMonths(month, -1)) count += 1;
  const joins = carried.find((c) => c.paidUpTo === month);
  return count + (joins ? joins.continuousMonths : 0);
}

/** The latest of the months, or null for none. */
export function latestMonth(months: Iterable<string>): string | null {
  let latest: string | null = null;
  for (const month of months) if (latest === null || monthsBetween(latest, month) > 0) latest = month;
  return latest;
}

/**
 * The account's figures: `periods` are paid months ('YYYY-MM') in any order, duplicates allowed;
 * `transferredInMonths` are months paid elsewhere (transfer-in, earlier employer-based history) and count toward
 * duration only.
 */
export function depositHistory(
  periods: readonly string[],
  transferredInMonths: number,
  carried: readonly CarriedRun[] = [],
): DepositHistory {
  if (!Number.isInteger(transferredInMonths) || transferredInMonths < 0) {
    throw new RangeError(`transferredInMonths must be a non-negative integer: ${transferredInMonths}`);
  }
  const invalid = periods.find((period) => !isValidMonth(period));
  if (invalid !== undefined) throw new RangeError(`Not a month (YYYY-MM): ${JSON.stringify(invalid)}`);
  const paid = new Set(periods);
  // The paid-up-to month 缴至年月 carries over from a transfer or the pre-pilot system.
  const paidUpTo = latestMonth([...paid, ...carried.map((c) => c.paidUpTo)]);
  const consecutiveMonths = paidUpTo === null ? 0 : consecutivePaidMonths(paidUpTo, paid, carried);
  const carriedMonths = carried.reduce((sum, c) => sum + c.paidMonths, 0);
  return { paidMonths: paid.size + transferredInMonths + carriedMonths, consecutiveMonths, paidUpTo };
}

/** The months paid as of `asOf`: payment date not after it, month not after its month. */
export function monthsPaidAsOf(months: readonly PaidMonth[], asOf: string): Set<string> {
  const asOfMonth = monthOf(asOf);
  const paid = new Set<string>();
  for (const m of months) {
    if (compareDates(m.paidOn, asOf) <= 0 && monthsBetween(m.period, asOfMonth) >= 0) paid.add(m.period);
  }
  return paid;
}

/** Where a run as of `asOf` ends: asOf's month, or the month before while its deposit day is still to come. */
export function countStartMonth(asOf: string, paid: ReadonlySet<string>, depositDay: number | null): string {
  const month = monthOf(asOf);
  if (paid.has(month)) return month;
  return depositDay !== null && dayOfMonth(asOf) <= depositDay ? addMonths(month, -1) : month;
}

/** The carried runs that count as of `asOf`: those whose paid-up-to month is not after asOf's month (a month later
 *  than asOf's month never counts, as for months paid here). */
export function carriedAsOf(carried: readonly CarriedRun[], asOf: string): CarriedRun[] {
  const asOfMonth = monthOf(asOf);
  return carried.filter((c) => monthsBetween(c.paidUpTo, asOfMonth) >= 0);
}

/** Consecutive paid months as of `asOf` (see the header); `depositDay` of the plan in force then, if any. Carried
 *  runs (transfers in, pre-pilot accounts) continue the run as in the account's figures (`depositHistory`). */
export function consecutiveMonthsAsOf(
  months: readonly PaidMonth[],
  asOf: string,
  depositDay: number | null,
  carried: readonly CarriedRun[] = [],
): number {
  const paid = monthsPaidAsOf(months, asOf);
  return consecutivePaidMonths(countStartMonth(asOf, paid, depositDay), paid, carriedAsOf(carried, asOf));
}

/** Whether a month of the `window` months ending at `end` is unpaid; months before the opening were not owed. */
export function unpaidInRecentMonths(
  end: string,
  paid: ReadonlySet<string>,
  openedOn: string,
  window: number,
): boolean {
  const openingMonth = monthOf(openedOn);
  for (let i = 0; i < window; i++) {
    const month = addMonths(end, -i);
    if (monthsBetween(openingMonth, month) < 0) return false;
    if (!paid.has(month)) return true;
  }
  return false;
}

/**
 * Stability 缴存稳定性 for the loan quota: how many of the `window` calendar months ending with the month before
 * asOf's month were paid as of asOf; months before the account opened count as unpaid (domain.md, Loans).
 */
export function stabilityAsOf(
  months: readonly PaidMonth[],
  asOf: string,
  openedOn: string,
  window = 12,
): { paid: number; of: number } {
  const paid = monthsPaidAsOf(months, asOf);
  const openingMonth = monthOf(openedOn);
  let count = 0;
  for (let i = 1; i <= window; i++) {
    const month = addMonths(monthOf(asOf), -i);
    if (monthsBetween(openingMonth, month) >= 0 && paid.has(month)) count += 1;
  }
  return { paid: count, of: window };
}
