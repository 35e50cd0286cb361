import type { ConnectorClientOptions } from "../../../src/connectors/http/resilient-http.client";

/** Client options that keep the connector suite fast: short timeout, tiny backoff, a breaker that
 *  opens after 3 failures and half-opens after 300 ms. The simulators' 'slow' mode waits SLOW_MS. */
export const SLOW_MS = 1000;
export const RESET_AFTER_MS = 300;

export function fastOptions(baseUrl: string, overrides: Partial<ConnectorClientOptions> = {}): ConnectorClientOptions {
  return {
    baseUrl,
    timeoutMs: 200,
    maxRetries: 2,
    retryBaseMs: 10,
    maxRetryAfterMs: 20,
    breaker: { failureThreshold: 3, resetAfterMs: RESET_AFTER_MS },
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
