/** The national HPF supervision platform 全国住房公积金监管服务平台, in domain terms. */

import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";

export type { ConnectorCallContext, ConnectorHealth } from "../connector.types";

export type DepositAccountKind = "FLEXIBLE" | "EMPLOYER";
export type NationalAccountStatus = "ACTIVE" | "SEALED" | "CLOSED";

export interface NationalPersonCheck {
  idNumber: string;
  depositAccounts: {
    centerCode: string;
    accountNumber: string;
    kind: DepositAccountKind;
    status: NationalAccountStatus;
  }[];
  loans: { centerCode: string; loanNumber: string; outstanding: boolean }[];
  /** Last day (YYYY-MM-DD) of a fraud sanction, or null. */
  fraudBanUntil: string | null;
}

export interface NationalAccountRef {
  idNumber: string;
  centerCode: string;
  accountNumber: string;
  kind: DepositAccountKind;
}

export interface NationalLoanRef {
  idNumber: string;
  centerCode: string;
  loanNumber: string;
}

/** A transfer instruction between centers; `contactLetterNo` (center code + YYMMDD + 4-digit sequence)
 *  is unique and is the idempotency key. Money as decimal strings with two decimals. */
export interface NationalTransfer {
  contactLetterNo: string;
  fromCenter: string;
  toCenter: string;
  idNumber: string;
  name: string;
  principal: string;
  interest: string;
  /** YYYY-MM */
  openedMonth: string;
  /** YYYY-MM */
  paidUpTo: string;
  lastSixMonthsContinuous: boolean;
  paidMonths: number;
  loanCount: number;
  loanOutstanding: boolean;
  fraudFlag: boolean;
}

export interface NationalTransferResult {
  status: "ACCEPTED" | "REJECTED";
  reason?: string;
}

export interface NationalPlatformPort {
  checkPerson(idNumber: string, ctx?: ConnectorCallContext): Promise<NationalPersonCheck>;
  registerAccount(account: NationalAccountRef, ctx?: ConnectorCallContext): Promise<void>;
  deregisterAccount(account: NationalAccountRef, ctx?: ConnectorCallContext): Promise<void>;
  registerLoan(loan: NationalLoanRef, ctx?: ConnectorCallContext): Promise<void>;
  settleLoan(loan: NationalLoanRef, ctx?: ConnectorCallContext): Promise<void>;
  sendTransfer(transfer: NationalTransfer, ctx?: ConnectorCallContext): Promise<NationalTransferResult>;
  health(): ConnectorHealth;
}

export type DuplicateReason = "ACTIVE_ACCOUNT_ELSEWHERE" | "FRAUD_BAN";

/**
 * Why the national check refuses an enrolment on `onDate` (YYYY-MM-DD), or null when it does not:
 * an ACTIVE deposit account of any kind in any center, the own one included (one person, one active
 * account), then a fraud ban lasting through `onDate`. `ownCenterCode` does not exempt anything; it is
 * part of the agreed signature.
 */
export function duplicateReason(
  check: NationalPersonCheck,
  onDate: string,
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  ownCenterCode = "140500",
): DuplicateReason | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(onDate)) throw new RangeError(`onDate must be YYYY-MM-DD, got ${onDate}`);
  if (check.depositAccounts.some((account) => account.status === "ACTIVE")) return "ACTIVE_ACCOUNT_ELSEWHERE";
  if (check.fraudBanUntil !== null && check.fraudBanUntil >= onDate) return "FRAUD_BAN";
  return null;
}
