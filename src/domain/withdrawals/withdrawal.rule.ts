/**
 * Withdrawal and exit 支持灵活提取 (domain.md, Withdrawal and exit).
 *
 * - With no loan outstanding and none in application, any part of the balance may be withdrawn, any time,
 *   any number of times; while a loan is outstanding nothing is withdrawable (the balance only repays it).
 * - Subsidies (graduate, interest subsidy) are part of the balance but become withdrawable only
 *   `subsidyHoldingMonths` after they were credited (0 = at once, the default).
 * - Withdrawals and exits need an ACTIVE or SEALED account and no withdrawal-fraud ban in force (BANNED).
 */
import { addMonthsToDate, compareDates } from "../calendar/calendar";
import { type MoneyValue, ZERO } from "../money/money";

/** The loan statuses during which the balance may not be withdrawn: applied for (approved) or disbursed. */
const BLOCKING_LOAN_STATUSES: ReadonlySet<string> = new Set(["APPLIED", "APPROVED", "DISBURSED"]);

/** Whether any of the person's loans is outstanding or in application. No loan book yet: callers pass []. */
export function hasOutstandingLoan(loans: readonly { status: string }[]): boolean {
  return loans.some((loan) => BLOCKING_LOAN_STATUSES.has(loan.status));
}

export interface SubsidyCredit {
  on: string;
  amount: MoneyValue;
}

export interface WithdrawableFacts {
  balance: MoneyValue;
  /** Every subsidy credited to the account (graduate and interest subsidy). */
  subsidyCredits: readonly SubsidyCredit[];
  loanOutstanding: boolean;
}

/** Subsidies still within their holding period on `asOf`. */
export function heldSubsidies(credits: readonly SubsidyCredit[], holdingMonths: number, asOf: string): MoneyValue {
  return credits
    .filter((c) => compareDates(asOf, addMonthsToDate(c.on, holdingMonths)) < 0)
    .reduce((sum, c) => sum.plus(c.amount), ZERO);
}

export function withdrawableBalance(facts: WithdrawableFacts, holdingMonths: number, asOf: string): MoneyValue {
  if (facts.loanOutstanding) return ZERO;
  const free = facts.balance.minus(heldSubsidies(facts.subsidyCredits, holdingMonths, asOf));
  return free.isNegative() ? ZERO : free;
}

export type WithdrawalRefusal =
  | "INVALID_AMOUNT"
  | "LOAN_OUTSTANDING"
  | "ACCOUNT_NOT_WITHDRAWABLE"
  | "BANNED"
  | "EXCEEDS_WITHDRAWABLE"
  | "NOTHING_TO_PAY";

export interface MoneyOutFacts {
  status: string;
  loanOutstanding: boolean;
  /** A withdrawal-fraud ban in force on the request date. */
  banned: boolean;
}

const PAYABLE_STATUSES: ReadonlySet<string> = new Set(["ACTIVE", "SEALED"]);

function moneyOutRefusal(facts: MoneyOutFacts): WithdrawalRefusal | null {
  if (facts.loanOutstanding) return "LOAN_OUTSTANDING";
  if (!PAYABLE_STATUSES.has(facts.status)) return "ACCOUNT_NOT_WITHDRAWABLE";
  if (facts.banned) return "BANNED";
  return null;
}

/** The reasons a withdrawal of `amount` is refused, in the order they are checked (first wins). */
export function withdrawalRefusal(
  amount: MoneyValue,
  facts: MoneyOutFacts & { withdrawable: MoneyValue },
): WithdrawalRefusal | null {
  if (!amount.isFinite() || amount.lessThanOrEqualTo(0) || amount.decimalPlaces() > 2) return "INVALID_AMOUNT";
  const refused = moneyOutRefusal(facts);
  if (refused) return refused;
  return amount.greaterThan(facts.withdrawable) ? "EXCEEDS_WITHDRAWABLE" : null;
}

/** The reason an exit is refused (the whole balance is paid out, so the holding period does not apply). */
export function exitRefusal(facts: MoneyOutFacts): WithdrawalRefusal | null {
  return moneyOutRefusal(facts);
}

/** 中文 messages for the refusals, shown beside their codes. */
export const WITHDRAWAL_MESSAGES: Readonly<Record<WithdrawalRefusal, string>> = {
  INVALID_AMOUNT: "提取金额须为大于 0、最多两位小数的金额",
  LOAN_OUTSTANDING: "有未结清或申请中的住房公积金贷款，余额只能用于还贷，不能提取或退出",
  ACCOUNT_NOT_WITHDRAWABLE: "账户不是正常或封存状态，不能提取",
  BANNED: "因骗提处罚在禁止期内，不能提取或退出",
  EXCEEDS_WITHDRAWABLE: "提取金额超过可提取余额",
  NOTHING_TO_PAY: "账户余额为零，无可支付金额",
};
