/**
 * Withdrawal and exit 支持灵活提取 (domain.md, Withdrawal and exit).
 *
 * - With no loan outstanding and none in application, any part of the balance may be withdrawn, any time,
 *   any number of times; while a loan is outstanding nothing is withdrawable (the balance only repays it).
 * - Subsidies (graduate, interest subsidy) are part of the balance but become withdrawable only
 *   `subsidyHoldingMonths` after they were credited (0 = at once, the default).
 * - The account-state rules (domain/accounts/account-state.rule.ts: mayWithdraw, mayExit) decide loan, status and ban.
 */
import { mayExit, mayWithdraw, type MoneyOutFacts } from "../accounts/account-state.rule";
import { addMonthsToDate, compareDates } from "../calendar/calendar";
import { OPEN_LOAN_STATUSES } from "../loans/loan-vocabulary";
import { type MoneyValue, ZERO } from "../money/money";
import type { RuleViolation } from "../rules/rule-violation";

/** The loan statuses during which the balance may not be withdrawn: in application (APPROVED) or outstanding
 *  (DISBURSED), the loan book's own words (loan-vocabulary.ts). */
const BLOCKING_LOAN_STATUSES: ReadonlySet<string> = new Set<string>(OPEN_LOAN_STATUSES);

/** Whether any of the person's loans is outstanding or in application (the person's loan statuses). */
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

/** The refusal of a withdrawal of `amount`: malformed amount, then the account-state rule (loan, status, ban), then
 *  the withdrawable balance; null when it may go ahead. */
export function withdrawalRefusal(
  amount: MoneyValue,
  facts: MoneyOutFacts & { withdrawable: MoneyValue },
): RuleViolation | null {
  if (!amount.isFinite() || amount.lessThanOrEqualTo(0) || amount.decimalPlaces() > 2)
    return { code: "INVALID_AMOUNT", field: "amount", message: "提取金额须为大于 0、最多两位小数的金额" };
  const refused = mayWithdraw(facts);
  if (refused) return refused;
  if (amount.greaterThan(facts.withdrawable))
    return { code: "EXCEEDS_WITHDRAWABLE", field: "amount", message: "提取金额超过可提取余额" };
  return null;
}

/** The refusal of an exit: the account-state rule (the whole balance is paid out, so no holding period applies). */
export function exitRefusal(facts: MoneyOutFacts): RuleViolation | null {
  return mayExit(facts);
}
