/**
 * Deposit rules (灵活缴存): monthly deposits, back payments (补缴) and lump sums (趸缴) for a settlement year.
 * A month is paid at most once; limits are those of the settlement year in force.
 */
import {
  isValidMonth,
  monthOf,
  monthsBetween,
  settlementYearDates,
  settlementYearMonths,
  settlementYearOf,
} from "../calendar/calendar";
import { formatMoney, type MoneyValue, ZERO } from "../money/money";
import type { RuleViolation } from "../rules/rule-violation";

export interface DepositLimits {
  monthlyMin: MoneyValue;
  monthlyMax: MoneyValue;
  backPayWithinSettlementYear: boolean;
}

export interface MonthlyDepositFacts {
  period: string;
  amount: MoneyValue;
  paidOn: string;
  openedOn: string;
  paidPeriods: ReadonlySet<string>;
}

export interface LumpSumFacts {
  settlementYear: number;
  paidOn: string;
  openedOn: string;
  paidPeriods: ReadonlySet<string>;
  /** The back-payment switch 补缴 in force on the payment date (`deposit.backPayWithinSettlementYear`). */
  backPaymentAllowed: boolean;
}

/** A monthly amount must lie within the floor and ceiling, both included. */
export function checkMonthlyAmount(
  amount: MoneyValue,
  limits: Pick<DepositLimits, "monthlyMin" | "monthlyMax">,
  field: string,
): RuleViolation[] {
  if (amount.lessThan(limits.monthlyMin)) {
    const message = `月缴存额不得低于下限${formatMoney(limits.monthlyMin)}元`;
    return [{ code: "AMOUNT_BELOW_MINIMUM", field, message }];
  }
  if (amount.greaterThan(limits.monthlyMax)) {
    const message = `月缴存额不得高于上限${formatMoney(limits.monthlyMax)}元`;
    return [{ code: "AMOUNT_ABOVE_MAXIMUM", field, message }];
  }
  return [];
}

/** BACK_PAYMENT (补缴) when the month paid for is earlier than the month of payment. */
export function depositKind(period: string, paidOn: string): "DEPOSIT" | "BACK_PAYMENT" {
  return monthsBetween(monthOf(paidOn), period) < 0 ? "BACK_PAYMENT" : "DEPOSIT";
}

function checkBackPayment(f: MonthlyDepositFacts, limits: DepositLimits): RuleViolation[] {
  if (depositKind(f.period, f.paidOn) !== "BACK_PAYMENT") return [];
  if (!limits.backPayWithinSettlementYear) {
    return [{ code: "BACK_PAYMENT_NOT_ALLOWED", field: "period", message: "不允许补缴以前月份" }];
  }
  if (settlementYearOf(f.period) === settlementYearOf(f.paidOn)) return [];
  const message = `只能补缴本结算年度（${settlementYearOf(f.paidOn)}年度）内的月份`;
  return [{ code: "BACK_PAYMENT_OUTSIDE_SETTLEMENT_YEAR", field: "period", message }];
}

/** Checks one monthly deposit or back payment; returns every violation. */
export function checkMonthlyDeposit(f: MonthlyDepositFacts, limits: DepositLimits): RuleViolation[] {
  const violations: RuleViolation[] = f.amount.lessThanOrEqualTo(0)
    ? [{ code: "AMOUNT_NOT_POSITIVE", field: "amount", message: "缴存金额必须大于零" }]
    : checkMonthlyAmount(f.amount, limits, "amount");
  if (!isValidMonth(f.period)) {
    violations.push({ code: "INVALID_PERIOD", field: "period", message: "缴存年月格式无效（应为YYYY-MM）" });
    return violations;
  }
  if (monthsBetween(monthOf(f.openedOn), f.period) < 0) {
    violations.push({ code: "PERIOD_BEFORE_OPENING", field: "period", message: "缴存年月早于开户年月" });
  }
  if (monthsBetween(monthOf(f.paidOn), f.period) > 0) {
    violations.push({ code: "PERIOD_IN_FUTURE", field: "period", message: "不能按月预缴以后月份，请使用趸缴" });
  }
  if (f.paidPeriods.has(f.period)) {
    violations.push({
      code: "MONTH_ALREADY_PAID",
      field: "period",
      message: `${f.period}已缴存，同一月份只能缴存一次`,
    });
  }
  violations.push(...checkBackPayment(f, limits));
  return violations;
}

