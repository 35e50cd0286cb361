/** The city finance bureau 财政局, which funds graduate deposit subsidies, in domain terms. */

import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";

export interface SubsidyClaim {
  claimNo: string;
  idNumber: string;
  /** The deposit month claimed, YYYY-MM. */
  period: string;
  /** Decimal string with two decimals, e.g. "100.00". */
  amount: string;
  /** YYYY-MM-DD */
  graduationDate: string;
  education: string;
}

export interface SubsidyBatchSubmission {
  /** The idempotency key, e.g. GS-202611-0001. */
  batchNo: string;
  claims: SubsidyClaim[];
}

export type FinanceBatchStatus = "RECEIVED" | "PAID" | "PARTIALLY_PAID" | "REJECTED";

export interface SubsidyClaimResult {
  claimNo: string;
  status: "PAID" | "REJECTED";
  reason: string | null;
  /** YYYY-MM-DD; always set on a PAID claim. */
  paidOn: string | null;
}

export interface FinanceBatch {
  batchNo: string;
  status: FinanceBatchStatus;
  /** Decided claims only; empty while the batch is RECEIVED. */
  results: SubsidyClaimResult[];
}

export interface FinancePort extends FiscalClaimsPort {
  /** Idempotent on batchNo: resubmitting the same batch does not create a second one. */
  submitBatch(
    batch: SubsidyBatchSubmission,
    ctx?: ConnectorCallContext,
  ): Promise<{ batchNo: string; status: FinanceBatchStatus }>;
  getBatch(batchNo: string, ctx?: ConnectorCallContext): Promise<FinanceBatch>;
  health(): ConnectorHealth;
}

/** Fiscal claims (wave 2): the yearly interest subsidy and written-off loans' risk compensation. */
export type FiscalClaimKind = "INTEREST_SUBSIDY" | "RISK_COMPENSATION";

export interface FiscalClaimItem {
  idNumber: string;
  /** The hub's reference of the item, e.g. the account number and settlement year. */
  reference: string;
  /** Decimal string with two decimals. */
  amount: string;
}

export interface FiscalClaimSubmission {
  /** The idempotency key, e.g. IS-2026-0001. */
  claimNo: string;
  kind: FiscalClaimKind;
  items: FiscalClaimItem[];
}

export type FiscalClaimStatus = "RECEIVED" | "PAID" | "REJECTED";

export interface FiscalClaim {
  claimNo: string;
  status: FiscalClaimStatus;
  /** YYYY-MM-DD; set once PAID. */
  paidOn: string | null;
}

export interface FiscalClaimsPort {
  /** Idempotent on claimNo. */
  submitFiscalClaim(
    claim: FiscalClaimSubmission,
    ctx?: ConnectorCallContext,
  ): Promise<{ claimNo: string; status: FiscalClaimStatus }>;
  getFiscalClaim(claimNo: string, ctx?: ConnectorCallContext): Promise<FiscalClaim>;
}
