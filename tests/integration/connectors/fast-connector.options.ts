import type { ConnectorClientOptions } from "../../../src/connectors/http/resilient-http.client";

/** Client options that keep the connector suite fast: tiny backoff, a breaker that opens after 3 failures and
 *  half-opens after 300 ms. The timeout is generous enough for an in-process simulator on a loaded machine; the
 *  simulators' 'slow' mode waits SLOW_MS, i.e. never answers before the client gives up and hangs up. */
export const SLOW_MS = 60_000;
export const TIMEOUT_MS = 1500;
export const RESET_AFTER_MS = 300;

export function fastOptions(baseUrl: string, overrides: Partial<ConnectorClientOptions> = {}): ConnectorClientOptions {
  return {
    baseUrl,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 2,
    retryBaseMs: 10,
    maxRetryAfterMs: 20,
    breaker: { failureThreshold: 3, resetAfterMs: RESET_AFTER_MS },
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
