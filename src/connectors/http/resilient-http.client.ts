import { randomUUID } from "node:crypto";

import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleType,
  type IRetryBackoffContext,
  retry,
  type RetryPolicy,
  TaskCancelledError,
  timeout,
  type TimeoutPolicy,
  TimeoutStrategy,
} from "cockatiel";
import pino from "pino";

import { ConnectorResponseError, ConnectorUnavailableError } from "../connector.errors";
import { readBodyWithin } from "./bounded-body";

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

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
  /** The longest `Retry-After` an operation waits for. A 503 asking for longer waits this long; a 429 asking for
   *  longer fails at once, and the connector is not called again before the time the agency gave. */
  maxRetryAfterMs?: number;
  /** Answers above this many bytes are refused while they stream in (default 1 MB). */
  maxBodyBytes?: number;
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

/** One failed attempt, as the retry and breaker policies see it. */
class AttemptFailure extends Error {
  constructor(
    readonly error: ConnectorUnavailableError,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

/** What reaches the breaker: a value, or a failure that does not count against it (the server works). */
type Outcome<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

const HUB_CENTER_CODE = "140500";
export const MAX_CONNECTOR_BODY_BYTES = 1024 * 1024;
const silentLogger = pino({ level: "silent" });

/**
 * Transport to one agency, on cockatiel policies (decision record 006): a timeout per attempt, retries with
 * jittered exponential backoff for idempotent calls (network error, timeout, 5xx, 429; `Retry-After` honoured),
 * a consecutive-failure circuit breaker per instance with a single half-open trial, answers read with a size
 * limit, one debug log line per attempt without bodies. Every failure is a ConnectorUnavailableError.
 */
export class ResilientHttpClient {
  readonly name: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxBodyBytes: number;
  private readonly resetAfterMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly attemptTimeout: TimeoutPolicy;
  private readonly logger: pino.Logger;
  private openedAt = 0;
  /** A 429 asked us to stay away until then (epoch ms). */
  private blockedUntil = 0;

  constructor(options: ResilientHttpClientOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 2000;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_CONNECTOR_BODY_BYTES;
    this.resetAfterMs = options.breaker?.resetAfterMs ?? 10_000;
    this.retryPolicy = retry(
      handleType(AttemptFailure, (f) => f.retryable),
      {
        maxAttempts: Math.max(0, Math.floor(options.maxRetries ?? 2)),
        backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => this.backoffMs(ctx)),
      },
    );
    this.breaker = circuitBreaker(handleType(AttemptFailure), {
      halfOpenAfter: this.resetAfterMs,
      breaker: new ConsecutiveBreaker(options.breaker?.failureThreshold ?? 5),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.attemptTimeout = timeout(this.timeoutMs, TimeoutStrategy.Aggressive);
    this.logger = (options.logger ?? silentLogger).child({ connector: options.name });
  }

  breakerState(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return "CLOSED";
      case CircuitState.HalfOpen:
        return "HALF_OPEN";
      default:
        // cockatiel half-opens on the next call; until then, say what that call would find.
        return Date.now() - this.openedAt >= this.resetAfterMs ? "HALF_OPEN" : "OPEN";
    }
  }

  /** Sends the call and returns the parsed JSON answer; with `parse`, the answer validated by it.
   *  A `parse` failure counts against the breaker and is never retried. */
  request<T>(req: HttpRequest & { parse: (raw: unknown) => T }): Promise<T>;
  request(req: HttpRequest): Promise<unknown>;
  async request<T>(req: HttpRequest & { parse?: (raw: unknown) => T }): Promise<T | unknown> {
    const requestId = req.requestId ?? randomUUID();
    const once = ({ attempt }: { attempt: number }) => this.throughBreaker(req, requestId, attempt + 1);
    try {
      return await (req.idempotent ? this.retryPolicy.execute(once) : once({ attempt: 0 }));
    } catch (err) {
      throw err instanceof AttemptFailure ? err.error : err;
    }
  }

  private async throughBreaker<T>(
    req: HttpRequest & { parse?: (raw: unknown) => T },
    requestId: string,
    attempt: number,
  ): Promise<T | unknown> {
    const waitMs = this.blockedUntil - Date.now();
    if (waitMs > 0) {
      throw new ConnectorUnavailableError(this.name, `${this.name} asked not to be called for another ${waitMs} ms`, {
        status: 429,
      });
    }
    // One trial call while half-open: the others fail fast instead of queueing behind it.
    if (this.breaker.state === CircuitState.HalfOpen) throw this.openError();
    let outcome: Outcome<T | unknown>;
    try {
      outcome = await this.breaker.execute(() => this.attempt(req, requestId, attempt));
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw this.openError();
      throw err;
    }
    if (!outcome.ok) throw outcome.failure;
    return outcome.value;
  }

  private openError(): ConnectorUnavailableError {
    return new ConnectorUnavailableError(this.name, `${this.name} circuit breaker is open`);
  }

  /** Resolves with a value or a failure that does not count against the breaker; throws one that does. */
  private async attempt<T>(
    req: HttpRequest & { parse?: (raw: unknown) => T },
    requestId: string,
    attempt: number,
  ): Promise<Outcome<T | unknown>> {
    const started = performance.now();
    let status: number | undefined;
    let outcome: Outcome<T | unknown>;
    try {
      outcome = await this.attemptTimeout.execute(async (_ctx, signal) => {
        const response = await fetch(`${this.baseUrl}${req.path}`, {
          method: req.method,
          headers: { "content-type": "application/json", "x-request-id": requestId, "x-hub-center": HUB_CENTER_CODE },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal,
        });
        status = response.status;
        const text = await readBodyWithin(response, this.maxBodyBytes);
        if (text === null) {
          throw new AttemptFailure(
            new ConnectorResponseError(this.name, `${this.name} answered more than ${this.maxBodyBytes} bytes`),
            false,
          );
        }
        return response.ok ? { ok: true, value: this.decode(text, req.parse) } : this.httpFailure(req, response);
      });
    } catch (err) {
      outcome = { ok: false, failure: this.thrownFailure(req, err) };
    }
    const ms = Math.round(performance.now() - started);
    const error = outcome.ok ? undefined : outcome.failure.message;
    this.logger.debug({ method: req.method, path: req.path, status, ms, attempt, requestId, error }, "connector call");
    // Failures of a server that works (a 4xx it chose, a 429 asking us to slow down) leave the breaker alone.
    if (!outcome.ok && !this.serverHealthy(outcome.failure)) throw outcome.failure;
    return outcome;
  }

  private serverHealthy(f: AttemptFailure): boolean {
    const status = f.error.status;
    return !(f.error instanceof ConnectorResponseError) && status !== undefined && status < 500;
  }

  private decode<T>(text: string, parse: ((raw: unknown) => T) | undefined): T | unknown {
    let raw: unknown;
    try {
      raw = text === "" ? null : JSON.parse(text);
    } catch {
      throw new AttemptFailure(
        new ConnectorResponseError(this.name, `${this.name} answered with a body that is not JSON`),
        false,
      );
    }
    if (parse === undefined) return raw;
    try {
      return parse(raw);
    } catch (err) {
      const error =
        err instanceof ConnectorResponseError
          ? err
          : new ConnectorResponseError(this.name, `${this.name} answer was refused by its mapper`);
      throw new AttemptFailure(error, false);
    }
  }

  private httpFailure(req: HttpRequest, response: Response): Outcome<never> {
    const status = response.status;
    const error = new ConnectorUnavailableError(
      this.name,
      `${this.name} answered HTTP ${status} to ${req.method} ${req.path}`,
      { status },
    );
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfterMs(response.headers.get("retry-after")) : undefined;
    if (status === 429 && retryAfterMs !== undefined && retryAfterMs > this.maxRetryAfterMs) {
      // Longer than this operation can wait: fail now, and keep every caller away until the time it gave.
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + retryAfterMs);
      return { ok: false, failure: new AttemptFailure(error, false) };
    }
    const retryable = status >= 500 || status === 429;
    return { ok: false, failure: new AttemptFailure(error, retryable, retryAfterMs) };
  }

  private thrownFailure(req: HttpRequest, err: unknown): AttemptFailure {
    if (err instanceof AttemptFailure) return err;
    const timedOut = err instanceof TaskCancelledError;
    const message = timedOut
      ? `${this.name} did not answer ${req.method} ${req.path} within ${this.timeoutMs} ms`
      : `${this.name} could not be reached for ${req.method} ${req.path}`;
    return new AttemptFailure(new ConnectorUnavailableError(this.name, message, { cause: err }), true);
  }

  private backoffMs(ctx: IRetryBackoffContext<unknown>): number {
    const step = this.retryBaseMs * 2 ** (ctx.attempt - 1);
    const jittered = step / 2 + Math.random() * (step / 2);
    const failure = "error" in ctx.result ? ctx.result.error : undefined;
    const retryAfterMs = failure instanceof AttemptFailure ? failure.retryAfterMs : undefined;
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
