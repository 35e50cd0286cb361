// Appends exchange records in batches: callers enqueue and await; one flush at a time takes what is queued,
// links it onto the chain tip inside one transaction (an advisory lock makes hub processes on one PostgreSQL
// take turns per batch, not per request), inserts it set-based and then releases every waiting caller.
// So no answer leaves before its record is committed, and concurrency batches up instead of queueing on a lock.
import type { DatabaseKind } from "../../db/database";
import { inTransaction, type Tx } from "../../db/transaction";
import type { PrismaClient } from "../../generated/prisma/client";
import { chainHash, GENESIS_HASH } from "./exchange-chain";

export interface ExchangeEntry {
  at: Date;
  consumerRole: string;
  consumerOrg: string;
  consumerSub: string;
  operation: string;
  purpose: string | null;
  requestId: string;
  subjectKeys: string[];
  subjectCount: number;
  resultSize: number;
  outcome: "OK" | "ERROR";
}

interface Pending {
  entry: ExchangeEntry;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const LOCK_KEY = 7140500;
export const MAX_BATCH = 500;

export class ExchangeLogWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Records appended since start (for tests and metrics). */
  appended = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly kind: DatabaseKind,
  ) {}

  append(entry: ExchangeEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the exchange log is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      // Let the requests of this turn of the event loop join the batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await inTransaction(this.prisma, (tx) =>
            this.write(
              tx,
              batch.map((p) => p.entry),
            ),
          );
          this.appended += batch.length;
          batch.forEach((p) => p.resolve());
        } catch (e) {
          batch.forEach((p) => p.reject(e));
        }
      }
    } finally {
      this.flushing = null;
      if (this.queue.length > 0) this.flushing = this.flushLoop();
    }
  }

  private async write(tx: Tx, entries: ExchangeEntry[]): Promise<void> {
    if (this.kind === "postgres") await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    const [tip] = await tx.$queryRaw<{ hash: string }[]>`SELECT hash FROM exchange_record ORDER BY id DESC LIMIT 1`;
    const ids = (
      await tx.$queryRaw<
        { id: bigint }[]
      >`SELECT nextval('exchange_record_id_seq') AS id FROM generate_series(1, ${entries.length}::int)`
    ).map((r) => r.id);
    let prev = tip?.hash ?? GENESIS_HASH;
    const rows = entries.map((e, i) => {
      const id = ids[i]!;
      const hash = chainHash({ ...e, id }, prev);
      const row = { id, prevHash: prev, hash };
      prev = hash;
      return row;
    });
    await tx.$executeRaw`
      INSERT INTO exchange_record (id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome, prev_hash, hash)
      SELECT * FROM unnest(${ids}::bigint[], ${entries.map((e) => e.at.toISOString())}::timestamptz[], ${entries.map((e) => e.consumerRole)}::text[],
        ${entries.map((e) => e.consumerOrg)}::text[], ${entries.map((e) => e.consumerSub)}::text[], ${entries.map((e) => e.operation)}::text[],
        ${entries.map((e) => e.purpose)}::text[], ${entries.map((e) => e.requestId)}::text[], ${entries.map((e) => e.subjectCount)}::int[],
        ${entries.map((e) => e.resultSize)}::int[], ${entries.map((e) => e.outcome)}::text[], ${rows.map((r) => r.prevHash)}::char(64)[], ${rows.map((r) => r.hash)}::char(64)[])`;
    const subjects = entries.flatMap((e, i) => [...new Set(e.subjectKeys)].map((key) => ({ key, id: ids[i]! })));
    if (subjects.length > 0) {
      await tx.$executeRaw`
        INSERT INTO exchange_subject (subject_key, record_id)
        SELECT * FROM unnest(${subjects.map((s) => s.key)}::char(64)[], ${subjects.map((s) => s.id)}::bigint[])`;
    }
  }

  /** Waits for everything queued to be written (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }
}
