// Every mutation runs under an idempotency key, in one transaction with the record of its result:
// a replay with the same input returns the stored result and writes nothing; the same key with another
// input is refused (IDEMPOTENCY_KEY_REUSED). Business-rule refusals are not stored (nothing was written),
// so a replay re-evaluates them. Two concurrent requests with one key: the second waits on the first's
// primary-key insert and then answers from its record.
import { createHash } from "node:crypto";

import { sendWrite, type SqlTx } from "../db/driver-sql";
import { inTransaction, isUniqueViolation, type Tx } from "../db/transaction";
import type { PrismaClient } from "../generated/prisma/client";
import { confirmRecordedWrite, type ExchangeScope, recordWriteInTransaction } from "./audit/exchange-scope";
import type { UserErrorDto } from "./user-error";

export interface IdempotentRequest {
  key: string;
  operation: string;
  actor: string;
  input: unknown;
  /** The exchange scope of the request that asks (Actor.exchange): its record commits with the write. Undefined
   *  (scripts, the hub's own work outside a request): nothing recorded. Required, so that no caller forgets it. */
  exchange: ExchangeScope | undefined;
}

export type Outcome<T> = { ok: T } | { userErrors: UserErrorDto[] };

/** A stable hash of a JSON-able input (object keys sorted). */
export function requestHash(operation: string, input: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([k, x]) => k !== "idempotencyKey" && x !== undefined)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash("sha256")
    .update(operation)
    .update("\n")
    .update(JSON.stringify(canonical(input)))
    .digest("hex");
}

const KEY_REUSED: UserErrorDto = {
  code: "IDEMPOTENCY_KEY_REUSED",
  field: "idempotencyKey",
  message: "该幂等键已用于另一笔不同的请求 (the idempotency key was used for a different request)",
};

async function replay<T>(db: SqlTx, request: IdempotentRequest, hash: string): Promise<Outcome<T> | null> {
  const [found] = await db.$queryRaw<{ operation: string; requestHash: string; actor: string; response: unknown }[]>`
    SELECT operation, request_hash AS "requestHash", actor, response FROM idempotency_record WHERE key = ${request.key}`;
  if (!found) return null;
  // A key belongs to the caller who used it first: another caller's identical request does not get its result.
  if (found.operation !== request.operation || found.requestHash !== hash || found.actor !== request.actor)
    return { userErrors: [KEY_REUSED] };
  return { ok: found.response as T };
}

/** One request of several answered or stored together (group commit, deposit-batch.ts); `hash` = requestHash. */
export interface HashedRequest extends IdempotentRequest {
  hash: string;
}

/**
 * The stored answers of several requests in one statement, by key (absent: the key is unused): the same answer
 * `replay` gives one request (the stored result, or IDEMPOTENCY_KEY_REUSED for another caller or input).
 */
export async function storedAnswers<T>(
  db: SqlTx,
  requests: readonly HashedRequest[],
): Promise<Map<string, Outcome<T>>> {
  const answers = new Map<string, Outcome<T>>();
  if (requests.length === 0) return answers;
  const rows = await db.$queryRaw<
    { key: string; operation: string; requestHash: string; actor: string; response: unknown }[]
  >`
    SELECT key, operation, request_hash AS "requestHash", actor, response FROM idempotency_record
    WHERE key = ANY(${[...new Set(requests.map((r) => r.key))]}::text[])`;
  const byKey = new Map(rows.map((row) => [row.key, row]));
  for (const request of requests) {
    const found = byKey.get(request.key);
    if (!found) continue;
    const same =
      found.operation === request.operation && found.requestHash === request.hash && found.actor === request.actor;
    answers.set(request.key, same ? { ok: found.response as T } : { userErrors: [KEY_REUSED] });
  }
  return answers;
}

/** Stores the results of several requests (distinct keys) in one statement, in key order (so that two
 *  transactions storing overlapping keys wait on each other in one order). */
