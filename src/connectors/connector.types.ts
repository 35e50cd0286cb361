/** Terms shared by every connector port. */

export interface ConnectorCallContext {
  /** Propagated to the agency as `x-request-id`. */
  requestId?: string;
}

/** The connector's circuit breaker state, for /readyz and the dashboard. */
export type ConnectorHealth = "CLOSED" | "OPEN" | "HALF_OPEN";
