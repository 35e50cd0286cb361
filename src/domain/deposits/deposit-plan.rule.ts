/**
 * The deposit plan 缴存计划 (monthly amount, deposit day, mode, channel) and its history: a change applies from a
 * month (`effectiveFrom`), never before the month it is asked in and never to a month already paid; its amount lies
 * within the limits of the settlement year of that month. The plan in force for a month is the latest plan whose
 * effective month is not after it (the enrolment's plan takes effect in the enrolment month).
 */
import { checkBankAccount, checkDepositDay } from "../accounts/enrolment.rule";
import { isValidDate, isValidMonth, monthOf, monthsBetween } from "../calendar/calendar";
import type { MoneyValue } from "../money/money";
import type { RuleViolation } from "../rules/rule-violation";
import { checkMonthlyAmount, type DepositLimits } from "./deposit.rule";

export interface PlanRecord {
  id: bigint;
  effectiveFrom: string; // YYYY-MM-DD
}

/** The plan in force for `month`: the latest effective month not after it; within one month, the last recorded. */
export function planInForce<P extends PlanRecord>(plans: readonly P[], month: string): P | null {
  let best: P | null = null;
  for (const plan of plans) {
    const from = monthOf(plan.effectiveFrom);
    if (monthsBetween(from, month) < 0) continue;
    if (best === null) {
      best = plan;
      continue;
    }
    const order = monthsBetween(monthOf(best.effectiveFrom), from);
    if (order > 0 || (order === 0 && plan.id > best.id)) best = plan;
  }
  return best;
}

export interface PlanChangeFacts {
  monthlyAmount: MoneyValue;
  depositDay: number;
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
  bankAccount?: string | null;
  effectiveFrom: string; // YYYY-MM
  requestedOn: string;
  /** Months already paid (any source). */
  paidPeriods: ReadonlySet<string>;
}

export function checkPlanChange(f: PlanChangeFacts, limits: DepositLimits): RuleViolation[] {
  if (!isValidMonth(f.effectiveFrom))
    return [{ code: "INVALID_PERIOD", field: "effectiveFrom", message: "生效年月格式无效（应为YYYY-MM）" }];
  if (!isValidDate(f.requestedOn)) return [{ code: "INVALID_DATE", field: "requestedOn", message: "申请日期无效" }];
  const violations = [
    ...checkMonthlyAmount(f.monthlyAmount, limits, "monthlyAmount"),
    ...checkDepositDay(f.depositDay),
    ...checkBankAccount(f),
  ];
  if (monthsBetween(monthOf(f.requestedOn), f.effectiveFrom) < 0)
    violations.push({
      code: "EFFECTIVE_FROM_IN_PAST",
      field: "effectiveFrom",
      message: `缴存计划只能从申请当月（${monthOf(f.requestedOn)}）或以后月份起变更`,
    });
  const paidLater = [...f.paidPeriods].filter((p) => monthsBetween(f.effectiveFrom, p) >= 0).sort();
  if (paidLater.length > 0)
    violations.push({
      code: "MONTH_ALREADY_PAID",
      field: "effectiveFrom",
      message: `${paidLater[0]}已缴存，不能变更已缴月份的缴存计划`,
    });
  return violations;
}
