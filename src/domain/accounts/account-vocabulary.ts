// The words an account is described with, owned by the domain (the GraphQL layer only registers them).
// JGJ/T 320-2014 (住房公积金基础数据标准) codes are given where an agency exchange expects them.

export enum AccountKind {
  FLEXIBLE = "FLEXIBLE",
  EMPLOYER = "EMPLOYER",
}

export enum AccountStatus {
  ACTIVE = "ACTIVE",
  SEALED = "SEALED",
  CLOSED = "CLOSED",
  FROZEN = "FROZEN",
}

/** Why a CLOSED account was closed: JGJ/T 320 gives each its own status code. */
export enum AccountClosure {
  MERGED = "MERGED",
  TRANSFERRED_OUT = "TRANSFERRED_OUT",
  WITHDRAWN = "WITHDRAWN",
}

/** JGJ/T 320 account status codes: 01 normal, 02 sealed 封存, 06 frozen; CLOSED takes its closure's code. */
export const ACCOUNT_STATUS_CODES = {
  ACTIVE: "01",
  SEALED: "02",
  FROZEN: "06",
} as const satisfies Record<Exclude<AccountStatus, AccountStatus.CLOSED>, string>;

/** 03 closed by merge 合并销户, 04 closed by transfer-out 转出销户, 05 closed by withdrawal 提取销户 (exit). */
export const ACCOUNT_CLOSURE_CODES = {
  MERGED: "03",
  TRANSFERRED_OUT: "04",
  WITHDRAWN: "05",
} as const satisfies Record<AccountClosure, string>;

/** The JGJ/T 320 status code of an account; a CLOSED account needs its closure. */
export function accountStatusCode(status: AccountStatus, closure?: AccountClosure | null): string {
  if (status !== AccountStatus.CLOSED) return ACCOUNT_STATUS_CODES[status];
  if (!closure) throw new RangeError("a CLOSED account's status code depends on how it was closed");
  return ACCOUNT_CLOSURE_CODES[closure];
}

export enum EmploymentForm {
  SELF_EMPLOYED = "SELF_EMPLOYED",
  PART_TIME = "PART_TIME",
  NEW_FORM = "NEW_FORM",
}

export enum Education {
  NONE = "NONE",
  VOCATIONAL = "VOCATIONAL",
  BACHELOR = "BACHELOR",
  MASTER = "MASTER",
  DOCTOR = "DOCTOR",
}

export enum DepositMode {
  MONTHLY = "MONTHLY",
  LUMP_SUM = "LUMP_SUM",
}

export enum PaymentChannel {
  BANK_COLLECTION = "BANK_COLLECTION",
  ACTIVE_PAYMENT = "ACTIVE_PAYMENT",
}

/** What the receiver of a transfer of deposit rights 亲属间转让 is to the giver: spouse, parent or child. */
export enum Relation {
  SPOUSE = "SPOUSE",
  PARENT = "PARENT",
  CHILD = "CHILD",
}