/**
 * The months a lump sum for a settlement year covers: from opening on, skipping months already paid. Months before
 * the payment date's month are back payments: covered only while back payment is allowed (domain.md: "remaining"
 * means from the month of the payment date to June), so a lump sum never bypasses the back-payment switch.
 */
export function lumpSumCoverage(f: LumpSumFacts): { months: string[]; violations: RuleViolation[] } {
  const currentYear = settlementYearOf(f.paidOn);
  if (f.settlementYear < currentYear) {
    const message = `${f.settlementYear}年度已结束，不能趸缴`;
    return { months: [], violations: [{ code: "SETTLEMENT_YEAR_CLOSED", field: "settlementYear", message }] };
  }
  if (f.settlementYear > currentYear + 1) {
    const message = `只能趸缴本结算年度或下一结算年度（${currentYear}或${currentYear + 1}年度）`;
    return { months: [], violations: [{ code: "SETTLEMENT_YEAR_TOO_FAR", field: "settlementYear", message }] };
  }
  const openingMonth = monthOf(f.openedOn);
  const paymentMonth = monthOf(f.paidOn);
  const months = settlementYearMonths(f.settlementYear).filter(
    (month) =>
      monthsBetween(openingMonth, month) >= 0 &&
      !f.paidPeriods.has(month) &&
      (f.backPaymentAllowed || monthsBetween(paymentMonth, month) >= 0),
  );
  if (months.length > 0) return { months, violations: [] };
  const message = `${f.settlementYear}年度没有可缴存的月份`;
  return { months, violations: [{ code: "NOTHING_TO_PAY", field: "settlementYear", message }] };
}

/** A lump sum must be exactly the monthly amount times the months covered, the monthly amount within limits. */
export function checkLumpSumAmount(
  amount: MoneyValue,
  monthlyAmount: MoneyValue,
  monthCount: number,
  limits: DepositLimits,
): RuleViolation[] {
  if (!Number.isInteger(monthCount) || monthCount < 1) {
    throw new RangeError(`monthCount must be a positive integer: ${monthCount}`);
  }
  const violations = checkMonthlyAmount(monthlyAmount, limits, "monthlyAmount");
  const expected = monthlyAmount.times(monthCount);
  if (!amount.equals(expected)) {
    const message = `趸缴金额应为${formatMoney(monthlyAmount)}元×${monthCount}个月=${formatMoney(expected)}元，实缴${formatMoney(amount)}元`;
    violations.push({ code: "LUMP_SUM_AMOUNT_MISMATCH", field: "amount", message });
  }
  return violations;
}

/** The date whose deposit limits a lump sum for `settlementYear` is checked against: the year's first day (domain.md:
 *  "checked against the limits of the settlement year it pays for, not of its payment date"). */
export function lumpSumLimitsDate(settlementYear: number): string {
  return settlementYearDates(settlementYear).from;
}

/** A lump sum whose months may be paid at different amounts (a plan change inside the year): the amount must equal
 *  their sum, each monthly amount within the limits. With one amount throughout it is `checkLumpSumAmount`. */
