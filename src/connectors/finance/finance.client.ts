import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";
import { type ConnectorClientOptions, ResilientHttpClient } from "../http/resilient-http.client";
import { FINANCE, toFinanceBatch, toSubmitAnswer } from "./finance.mapper";
import type {
  FinanceBatch,
  FinanceBatchStatus,
  FinancePort,
  FiscalClaim,
  FiscalClaimStatus,
  FiscalClaimSubmission,
  SubsidyBatchSubmission,
} from "./finance.port";
import { toFiscalClaim, toFiscalClaimSubmitAnswer } from "./fiscal-claim.mapper";

const BATCHES = "/v1/graduate-subsidy/batches";
const FISCAL_CLAIMS = "/v1/fiscal-claims";

/** HTTP client of the finance bureau. Submission is idempotent on batchNo and reads are reads: both retry. */
export class FinanceClient implements FinancePort {
  private readonly http: ResilientHttpClient;

  constructor(options: ConnectorClientOptions) {
    this.http = new ResilientHttpClient({ ...options, name: FINANCE });
  }

  submitBatch(
    batch: SubsidyBatchSubmission,
    ctx?: ConnectorCallContext,
  ): Promise<{ batchNo: string; status: FinanceBatchStatus }> {
    const claims = batch.claims.map((c) => ({
      claimNo: c.claimNo,
      idNumber: c.idNumber,
      period: c.period,
      amount: c.amount,
      graduationDate: c.graduationDate,
      education: c.education,
    }));
    return this.http.request({
      method: "POST",
      path: BATCHES,
      body: { batchNo: batch.batchNo, claims },
      idempotent: true,
      requestId: ctx?.requestId,
      parse: (raw) => toSubmitAnswer(raw, batch.batchNo),
    });
  }

  getBatch(batchNo: string, ctx?: ConnectorCallContext): Promise<FinanceBatch> {
    return this.http.request({
      method: "GET",
      path: `${BATCHES}/${encodeURIComponent(batchNo)}`,
      idempotent: true,
      requestId: ctx?.requestId,
      parse: (raw) => toFinanceBatch(raw, batchNo),
    });
  }

  submitFiscalClaim(
    claim: FiscalClaimSubmission,
    ctx?: ConnectorCallContext,
  ): Promise<{ claimNo: string; status: FiscalClaimStatus }> {
    const items = claim.items.map((i) => ({ idNumber: i.idNumber, reference: i.reference, amount: i.amount }));
    return this.http.request({
      method: "POST",
      path: FISCAL_CLAIMS,
      body: { claimNo: claim.claimNo, kind: claim.kind, items },
      idempotent: true,
      requestId: ctx?.requestId,
      parse: (raw) => toFiscalClaimSubmitAnswer(raw, claim.claimNo),
    });
  }

  getFiscalClaim(claimNo: string, ctx?: ConnectorCallContext): Promise<FiscalClaim> {
    return this.http.request({
      method: "GET",
      path: `${FISCAL_CLAIMS}/${encodeURIComponent(claimNo)}`,
      idempotent: true,
      requestId: ctx?.requestId,
      parse: (raw) => toFiscalClaim(raw, claimNo),
    });
  }

  health(): ConnectorHealth {
    return this.http.breakerState();
  }
}
