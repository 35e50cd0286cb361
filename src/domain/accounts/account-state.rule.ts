/**
 * What an account's state allows: one rule per action, the only place that decides it. Each rule takes the facts
 * it needs and returns the first refusal (a stable code and a message for fund-center staff) or null.
 *
 * - deposit: an ACTIVE account; an employer-based one receives the employer's remittances 汇缴 on the same account
 *   (conversion keeps one personal account, decision record 013). A lump sum 趸缴 is for flexible accounts only.
 * - withdraw: no loan outstanding or in application, the account ACTIVE or SEALED (a sealed account's money is
 *   still the worker's), no withdrawal ban in force (BANNED).
 * - exit (end the agreement): an ACTIVE FLEXIBLE account (only it has an agreement to end), no loan outstanding or
 *   in application (the balance can only repay the loan), no withdrawal ban in force (domain.md: withdrawals and
 *   exits are refused with BANNED).
 * - borrow: an ACTIVE account, no loan outstanding or in application (one loan at a time), no ban in force.
 * - transfer (to a relative, or out of the city): no loan outstanding or in application, the account ACTIVE or
 *   SEALED, no withdrawal ban in force (moving the balance away must not get round the ban).
 * A loan in application counts as outstanding for money out (domain.md: "with no loan outstanding (and none in
 * application)").
 */
import type { RuleViolation } from "../rules/rule-violation";
import { AccountKind, AccountStatus } from "./account-vocabulary";

export interface AccountStateFacts {
  kind: AccountKind | string;
  status: AccountStatus | string;
}

export interface MoneyOutFacts extends AccountStateFacts {
  hasOutstandingLoan: boolean;
  loanInApplication: boolean;
  /** A ban covering this action is in force on the action's date (withdrawal ban for money out, any ban for loans). */
  banInForce: boolean;
}

const refuse = (code: string, message: string): RuleViolation => ({ code, field: "accountNumber", message });

const NOT_ACTIVE = (action: string) => refuse("ACCOUNT_NOT_ACTIVE", `账户不是正常状态，不能${action}`);
const NOT_OPEN = (action: string) => refuse("ACCOUNT_NOT_ACTIVE", `账户已销户或冻结，不能${action}`);
const LOAN = (action: string) => refuse("LOAN_OUTSTANDING", `有未结清或在审批中的贷款，不能${action}`);
const BANNED = (action: string) => refuse("BANNED", `处于骗提骗贷惩戒期内，不能${action}`);

/** ACTIVE or SEALED: the account holds the worker's money and may pay it out. */
const isOpen = (status: string): boolean => status === AccountStatus.ACTIVE || status === AccountStatus.SEALED;

export function mayDeposit(f: AccountStateFacts): RuleViolation | null {
  if (f.status !== AccountStatus.ACTIVE) return NOT_ACTIVE("缴存");
  return null;
}

/** The SQL twin of mayDeposit for set-based imports (decision 028): its code, or NULL (`status` is an SQL expression). */
export function mayDepositSql(status: string): string {
  return `CASE WHEN ${status} IS DISTINCT FROM '${AccountStatus.ACTIVE}' THEN 'ACCOUNT_NOT_ACTIVE' END`;
}

export function mayPayLumpSum(f: AccountStateFacts): RuleViolation | null {
  const refused = mayDeposit(f);
  if (refused) return refused;
  if (f.kind !== AccountKind.FLEXIBLE) return refuse("NOT_FLEXIBLE_ACCOUNT", "单位缴存账户由单位按月汇缴，不能趸缴");
  return null;
}

export function mayWithdraw(f: MoneyOutFacts): RuleViolation | null {
  if (f.hasOutstandingLoan || f.loanInApplication) return LOAN("提取");
  if (!isOpen(f.status)) return NOT_OPEN("提取");
  if (f.banInForce) return BANNED("提取");
  return null;
}

export function mayExit(f: MoneyOutFacts): RuleViolation | null {
  if (f.hasOutstandingLoan || f.loanInApplication) return LOAN("退出");
  if (f.status !== AccountStatus.ACTIVE) return NOT_ACTIVE("退出");
  if (f.kind !== AccountKind.FLEXIBLE)
    return refuse("NOT_FLEXIBLE_ACCOUNT", "单位缴存账户没有灵活就业缴存协议，不能退出");
  if (f.banInForce) return BANNED("退出");
  return null;
}

export function mayBorrow(f: MoneyOutFacts): RuleViolation | null {
  if (f.status !== AccountStatus.ACTIVE) return NOT_ACTIVE("申请贷款");
  if (f.hasOutstandingLoan || f.loanInApplication) return LOAN("再申请贷款");
  if (f.banInForce) return BANNED("申请贷款");
  return null;
}

export function mayTransfer(f: MoneyOutFacts): RuleViolation | null {
  if (f.hasOutstandingLoan || f.loanInApplication) return LOAN("转移");
  if (!isOpen(f.status)) return NOT_OPEN("转移");
  if (f.banInForce) return BANNED("转移");
  return null;
}
