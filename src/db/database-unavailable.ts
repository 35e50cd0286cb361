// Tells a failure of the database itself (terminated backend, refused or silent connection, timed-out statement
// or transaction start) from a failure of the request. Requests that meet one fail with a typed, retryable error
// (errors.ts: CONNECTOR_UNAVAILABLE, connector "database") instead of INTERNAL_SERVER_ERROR or a hang.
import { sqlState } from "./transaction";

/** SQLSTATEs of an unreachable, restarting or overloaded server, and of statements it cancelled for time. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "57014", "25P03", "53300"]);
const UNAVAILABLE_CLASSES = ["08"]; // connection exceptions

/** Prisma's codes for a database it cannot reach or a transaction it could not start in time. */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);

/** Driver adapter error kinds (@prisma/driver-adapter-utils) of a connection that is gone or never came: a connection
 *  lost while a COMMIT was answered surfaces as a DriverAdapterError whose message is just "ConnectionClosed". */
const UNAVAILABLE_KINDS = new Set(["ConnectionClosed", "DatabaseNotReachable", "SocketTimeout", "TooManyConnections"]);

const UNAVAILABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|query read timeout|ECONNREFUSED|ECONNRESET|EPIPE|unable to start a transaction in the given time|connection error|terminating connection|cannot use a pool after calling end|client was closed and is not queryable|server (has )?closed the connection/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state && (UNAVAILABLE_STATES.has(state) || UNAVAILABLE_CLASSES.includes(state.slice(0, 2)))) return true;
  let e: unknown = error;
  for (let depth = 0; e && depth < 6; depth++) {
    const x = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; originalMessage?: unknown };
    if (typeof x.code === "string" && UNAVAILABLE_PRISMA.has(x.code)) return true;
    if (typeof x.kind === "string" && UNAVAILABLE_KINDS.has(x.kind)) return true;
    if (typeof x.message === "string" && UNAVAILABLE_KINDS.has(x.message)) return true;
    for (const m of [x.message, x.originalMessage])
      if (typeof m === "string" && UNAVAILABLE_MESSAGE.test(m)) return true;
    e = x.cause;
  }
  return false;
}
