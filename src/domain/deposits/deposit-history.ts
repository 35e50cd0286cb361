/** Deposit duration (缴存时长) and continuity (连续缴存) from the months paid. */
import { addMonths, isValidMonth, monthsBetween } from "../calendar/calendar";

export interface DepositHistory {
  paidMonths: number;
  consecutiveMonths: number;
  paidUpTo: string | null;
}

/**
 * `periods` are paid months ('YYYY-MM') in any order, duplicates allowed; `transferredInMonths` are
 * months paid elsewhere (transfer-in, earlier employer-based history) and count toward duration only.
 */
export function depositHistory(periods: readonly string[], transferredInMonths: number): DepositHistory {
  if (!Number.isInteger(transferredInMonths) || transferredInMonths < 0) {
    throw new RangeError(`transferredInMonths must be a non-negative integer: ${transferredInMonths}`);
  }
  const invalid = periods.find((period) => !isValidMonth(period));
  if (invalid !== undefined) throw new RangeError(`Not a month (YYYY-MM): ${JSON.stringify(invalid)}`);

  const paid = new Set(periods);
  let paidUpTo: string | null = null;
  for (const month of paid) {
    if (paidUpTo === null || monthsBetween(paidUpTo, month) > 0) paidUpTo = month;
  }
  let consecutiveMonths = 0;
  if (paidUpTo !== null) {
    for (let month = paidUpTo; paid.has(month); month = addMonths(month, -1)) consecutiveMonths += 1;
  }
  return { paidMonths: paid.size + transferredInMonths, consecutiveMonths, paidUpTo };
}
