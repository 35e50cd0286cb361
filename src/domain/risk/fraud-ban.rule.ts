/**
 * Fraud sanctions 骗提骗贷惩戒 (domain.md "Risk control"): the one place that decides how long a ban lasts, whether it
 * is in force on a date, and which actions it blocks.
 *
 * - `until` = decision date + the years of its kind (risk.fraudWithdrawalBanYears 3, risk.fraudLoanBanYears 5, the
 *   values in force on the decision date), the same day that many years later (29 February -> 28 February).
 * - A ban is in force on dates before `until` (on `until` itself it has ended), and from its decision date on.
 * - WITHDRAWAL_FRAUD blocks withdrawals, exits and transfers (money out; a transfer must not carry the balance away
 *   from the ban) and loans (domain.md: "a fraudulent withdrawal bans withdrawals and loans").
 * - LOAN_FRAUD blocks loans only: domain.md gives the loan ban no withdrawal clause and names only the withdrawal-fraud
 *   ban for money out ("During a withdrawal-fraud ban, withdrawals and exits are refused with BANNED"); while a loan
 *   is outstanding the balance is held for it by the loan rule anyway (docs/decisions/017).
 * - Housing support (rental priority, deposit waiver) is refused under any ban in force ("no fraud ban").
 */
import { addDays, addMonthsToDate, compareDates } from "../calendar/calendar";

export enum BanKind {
  WITHDRAWAL_FRAUD = "WITHDRAWAL_FRAUD",
  LOAN_FRAUD = "LOAN_FRAUD",
}
export const BAN_KINDS: readonly string[] = Object.values(BanKind);

/** Where the hub learnt of a ban: the center's own decision, the national platform, or a transfer's fraud flag. */
export const BAN_SOURCES = ["CENTER", "NATIONAL", "TRANSFER"] as const;
export type BanSource = (typeof BAN_SOURCES)[number];

/** What a ban can block. */
export type BannedAction = "WITHDRAW" | "EXIT" | "TRANSFER" | "BORROW" | "HOUSING_SUPPORT";

export interface BanYears {
  withdrawalFraud: number;
  loanFraud: number;
}

export interface BanPeriod {
  kind: BanKind | string;
  /** YYYY-MM-DD */
  decidedOn: string;
  /** YYYY-MM-DD, the first day the ban no longer applies. */
  until: string;
}

const BLOCKS: Record<BanKind, ReadonlySet<BannedAction>> = {
  [BanKind.WITHDRAWAL_FRAUD]: new Set(["WITHDRAW", "EXIT", "TRANSFER", "BORROW", "HOUSING_SUPPORT"]),
  [BanKind.LOAN_FRAUD]: new Set(["BORROW", "HOUSING_SUPPORT"]),
};

export function isBanKind(kind: string): kind is BanKind {
  return BAN_KINDS.includes(kind);
}

/** The day a ban of `kind` decided on `decidedOn` ends (the first day it no longer applies). */
export function banUntil(kind: BanKind, decidedOn: string, years: BanYears): string {
  const n = kind === BanKind.WITHDRAWAL_FRAUD ? years.withdrawalFraud : years.loanFraud;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ban years must be a positive integer, got ${n}`);
  return addMonthsToDate(decidedOn, n * 12);
}

/** In force on `on`: decided on or before it, and `on` before `until`. */
export function banInForce(ban: BanPeriod, on: string): boolean {
  return compareDates(ban.decidedOn, on) <= 0 && compareDates(on, ban.until) < 0;
}

/** Whether a ban of this kind blocks the action (an unknown kind blocks everything: the safe reading). */
export function banBlocks(kind: BanKind | string, action: BannedAction): boolean {
  return isBanKind(kind) ? BLOCKS[kind].has(action) : true;
}

/** Whether any of the bans is in force on `on` and blocks `action`. */
export function actionBanned(bans: readonly BanPeriod[], action: BannedAction, on: string): boolean {
  return bans.some((ban) => banBlocks(ban.kind, action) && banInForce(ban, on));
}

/**
 * The national platform reports a sanction's last day (`fraudBanUntil`, inclusive: connectors.md, and the enrolment
 * check refuses on that day); the hub's `until` is the first day after it.
 */
export function untilFromLastDay(lastDay: string): string {
  return addDays(lastDay, 1);
}
