// Appends the exchange records of reads (and of refused or replayed mutations) in batches: callers enqueue and
// await; a flush inserts what is queued as unchained rows in one statement, then releases every waiting caller, so
// no answer leaves before its record is committed and concurrency batches up. Up to MAX_FLUSHES_IN_FLIGHT batches
// are in flight at once. When the batch statement fails (one record the database refuses, a dropped connection),
// each record is retried on its own, so a bad record fails only its own request. Linking the rows into the hash
// chain is the chainer's job.
// A mutation's own record is not written here: it is inserted in the mutation's transaction (exchange-scope.ts).
import type { SqlTx } from "../../db/driver-sql";
import { type ExchangeEntry, insertExchangeRecord, insertExchangeRecords } from "./exchange-record.insert";

export type { ExchangeEntry } from "./exchange-record.insert";

interface Pending {
  entry: ExchangeEntry;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export const MAX_BATCH = 500;
/** Batches being inserted at once: records queued while one batch is in flight need not wait for its commit. */
export const MAX_FLUSHES_IN_FLIGHT = 2;

export class ExchangeLogWriter {
  private queue: Pending[] = [];
  /** The batches in flight, and the flush waiting for the end of the event loop's turn (null if none). */
  private readonly flushes = new Set<Promise<void>>();
  private scheduled: Promise<void> | null = null;
  private closed = false;
  /** Records appended since start (for tests and metrics). */
  appended = 0;

  constructor(
    private readonly db: SqlTx,
    /** Called after rows were inserted (the chainer links them soon). */
    private readonly onInserted: () => void = () => {},
  ) {}

  /** Records waiting to be inserted (for /metrics). */
  get queued(): number {
    return this.queue.length;
  }

  append(entry: ExchangeEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the exchange log is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  /** A flush at the end of this turn of the event loop (so that the requests of the turn join its batch), unless
   *  one is already due or as many batches as allowed are in flight (the last to land schedules the next). */
  private schedule(): void {
    if (this.scheduled || this.flushes.size >= MAX_FLUSHES_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.scheduled = null;
      if (this.queue.length === 0 || this.flushes.size >= MAX_FLUSHES_IN_FLIGHT) return;
      const flush = this.flush(this.queue.splice(0, MAX_BATCH)).finally(() => {
        this.flushes.delete(flush);
        this.schedule();
      });
      this.flushes.add(flush);
      this.schedule();
    });
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      await insertExchangeRecords(
        this.db,
        batch.map((p) => p.entry),
      );
      this.settle(batch.map((p) => [p, null]));
    } catch (e) {
      if (batch.length === 1) this.settle([[batch[0]!, e]]);
      else this.settle(await Promise.all(batch.map((p) => this.alone(p))));
    }
  }

  private async alone(p: Pending): Promise<[Pending, unknown]> {
    try {
      await insertExchangeRecord(this.db, p.entry);
      return [p, null];
    } catch (e) {
      return [p, e];
    }
  }

  private settle(results: [Pending, unknown][]): void {
    const written = results.filter(([, e]) => e === null).length;
    this.appended += written;
    if (written > 0) this.onInserted();
    for (const [p, e] of results) {
      if (e === null) p.resolve();
      else p.reject(e);
    }
  }

  /** Waits for everything queued to be written (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.scheduled || this.flushes.size > 0) await Promise.all([this.scheduled, ...this.flushes]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
  }
}
