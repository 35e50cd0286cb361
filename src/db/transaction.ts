// The transaction handle every service receives, and the one place that opens transactions.
import type { Prisma, PrismaClient } from "../generated/prisma/client";

export type Tx = Prisma.TransactionClient;

/** How long to wait for a transaction to start, and how long it may run, come from the client (db/database.ts):
 *  PGlite queues every transaction behind one session; on PostgreSQL a silent database must fail fast. */
export function inTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Tx) => Promise<T>,
  /** An operator's batch step that may run longer than a request's transaction (the client's default). */
  options: { timeoutMs?: number } = {},
): Promise<T> {
  return options.timeoutMs === undefined
    ? prisma.$transaction(work)
    : prisma.$transaction(work, { timeout: options.timeoutMs });
}

/** PostgreSQL SQLSTATE of a failure, through Prisma's wrappers (driver adapter errors carry it as `code`/`originalCode`). */
export function sqlState(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const x = e as {
      code?: unknown;
      originalCode?: unknown;
      meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
      cause?: unknown;
    };
    for (const candidate of [x.originalCode, x.meta?.driverAdapterError?.cause?.originalCode, x.meta?.code, x.code]) {
      if (typeof candidate === "string" && /^[0-9A-Z]{5}$/.test(candidate)) return candidate;
    }
    e = x.cause;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown };
  return e?.code === "P2002" || sqlState(error) === "23505";
}