export async function storeResults(
  tx: SqlTx,
  records: readonly { request: HashedRequest; result: unknown; requestId: string | null }[],
): Promise<void> {
  if (records.length === 0) return;
  const sorted = [...records].sort((a, b) =>
    a.request.key < b.request.key ? -1 : a.request.key > b.request.key ? 1 : 0,
  );
  // Sent without waiting in a driver transaction (it waits for the write before COMMIT; a key stored meanwhile by
  // another process fails the transaction there).
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO idempotency_record (key, operation, actor, request_hash, response, request_id)
    SELECT * FROM unnest(${sorted.map((r) => r.request.key)}::text[], ${sorted.map((r) => r.request.operation)}::text[],
      ${sorted.map((r) => r.request.actor)}::text[], ${sorted.map((r) => r.request.hash)}::text[],
      ${sorted.map((r) => JSON.stringify(r.result))}::jsonb[], ${sorted.map((r) => r.requestId)}::text[])`,
  );
}

/** Answers a replay without opening a transaction (the transaction checks again before writing). */
export async function peekIdempotent<T>(db: SqlTx, request: IdempotentRequest): Promise<Outcome<T> | null> {
  if (!validKey(request.key)) return null;
  return replay<T>(db, request, requestHash(request.operation, request.input));
}

/** Where a command's transaction runs: Prisma's interactive transactions (work that uses Prisma's model API), or
 *  `SqlDb` (raw SQL only: the driver on PostgreSQL, decision 030). `client` answers single statements outside it. */
export interface Transactions<X extends SqlTx> {
  client: SqlTx;
  transaction<R>(work: (tx: X) => Promise<R>): Promise<R>;
}

export function prismaTransactions(prisma: PrismaClient): Transactions<Tx> {
  return { client: prisma, transaction: (work) => inTransaction(prisma, work) };
}

export function runIdempotent<T>(
  prisma: PrismaClient,
  request: IdempotentRequest,
  work: (tx: Tx) => Promise<Outcome<T>>,
  onConflict?: UserErrorDto,
): Promise<Outcome<T>> {
  return runIdempotentOn<T, Tx>(prismaTransactions(prisma), request, work, onConflict);
}

export function validKey(key: string): boolean {
  return key.length >= 8 && key.length <= 128 && /^[\x21-\x7e]+$/.test(key);
}

export async function runIdempotentOn<T, X extends SqlTx>(
  db: Transactions<X>,
  request: IdempotentRequest,
  work: (tx: X) => Promise<Outcome<T>>,
  /** The answer when a unique rule of the work itself (e.g. one payment per month) was hit by a concurrent request. */
  onConflict?: UserErrorDto,
): Promise<Outcome<T>> {
  if (!validKey(request.key)) {
    return {
      userErrors: [
        { code: "INVALID_IDEMPOTENCY_KEY", field: "idempotencyKey", message: "幂等键须为 8–128 个可见 ASCII 字符" },
      ],
    };
  }
  const hash = requestHash(request.operation, request.input);
  try {
    const result = await db.transaction(async (tx) => {
      const previous = await replay<T>(tx, request, hash);
      if (previous) return previous;
      const outcome = await work(tx);
      if ("ok" in outcome) {
        // The request's exchange record commits with the write (no committed write without its record).
        const requestId = await recordWriteInTransaction(tx, request.exchange, request.operation, outcome.ok);
        // Sent without waiting in a driver transaction: a key stored meanwhile fails the transaction at COMMIT with
        // the same unique violation, answered below from the record.
        await sendWrite(
          tx,
          () => tx.$executeRaw`
          INSERT INTO idempotency_record (key, operation, actor, request_hash, response, request_id)
          VALUES (${request.key}, ${request.operation}, ${request.actor}, ${hash}, ${JSON.stringify(outcome.ok)}::jsonb, ${requestId})`,
        );
      } else {
        throw new RollbackWithOutcome(outcome);
      }
      return outcome;
    });
    confirmRecordedWrite(request.exchange);
    return result;
  } catch (e) {
    if (e instanceof RollbackWithOutcome) {
      // The refusal may come from a concurrent request with the same key that committed while this one waited
      // on the work's locks (e.g. MONTH_ALREADY_PAID by its own first run): then the first result is the answer.
      return (await replay<T>(db.client, request, hash)) ?? (e.outcome as Outcome<T>);
    }
    if (isUniqueViolation(e)) {
      // A concurrent request with the same key committed first, or the work hit a unique rule: answer from the record if any.
      const previous = await replay<T>(db.client, request, hash);
      if (previous) return previous;
      if (onConflict) return { userErrors: [onConflict] };
    }
    throw e;
  }
}

/** Thrown inside the transaction so that a refused request leaves nothing behind (even partial reads-for-update). */
class RollbackWithOutcome extends Error {
  constructor(readonly outcome: Outcome<unknown>) {
    super("rolled back with a business outcome");
  }
}