export function checkLumpSumAmounts(
  amount: MoneyValue,
  monthlyAmounts: readonly MoneyValue[],
  limits: DepositLimits,
): RuleViolation[] {
  const first = monthlyAmounts[0];
  if (first === undefined) throw new RangeError("a lump sum covers at least one month");
  if (monthlyAmounts.every((m) => m.equals(first)))
    return checkLumpSumAmount(amount, first, monthlyAmounts.length, limits);
  const violations = monthlyAmounts.flatMap((m) => checkMonthlyAmount(m, limits, "monthlyAmount")).slice(0, 1);
  const expected = monthlyAmounts.reduce((sum, m) => sum.plus(m), ZERO);
  if (!amount.equals(expected)) {
    const message = `趸缴金额应为各月缴存计划金额之和${formatMoney(expected)}元，实缴${formatMoney(amount)}元`;
    violations.push({ code: "LUMP_SUM_AMOUNT_MISMATCH", field: "amount", message });
  }
  return violations;
}

/**
 * The SQL twin of checkMonthlyDeposit, for set-based imports (the bank collection file, decision 028): an SQL
 * expression giving the codes checkMonthlyDeposit returns for one row, in the same order, as a text[] (empty when the
 * deposit is allowed). The arguments are SQL expressions over the row (column names; never input). The period must
 * be a valid YYYY-MM month (the import's row parser refuses others, so INVALID_PERIOD never reaches it).
 * tests/unit/deposits/deposit-rule-sql.test.ts runs both on the same generated rows and compares every outcome.
 */
export interface MonthlyDepositSql {
  /** 'YYYY-MM' text. */
  period: string;
  amount: string;
  /** date */
  paidOn: string;
  /** date */
  openedOn: string;
  /** boolean: the month is already paid (in the database, or by an earlier accepted row of the same batch). */
  paid: string;
  monthlyMin: string;
  monthlyMax: string;
  backPayWithinSettlementYear: string;
}

/** Months since year 0 of a 'YYYY-MM' text (SQL), as monthsBetween counts them. */
export const monthIndexOfPeriodSql = (period: string): string =>
  `(substr(${period}, 1, 4)::int * 12 + substr(${period}, 6, 2)::int - 1)`;
/** Months since year 0 of a date's month (SQL). */
export const monthIndexOfDateSql = (date: string): string =>
  `(extract(year FROM ${date})::int * 12 + extract(month FROM ${date})::int - 1)`;

export function monthlyDepositCodesSql(f: MonthlyDepositSql): string {
  const p = monthIndexOfPeriodSql(f.period);
  const d = monthIndexOfDateSql(f.paidOn);
  const o = monthIndexOfDateSql(f.openedOn);
  // settlementYearOf: a month index i (year*12 + month-1) lies in the settlement year (i - 6) / 12 (July starts it).
  return `array_remove(ARRAY[
    CASE WHEN ${f.amount} <= 0 THEN 'AMOUNT_NOT_POSITIVE' WHEN ${f.amount} < ${f.monthlyMin} THEN 'AMOUNT_BELOW_MINIMUM'
      WHEN ${f.amount} > ${f.monthlyMax} THEN 'AMOUNT_ABOVE_MAXIMUM' END,
    CASE WHEN ${p} < ${o} THEN 'PERIOD_BEFORE_OPENING' END,
    CASE WHEN ${p} > ${d} THEN 'PERIOD_IN_FUTURE' END,
    CASE WHEN ${f.paid} THEN 'MONTH_ALREADY_PAID' END,
    CASE WHEN ${p} < ${d} THEN CASE WHEN NOT ${f.backPayWithinSettlementYear} THEN 'BACK_PAYMENT_NOT_ALLOWED'
      WHEN (${p} - 6) / 12 <> (${d} - 6) / 12 THEN 'BACK_PAYMENT_OUTSIDE_SETTLEMENT_YEAR' END END
  ]::text[], NULL)`;
}

/** The SQL twin of depositKind: 'BACK_PAYMENT' when the month paid for is earlier than the month of payment. */
export function depositKindSql(period: string, paidOn: string): string {
  return `CASE WHEN ${monthIndexOfPeriodSql(period)} < ${monthIndexOfDateSql(paidOn)} THEN 'BACK_PAYMENT' ELSE 'DEPOSIT' END`;
}
