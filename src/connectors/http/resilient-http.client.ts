import { randomUUID } from "node:crypto";

import pino from "pino";

import { ConnectorResponseError, ConnectorUnavailableError } from "../connector.errors";
import { type BreakerPermit, type BreakerState, CircuitBreaker } from "./circuit-breaker";

export type { BreakerState } from "./circuit-breaker";

export interface ResilientHttpClientOptions {
  /** Connector name, used in errors and logs (`national-platform`). */
  name: string;
  baseUrl: string;
  /** Per attempt, headers and body included. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls. */
  maxRetries?: number;
  /** First backoff step; doubles per retry, with jitter. */
  retryBaseMs?: number;
  /** Upper bound on a server's `Retry-After` wait. */
  maxRetryAfterMs?: number;
  breaker?: { failureThreshold?: number; resetAfterMs?: number };
  logger?: pino.Logger;
}

/** What a connector client takes: the transport options, its name fixed by the client. */
export type ConnectorClientOptions = Omit<ResilientHttpClientOptions, "name">;

export interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  /** Only idempotent calls are retried. */
  idempotent: boolean;
  requestId?: string;
}

type Attempt<T> =
  | { ok: true; value: T }
  | { ok: false; error: ConnectorUnavailableError; retryable: boolean; serverHealthy: boolean; retryAfterMs?: number };

const HUB_CENTER_CODE = "140500";
const silentLogger = pino({ level: "silent" });

/**
 * Transport to one agency: timeout per attempt, retries with jittered exponential backoff for idempotent
 * calls (network error, timeout, 5xx, 429; `Retry-After` honoured on 429/503), a circuit breaker per
 * instance, one debug log line per attempt without bodies. Every failure is a ConnectorUnavailableError.
 */
export class ResilientHttpClient {
  readonly name: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly breaker: CircuitBreaker;
  private readonly logger: pino.Logger;

  constructor(options: ResilientHttpClientOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 2000;
    this.breaker = new CircuitBreaker(options.breaker?.failureThreshold ?? 5, options.breaker?.resetAfterMs ?? 10_000);
    this.logger = (options.logger ?? silentLogger).child({ connector: options.name });
  }

  breakerState(): BreakerState {
    return this.breaker.state();
  }

  /** Sends the call and returns the parsed JSON answer; with `parse`, the answer validated by it.
   *  A `parse` failure counts against the breaker and is never retried. */
  request<T>(req: HttpRequest & { parse: (raw: unknown) => T }): Promise<T>;
  request(req: HttpRequest): Promise<unknown>;
  async request<T>(req: HttpRequest & { parse?: (raw: unknown) => T }): Promise<T | unknown> {
    const requestId = req.requestId ?? randomUUID();
    const attempts = req.idempotent ? this.maxRetries + 1 : 1;
    let lastError: ConnectorUnavailableError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const permit = this.breaker.tryAcquire();
      if (permit === null) {
        throw lastError ?? new ConnectorUnavailableError(this.name, `${this.name} circuit breaker is open`);
      }
      const outcome = await this.attempt(req, requestId, attempt, permit);
      if (outcome.ok) return outcome.value;
      lastError = outcome.error;
      if (!outcome.retryable || attempt === attempts) break;
      await sleep(this.backoffMs(attempt, outcome.retryAfterMs));
    }
    throw lastError;
  }

  private async attempt<T>(
    req: HttpRequest & { parse?: (raw: unknown) => T },
    requestId: string,
    attempt: number,
    permit: BreakerPermit,
  ): Promise<Attempt<T | unknown>> {
    const started = performance.now();
    let status: number | undefined;
    let outcome: Attempt<T | unknown>;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await fetch(`${this.baseUrl}${req.path}`, {
        method: req.method,
        headers: { "content-type": "application/json", "x-request-id": requestId, "x-hub-center": HUB_CENTER_CODE },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
      status = response.status;
      const text = await response.text();
      outcome = response.ok ? { ok: true, value: this.decode(text, req.parse) } : this.httpFailure(req, response);
    } catch (err) {
      outcome = this.thrownFailure(req, err, signal.aborted);
    }
    if (outcome.ok || outcome.serverHealthy) this.breaker.onSuccess(permit);
    else this.breaker.onFailure(permit);
    const ms = Math.round(performance.now() - started);
    const error = outcome.ok ? undefined : outcome.error.message;
    this.logger.debug({ method: req.method, path: req.path, status, ms, attempt, requestId, error }, "connector call");
    return outcome;
  }

  private decode<T>(text: string, parse: ((raw: unknown) => T) | undefined): T | unknown {
    let raw: unknown;
    try {
      raw = text === "" ? null : JSON.parse(text);
    } catch {
      throw new ConnectorResponseError(this.name, `${this.name} answered with a body that is not JSON`);
    }
    if (parse === undefined) return raw;
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof ConnectorResponseError) throw err;
      throw new ConnectorResponseError(this.name, `${this.name} answer was refused by its mapper`);
    }
  }

  private httpFailure(req: HttpRequest, response: Response): Attempt<never> {
    const status = response.status;
    const retryable = status >= 500 || status === 429;
    const error = new ConnectorUnavailableError(
      this.name,
      `${this.name} answered HTTP ${status} to ${req.method} ${req.path}`,
      { status },
    );
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfterMs(response.headers.get("retry-after")) : undefined;
    // A 4xx other than 429 comes from a server that works: it does not count against the breaker.
    return { ok: false, error, retryable, serverHealthy: !retryable, retryAfterMs };
  }

  private thrownFailure(req: HttpRequest, err: unknown, timedOut: boolean): Attempt<never> {
    if (err instanceof ConnectorResponseError) {
      return { ok: false, error: err, retryable: false, serverHealthy: false };
    }
    const message = timedOut
      ? `${this.name} did not answer ${req.method} ${req.path} within ${this.timeoutMs} ms`
      : `${this.name} could not be reached for ${req.method} ${req.path}`;
    return {
      ok: false,
      error: new ConnectorUnavailableError(this.name, message, { cause: err }),
      retryable: true,
      serverHealthy: false,
    };
  }

  private backoffMs(attempt: number, retryAfterMs: number | undefined): number {
    const step = this.retryBaseMs * 2 ** (attempt - 1);
    const jittered = step / 2 + Math.random() * (step / 2);
    if (retryAfterMs === undefined) return jittered;
    return Math.max(jittered, Math.min(retryAfterMs, this.maxRetryAfterMs));
  }
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
