// The closed catalogue of posting kinds. Each kind decides two things, and a kind added without deciding both does
// not compile (the `satisfies Record<PostingKind, ...>` below is exhaustive):
// - its JGJ/T 320-2014 business type 业务类型 (what an agency exchange reports): 01 monthly deposit 汇缴,
//   02 back-payment 补缴, 07/08 transfer out/in, 09 interest 结息, 11 partial withdrawal 部分提取,
//   12 closing withdrawal 销户提取; 99 other 其他 where the standard has no code of its own (decision record 010);
// - the pilot metric its worker entries count in (metric-sources.ts builds its SQL from this catalogue).
//   A WITHDRAWAL-category entry counts debit minus credit, so a REVERSAL (a failed payout credited back) nets out.

export const POSTING_KINDS = [
  "DEPOSIT",
  "BACK_PAYMENT",
  "LUMP_SUM",
  "GRADUATE_SUBSIDY",
  "WITHDRAWAL",
  "EXIT_PAYOUT",
  "REVERSAL",
  "INTEREST",
  "INTEREST_SUBSIDY",
  "TRANSFER_OUT",
  "TRANSFER_IN",
  "RELATIVE_TRANSFER",
  "LEGACY_OPENING",
  "LOAN_DISBURSEMENT",
  "LOAN_REPAYMENT",
  "LOAN_OFFSET",
  "LOAN_WRITE_OFF",
] as const;
export type PostingKind = (typeof POSTING_KINDS)[number];

/** Which pilot metric a kind's worker entries count in; NONE moves only the balance. */
export type MetricCategory =
  | "DEPOSIT"
  | "WITHDRAWAL"
  | "GRADUATE_SUBSIDY"
  | "INTEREST"
  | "INTEREST_SUBSIDY"
  /** Loans disbursed (count and amount): counted from the loan receivable's entries (metric-sources.ts loanSource). */
  | "LOAN"
  | "NONE";

/** JGJ/T 320 business type codes the hub uses. */
export type BusinessType = "01" | "02" | "07" | "08" | "09" | "11" | "12" | "99";

export interface PostingKindInfo {
  businessType: BusinessType;
  metric: MetricCategory;
  /** 中文名 for staff-facing listings. */
  label: string;
}

export const POSTING_KIND_CATALOGUE = {
  DEPOSIT: { businessType: "01", metric: "DEPOSIT", label: "汇缴" },
  BACK_PAYMENT: { businessType: "02", metric: "DEPOSIT", label: "补缴" },
  // A lump sum 趸缴 pays the months it covers ahead: reported as 汇缴 of each month.
  LUMP_SUM: { businessType: "01", metric: "DEPOSIT", label: "趸缴" },
  GRADUATE_SUBSIDY: { businessType: "99", metric: "GRADUATE_SUBSIDY", label: "高校毕业生缴存补贴" },
  WITHDRAWAL: { businessType: "11", metric: "WITHDRAWAL", label: "部分提取" },
  EXIT_PAYOUT: { businessType: "12", metric: "WITHDRAWAL", label: "销户提取" },
  // Only a failed bank payout is reversed today: it nets out of the withdrawal figure. Reversing anything else needs
  // its own kind (so its metric is decided here too).
  REVERSAL: { businessType: "99", metric: "WITHDRAWAL", label: "冲正" },
  INTEREST: { businessType: "09", metric: "INTEREST", label: "结息" },
  // Paid by the fiscal budget and booked apart from fund interest, so it does not swell the 09 figure.
  INTEREST_SUBSIDY: { businessType: "99", metric: "INTEREST_SUBSIDY", label: "利息补贴" },
  TRANSFER_OUT: { businessType: "07", metric: "NONE", label: "转出" },
  TRANSFER_IN: { businessType: "08", metric: "NONE", label: "转入" },
  RELATIVE_TRANSFER: { businessType: "99", metric: "NONE", label: "亲属间转让" },
  // A pre-pilot balance brought onto the hub (migration path): no new money, not a deposit of this pilot.
  LEGACY_OPENING: { businessType: "99", metric: "NONE", label: "期初余额迁入" },
  // The loan book (decision record 016). Fund-level postings on the loan receivable; the deposit-side business types
  // of JGJ/T 320 have no loan codes of their own, so they are 99 (其他) there, except the offset, which takes the
  // worker's deposits to repay the loan: a partial withdrawal 部分提取 (11) for repaying a housing loan.
  // Their effect on the pilot metrics is counted from the loan receivable's entries (loanSource), not from workers.
  LOAN_DISBURSEMENT: { businessType: "99", metric: "LOAN", label: "贷款发放" },
  LOAN_REPAYMENT: { businessType: "99", metric: "NONE", label: "贷款还款" },
  LOAN_OFFSET: { businessType: "11", metric: "NONE", label: "冲还贷" },
  LOAN_WRITE_OFF: { businessType: "99", metric: "NONE", label: "贷款核销" },
} as const satisfies Record<PostingKind, PostingKindInfo>;

export function businessTypeOf(kind: PostingKind): BusinessType {
  return POSTING_KIND_CATALOGUE[kind].businessType;
}

/** The kinds counting in one metric category, in catalogue order. */
export function kindsInMetric(category: MetricCategory): PostingKind[] {
  return POSTING_KINDS.filter((kind) => POSTING_KIND_CATALOGUE[kind].metric === category);
}

export function isPostingKind(value: string): value is PostingKind {
  return (POSTING_KINDS as readonly string[]).includes(value);
}
