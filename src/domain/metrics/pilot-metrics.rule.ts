// Rules of the leadership group's pilot metrics that hold without I/O: which windows may be asked for,
// the loan-to-deposit ratio 个贷率 and its rounding, and the employment forms every answer lists.
import Decimal from "decimal.js";

import { monthsBetween } from "../calendar/calendar";
import { Money, type MoneyValue } from "../money/money";

/** The longest window one request may ask for (ten years of months). */
export const MAX_WINDOW_MONTHS = 120;

/** The employment forms of the pilot (个体经营 / 非全日制 / 新业态), listed in every answer even when zero. */
export const EMPLOYMENT_FORMS = ["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"] as const;

const COUNTY_CODE = /^\d{6}$/;

/** Why a window [from, to] of YYYY-MM months cannot be answered, or null when it can. */
export function metricsWindowProblem(from: string, to: string): { field: string; message: string } | null {
  if (monthsBetween(from, to) < 0) return { field: "from", message: "起始月份不能晚于截止月份 (from is after to)" };
  if (monthsBetween(from, to) + 1 > MAX_WINDOW_MONTHS) {
    return {
      field: "to",
      message: `统计区间不能超过 ${MAX_WINDOW_MONTHS} 个月 (window longer than ${MAX_WINDOW_MONTHS} months)`,
    };
  }
  return null;
}

export function isCountyCode(code: string): boolean {
  return COUNTY_CODE.test(code);
}

/** Outstanding loans ÷ deposit balances of the flexible pool, half-up to 4 decimals; "0.0000" with no deposits. */
export function loanToDepositRatio(outstandingLoans: MoneyValue, depositBalance: MoneyValue): string {
  if (!depositBalance.greaterThan(0)) return "0.0000";
  return new Money(outstandingLoans).dividedBy(depositBalance).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}
