/** Terms shared by every connector port. */

export interface ConnectorCallContext {
  /** Propagated to the agency as `x-request-id`. */
  requestId?: string;
  /** Whose request makes this call (absent: the hub's own work). Not sent to the agency: the hub's outbound exchange
   *  record names this requester (services/audit/outbound-exchange.ts). */
  requester?: { role: string; org: string; sub: string };
}

/** The connector's circuit breaker state, for /readyz and the dashboard. */
export type ConnectorHealth = "CLOSED" | "OPEN" | "HALF_OPEN";
