// The words of the loan book, owned by the domain (decision 010: src/domain owns vocabulary, the GraphQL layer only
// registers it, src/schema/loans/loan.types.ts). Each is a frozen object of its values and the union type of the
// same name, so the rules and the services use the words as plain strings (what the database stores) and
// type-graphql registers the object as the contract's enum, with the same names and values.

/** A loan's life: 已审批待发放 (in application) -> 已发放 (outstanding) -> 已结清 | 已核销. */
export const LoanStatus = {
  APPROVED: "APPROVED",
  DISBURSED: "DISBURSED",
  SETTLED: "SETTLED",
  WRITTEN_OFF: "WRITTEN_OFF",
} as const;
export type LoanStatus = (typeof LoanStatus)[keyof typeof LoanStatus];

/** 等额本息 / 等额本金. */
export const RepaymentMethod = {
  EQUAL_INSTALMENT: "EQUAL_INSTALMENT",
  EQUAL_PRINCIPAL: "EQUAL_PRINCIPAL",
} as const;
export type RepaymentMethod = (typeof RepaymentMethod)[keyof typeof RepaymentMethod];

/** 待还 / 已还 / 逾期. */
export const InstalmentStatus = {
  DUE: "DUE",
  PAID: "PAID",
  OVERDUE: "OVERDUE",
} as const;
export type InstalmentStatus = (typeof InstalmentStatus)[keyof typeof InstalmentStatus];

/** The flexible pool's 个贷率 below the warning threshold, from it, from the alarm threshold. */
export const LiquidityLevel = {
  NORMAL: "NORMAL",
  WARNING: "WARNING",
  ALARM: "ALARM",
} as const;
export type LiquidityLevel = (typeof LiquidityLevel)[keyof typeof LiquidityLevel];

/** In application: approved, not yet disbursed (the loan book has no earlier "applied" state: an application is
 *  decided at once, and a refused one is no loan, only a refused loan_application row). */
export const LOAN_IN_APPLICATION: readonly LoanStatus[] = [LoanStatus.APPROVED];
/** Outstanding: disbursed and neither settled nor written off. */
export const LOAN_OUTSTANDING: readonly LoanStatus[] = [LoanStatus.DISBURSED];
/** Open: in application or outstanding. One at a time per person; refuses withdrawals and exits (issue 7: "a loan
 *  is outstanding or applied for"). A settled or written-off loan is closed. */
export const OPEN_LOAN_STATUSES: readonly LoanStatus[] = [...LOAN_IN_APPLICATION, ...LOAN_OUTSTANDING];
