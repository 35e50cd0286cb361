import { ConnectorUnavailableError } from "../connector.errors";
import type { ConnectorHealth } from "../connector.types";
import { FINANCE } from "./finance.mapper";
import type { FinanceBatch, FinanceBatchStatus, FinancePort, FiscalClaim, FiscalClaimStatus } from "./finance.port";

/** The finance port of a hub started without HUB_FINANCE_URL (tools, benchmarks): every call fails as
 *  "unavailable", so claims stay CLAIMED and settlements answer CONNECTOR_UNAVAILABLE, as when finance is down. */
export class UnconfiguredFinance implements FinancePort {
  submitBatch(): Promise<{ batchNo: string; status: FinanceBatchStatus }> {
    return Promise.reject(new ConnectorUnavailableError(FINANCE, `${FINANCE} is not configured (HUB_FINANCE_URL)`));
  }

  getBatch(): Promise<FinanceBatch> {
    return Promise.reject(new ConnectorUnavailableError(FINANCE, `${FINANCE} is not configured (HUB_FINANCE_URL)`));
  }

  submitFiscalClaim(): Promise<{ claimNo: string; status: FiscalClaimStatus }> {
    return Promise.reject(new ConnectorUnavailableError(FINANCE, `${FINANCE} is not configured (HUB_FINANCE_URL)`));
  }

  getFiscalClaim(): Promise<FiscalClaim> {
    return Promise.reject(new ConnectorUnavailableError(FINANCE, `${FINANCE} is not configured (HUB_FINANCE_URL)`));
  }

  health(): ConnectorHealth {
    return "OPEN";
  }
}
