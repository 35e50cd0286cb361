// The exchange scope of one request (or job run), so that the transaction of a mutation can insert the request's
// exchange record itself, just before it commits: the write and its record commit or roll back together. It is
// passed explicitly: the request's actor carries it (Actor.exchange), each idempotent request names it
// (IdempotentRequest.exchange), and a bulk import hands it to each batch. Not through AsyncLocalStorage: a scope
// entered once turns on V8's promise hooks for the whole process, about a tenth of a read's hub CPU (decision 048).
// Without a scope (scripts, tests calling services directly) nothing is recorded here.
import { sendWrite, type SqlTx } from "../../db/driver-sql";
import type { ExchangeCollector } from "./exchange-collector";
import { insertExchangeRecord, insertExchangeRecords } from "./exchange-record.insert";
import type { SubjectKeyer } from "./subject-key";

export interface ExchangeConsumer {
  role: string;
  org: string;
  sub: string;
  purpose: string | null;
}

export interface ExchangeScope {
  requestId: string;
  at: Date;
  /** Who acts; null until the request's token is verified (an anonymous request writes nothing). */
  consumer: ExchangeConsumer | null;
  collector: ExchangeCollector;
  keyer: SubjectKeyer;
  /** Called after a transaction with a record committed (the chainer links it soon). */
  onCommitted: () => void;
  /** Mutation records inserted in a transaction not known to have committed yet. */
  pending: number;
  /** Mutation records known committed: the request's answer needs no further record. */
  committed: number;
}

/** ID numbers a result carries in fields named idNumber or idNumbers, at any depth (the persons a write touched). */
export function idNumbersIn(value: unknown, found = new Set<string>(), depth = 0): Set<string> {
  if (!value || typeof value !== "object" || depth > 6) return found;
  if (Array.isArray(value)) {
    for (const v of value) idNumbersIn(v, found, depth + 1);
    return found;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === "idNumber" && typeof v === "string") {
      found.add(v.toUpperCase());
    } else if (k === "idNumbers" && Array.isArray(v)) {
      for (const x of v) if (typeof x === "string") found.add(x.toUpperCase());
    } else if (typeof v === "object") {
      idNumbersIn(v, found, depth + 1);
    }
  }
  return found;
}

/**
 * Inserts the scope's request's record of a write into the write's transaction (call it last, just before the
 * commit). The persons are those the request touched so far plus the ID numbers the result carries. Returns the
 * request id to store beside the write (null without a scope).
 */
export async function recordWriteInTransaction(
  tx: SqlTx,
  scope: ExchangeScope | undefined,
  operation: string,
  result: unknown,
): Promise<string | null> {
  if (!scope?.consumer) return null;
  const entry = writeEntry(scope, scope.consumer, operation, result);
  // Sent without waiting in a driver transaction (the transaction waits for it before COMMIT).
  await sendWrite(tx, () => insertExchangeRecord(tx, entry));
  scope.pending = 1;
  return scope.requestId;
}

/** The record of a write of the scope's request: the persons touched so far plus those the result carries. */
function writeEntry(scope: ExchangeScope, consumer: ExchangeConsumer, operation: string, result: unknown) {
  scope.collector.touch(idNumbersIn(result));
  return {
    at: scope.at,
    consumerRole: consumer.role,
    consumerOrg: consumer.org,
    consumerSub: consumer.sub,
    operation,
    purpose: consumer.purpose,
    requestId: scope.requestId,
    subjectKeys: [...scope.collector.idNumbers].map(scope.keyer),
    subjectCount: scope.collector.subjectCount,
    resultSize: scope.collector.subjectCount,
    outcome: "OK" as const,
  };
}

/** One request's write among several committed by one transaction (group commit, deposit-batch.ts). */
export interface ScopedWrite {
  /** The scope of the request that asked for the write, captured when it asked (undefined: nothing recorded). */
  scope: ExchangeScope | undefined;
  operation: string;
  result: unknown;
}

/**
 * recordWriteInTransaction for the writes of several requests in one transaction: each request's record, all
 * inserted together (one statement), committing or rolling back with the writes. Returns each write's request id
 * (null without a scope). Confirm with confirmRecordedWrites once the transaction committed.
 */
export async function recordWritesInTransaction(tx: SqlTx, writes: readonly ScopedWrite[]): Promise<(string | null)[]> {
  const entries = writes.flatMap((w) =>
    w.scope?.consumer ? [writeEntry(w.scope, w.scope.consumer, w.operation, w.result)] : [],
  );
  // Sent without waiting (the transaction waits for it before COMMIT): nothing below needs its answer.
  if (entries.length > 0) await sendWrite(tx, () => insertExchangeRecords(tx, entries));
  return writes.map((w) => {
    if (!w.scope?.consumer) return null;
    w.scope.pending = 1;
    return w.scope.requestId;
  });
}

/** The transaction that recorded these requests' writes committed (confirmRecordedWrite for each; the scopes are
 *  of one hub, so its chainer is asked once for the whole transaction, not once per record). */
export function confirmRecordedWrites(scopes: readonly (ExchangeScope | undefined)[]): void {
  let last: ExchangeScope | null = null;
  for (const scope of scopes) {
    if (!scope || scope.pending === 0) continue;
    scope.committed += scope.pending;
    scope.pending = 0;
    last = scope;
  }
  last?.onCommitted();
}

/** The transaction that recorded the scope's write committed (call after inTransaction returned). */
export function confirmRecordedWrite(scope: ExchangeScope | undefined): void {
  if (!scope || scope.pending === 0) return;
  scope.committed += scope.pending;
  scope.pending = 0;
  scope.onCommitted();
}

/**
 * Inserts the record of one batch of a bulk write (e.g. a bank file's 1,000 rows) into that batch's transaction:
 * `rows` counted, the holders of the accounts touched indexed. Counts towards the request's subject count.
 */
export async function recordBatchInTransaction(
  tx: SqlTx,
  scope: ExchangeScope | undefined,
  operation: string,
  batch: { rows: number; written: number; accountNumbers: string[] },
): Promise<void> {
  if (!scope?.consumer) return;
  const persons = await tx.$queryRaw<{ id_number: string }[]>`
    SELECT DISTINCT p.id_number FROM account a JOIN person p ON p.id = a.person_id
    WHERE a.account_number = ANY(${[...new Set(batch.accountNumbers)]}::text[])`;
  scope.collector.bulkCount += batch.rows;
  await insertExchangeRecord(tx, {
    at: new Date(),
    consumerRole: scope.consumer.role,
    consumerOrg: scope.consumer.org,
    consumerSub: scope.consumer.sub,
    operation,
    purpose: scope.consumer.purpose,
    requestId: scope.requestId,
    subjectKeys: persons.map((p) => scope.keyer(p.id_number)),
    subjectCount: batch.rows,
    resultSize: batch.written,
    outcome: "OK",
  });
}

/** A fresh scope for one request of `hub` (consumer set once the token is verified). */
export function newExchangeScope(
  hub: { subjectKey: SubjectKeyer; exchangeChainer: { kick(): void } },
  requestId: string,
  at: Date,
  collector: ExchangeCollector,
  consumer: ExchangeConsumer | null = null,
): ExchangeScope {
  return {
    requestId,
    at,
    consumer,
    collector,
    keyer: hub.subjectKey,
    onCommitted: () => hub.exchangeChainer.kick(),
    pending: 0,
    committed: 0,
  };
}
