// Slow and greedy clients: a cap on open connections, a deadline for the request headers, a body idle timeout
// (no byte for this long while a body is read) and a deadline for a whole GraphQL body (a 1-byte-per-second
// sender is never idle). A client over a limit is disconnected; the hub and everyone else carry on.
import type { IncomingMessage, Server, ServerOptions } from "node:http";

export interface ConnectionLimits {
  /** Open TCP connections at once; the next one is closed at once. */
  maxConnections: number;
  /** All request headers must arrive within this time (slowloris on headers). */
  headersTimeoutMs: number;
  /** No byte for this long while a request body is being read: disconnected. */
  bodyIdleTimeoutMs: number;
  /** A GraphQL body (at most 6 MB) must arrive within this time. The streamed import has only the idle timeout. */
  graphqlBodyTimeoutMs: number;
  /** How often node checks the header deadline (lower in tests). */
  checkIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 30_000,
  graphqlBodyTimeoutMs: 60_000,
  checkIntervalMs: 1000,
};

export function serverOptionsFor(limits: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 15 * 60 * 1000, // long enough for a million-row streamed import (the idle timeout still applies)
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
}

export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
}

/** Arms the body idle timeout for one request (node closes the socket when it fires); disarmed once read. */
export function guardBodyIdle(req: IncomingMessage, limits: ConnectionLimits): void {
  if (req.complete) return;
  req.socket.setTimeout(limits.bodyIdleTimeoutMs);
  req.once("end", () => req.socket.setTimeout(0));
}

/** A whole-body deadline: the socket is destroyed if the body has not arrived in time. */
export function guardBodyDeadline(req: IncomingMessage, ms: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), ms).unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
}
