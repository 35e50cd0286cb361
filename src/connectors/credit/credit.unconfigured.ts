import { ConnectorUnavailableError } from "../connector.errors";
import type { ConnectorHealth } from "../connector.types";
import { CREDIT } from "./credit.mapper";
import type { CreditPort, CreditReport } from "./credit.port";

/** The credit port of a hub started without HUB_CREDIT_URL (tools, benchmarks): every report request fails as
 *  "unavailable", so loanQuota answers CONNECTOR_UNAVAILABLE, as when the credit reference center is down. */
export class UnconfiguredCredit implements CreditPort {
  getReport(): Promise<CreditReport> {
    return Promise.reject(new ConnectorUnavailableError(CREDIT, `${CREDIT} is not configured (HUB_CREDIT_URL)`));
  }

  health(): ConnectorHealth {
    return "OPEN";
  }
}
