import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";
import { type ConnectorClientOptions, ResilientHttpClient } from "../http/resilient-http.client";
import { CREDIT, toCreditReport } from "./credit.mapper";
import type { CreditPort, CreditReport } from "./credit.port";

/** HTTP client of the credit reference center. A report request is a read: retried. */
export class CreditClient implements CreditPort {
  private readonly http: ResilientHttpClient;

  constructor(options: ConnectorClientOptions) {
    this.http = new ResilientHttpClient({ ...options, name: CREDIT });
  }

  getReport(idNumber: string, ctx?: ConnectorCallContext): Promise<CreditReport> {
    return this.http.request({
      method: "POST",
      path: "/v1/credit/report",
      body: { idNumber, purpose: "HPF_LOAN" },
      idempotent: true,
      requestId: ctx?.requestId,
      parse: (raw) => toCreditReport(raw, idNumber),
    });
  }

  health(): ConnectorHealth {
    return this.http.breakerState();
  }
}
