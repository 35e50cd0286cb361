/**
 * How a repayment is applied to a loan (domain.md, Loans): the instalments that are due (this month's and any
 * overdue ones) are paid oldest first, each instalment's interest before its principal; a repayment above what is
 * due prepays principal (and the schedule is replanned with a shorter term, loan-schedule.rule.ts). The monthly
 * offset 冲还贷 takes what is due from the balance "as far as it goes": the same allocation, the amount capped at the
 * balance. Pure: the amounts in, the allocation out.
 */
import { Money, type MoneyValue, ZERO } from "../money/money";
import type { LiquidityLevel } from "./loan-vocabulary";

export interface UnpaidInstalment {
  number: number;
  principal: MoneyValue;
  interest: MoneyValue;
  paidPrincipal: MoneyValue;
  paidInterest: MoneyValue;
}

export interface InstalmentPayment {
  number: number;
  principal: MoneyValue;
  interest: MoneyValue;
  /** The instalment is fully paid after this payment. */
  settled: boolean;
}

export interface Allocation {
  payments: InstalmentPayment[];
  principal: MoneyValue;
  interest: MoneyValue;
  /** What is left of the amount once every given instalment is paid (prepays principal, for a repayment). */
  left: MoneyValue;
}

/** What is still owed on the instalments. */
export function amountDue(instalments: readonly UnpaidInstalment[]): MoneyValue {
  return instalments.reduce(
    (sum, i) => sum.plus(i.principal.minus(i.paidPrincipal)).plus(i.interest.minus(i.paidInterest)),
    ZERO,
  );
}

/** Pays `amount` into the instalments in the order given (oldest first), interest before principal. */
export function allocate(instalments: readonly UnpaidInstalment[], amount: MoneyValue): Allocation {
  let left = amount;
  let principal = ZERO;
  let interest = ZERO;
  const payments: InstalmentPayment[] = [];
  for (const i of instalments) {
    if (!left.greaterThan(0)) break;
    const interestOwed = i.interest.minus(i.paidInterest);
    const principalOwed = i.principal.minus(i.paidPrincipal);
    const toInterest = Money.min(left, interestOwed);
    left = left.minus(toInterest);
    const toPrincipal = Money.min(left, principalOwed);
    left = left.minus(toPrincipal);
    if (toInterest.isZero() && toPrincipal.isZero()) continue;
    principal = principal.plus(toPrincipal);
    interest = interest.plus(toInterest);
    payments.push({
      number: i.number,
      principal: toPrincipal,
      interest: toInterest,
      settled: toInterest.equals(interestOwed) && toPrincipal.equals(principalOwed),
    });
  }
  return { payments, principal, interest, left };
}

export type { LiquidityLevel };

export interface LiquidityThresholds {
  warningRatio: MoneyValue;
  alarmRatio: MoneyValue;
}

/**
 * The level of the flexible pool's 个贷率 = outstanding principal / deposits balance against the thresholds (at or
 * above the warning threshold: WARNING; at or above the alarm threshold: ALARM). Compared exactly (cross-multiplied,
 * no rounded ratio); loans with no deposits at all are ALARM.
 */
export function liquidityLevel(
  outstanding: MoneyValue,
  balance: MoneyValue,
  thresholds: LiquidityThresholds,
): LiquidityLevel {
  if (!balance.greaterThan(0)) return outstanding.greaterThan(0) ? "ALARM" : "NORMAL";
  if (outstanding.greaterThanOrEqualTo(balance.times(thresholds.alarmRatio))) return "ALARM";
  if (outstanding.greaterThanOrEqualTo(balance.times(thresholds.warningRatio))) return "WARNING";
  return "NORMAL";
}
