// Group commit (issue 12; decisions 019 and 051): the requests of one command that arrive while a transaction of it
// is running wait in a small in-process queue and are then run together in one transaction, with a fixed number of
// statements, each with its own result. This file is the queue; a command says how a batch runs together (`together`)
// and how one request runs alone (`alone`):
//
// - a batch holds at most one request per account and one per idempotency key (the others wait for a later batch),
//   so a result shows its account exactly as it stood after that request, and the second request under a key sees
//   the first one's stored result, as it would one after the other;
// - a request to an account of a running batch waits here for a later batch, not for that batch's row lock inside a
//   transaction of its own (which would hold its whole batch up behind it);
// - when the batch transaction fails as a whole (a unique violation from a request in another hub process, a
//   constraint, the database), every request of it is run again alone: a failing request fails only itself.
//
// Nothing is assumed about other processes: they lock the same rows and insert under the same keys.
import type { SqlTx } from "../db/driver-sql";
import { confirmRecordedWrites, recordWritesInTransaction } from "./audit/exchange-scope";
import { type HashedRequest, type Outcome, storedAnswers, storeResults } from "./idempotency";

export interface GroupCommitOptions {
  /** Most requests in one transaction. */
  maxBatch: number;
  /** A second transaction may start while one runs once this many requests wait (at most `maxInFlight`). */
  flushAt: number;
  maxInFlight: number;
}

/** What the queue needs of a request: its key and the account it moves. */
export interface GroupedSubmission {
  request: HashedRequest;
  command: { accountNumber: string };
}

/** A request's end in a batch: its outcome, or the error its own rules threw. */
export type Settled<R> = { outcome: Outcome<R> } | { error: unknown };

interface Waiting<S, R> {
  submission: S;
  /** When it was queued (performance.now()), for the queue-wait figure. */
  queuedAt: number;
  resolve: (outcome: Outcome<R>) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitStats {
  batches: number;
  /** Requests run in batches. */
  items: number;
  largest: number;
  /** Batches that failed as a whole and were run again one by one. */
  fallbacks: number;
  queuedMs: number;
  batchMs: number;
}

export abstract class GroupCommit<S extends GroupedSubmission, R> {
  private queue: Waiting<S, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly busyKeys = new Set<string>();
  private readonly busyAccounts = new Set<string>();
  /** For tests and the bench. */
  readonly stats: GroupCommitStats = { batches: 0, items: 0, largest: 0, fallbacks: 0, queuedMs: 0, batchMs: 0 };

  constructor(private readonly options: GroupCommitOptions) {}

  /** The batch in one transaction: per request (in the batch's order) its outcome or its own error. Throws when the
   *  transaction failed as a whole (nothing of it committed). */
  protected abstract together(batch: readonly S[]): Promise<Settled<R>[]>;

  /** One request in a transaction of its own. */
  protected abstract alone(submission: S): Promise<Outcome<R>>;

  submit(submission: S): Promise<Outcome<R>> {
    return new Promise<Outcome<R>>((resolve, reject) => {
      this.queue.push({ submission, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Starts a batch on the next turn of the event loop (requests of this turn join it) if one may start. */
  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private mayStart(): boolean {
    if (this.queue.length === 0) return false;
    if (this.inFlight === 0) return true;
    return this.inFlight < this.options.maxInFlight && this.queue.length >= this.options.flushAt;
  }

  private startBatches(): void {
    while (this.mayStart()) {
      const batch = this.take();
      if (batch.length === 0) return; // every waiting key or account is in a running batch: the next completion schedules
      this.inFlight += 1;
      for (const w of batch) {
        this.busyKeys.add(w.submission.request.key);
        this.busyAccounts.add(w.submission.command.accountNumber);
      }
      void this.run(batch).finally(() => {
        for (const w of batch) {
          this.busyKeys.delete(w.submission.request.key);
          this.busyAccounts.delete(w.submission.command.accountNumber);
        }
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /** The next batch in arrival order: one request per account and per key; the rest keep their place. */
  private take(): Waiting<S, R>[] {
    const batch: Waiting<S, R>[] = [];
    const rest: Waiting<S, R>[] = [];
    const accounts = new Set<string>();
    const keys = new Set<string>();
    for (const w of this.queue) {
      const key = w.submission.request.key;
      const account = w.submission.command.accountNumber;
      if (
        batch.length >= this.options.maxBatch ||
        accounts.has(account) ||
        keys.has(key) ||
        this.busyKeys.has(key) ||
        this.busyAccounts.has(account)
      ) {
        rest.push(w);
        continue;
      }
      accounts.add(account);
      keys.add(key);
      batch.push(w);
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: Waiting<S, R>[]): Promise<void> {
    this.stats.batches += 1;
    this.stats.items += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    const started = performance.now();
    for (const w of batch) this.stats.queuedMs += started - w.queuedAt;
    let settled: Settled<R>[];
    try {
      settled = await this.together(batch.map((w) => w.submission));
    } catch {
      // The transaction failed as a whole: each request alone, so that only a failing one fails.
      this.stats.fallbacks += 1;
      for (const w of batch) {
        const scope = w.submission.request.exchange;
        if (scope) scope.pending = 0; // nothing of the batch committed
      }
      settled = await Promise.all(batch.map((w) => this.settleAlone(w.submission)));
    }
    this.stats.batchMs += performance.now() - started;
    batch.forEach((w, i) => {
      const s = settled[i]!;
      if ("outcome" in s) w.resolve(s.outcome);
      else w.reject(s.error);
    });
  }

  private async settleAlone(submission: S): Promise<Settled<R>> {
    try {
      return { outcome: await this.alone(submission) };
    } catch (error) {
      return { error };
    }
  }
}

/** In a batch's transaction: each posted request's exchange record and stored result, commit with its write (one
 *  statement each for the whole batch). `results[j]` is the result of `requests[j]`. */
export async function recordAndStoreResults<R>(
  tx: SqlTx,
  requests: readonly HashedRequest[],
  results: readonly R[],
): Promise<void> {
  const requestIds = await recordWritesInTransaction(
    tx,
    requests.map((request, j) => ({ scope: request.exchange, operation: request.operation, result: results[j] })),
  );
  await storeResults(
    tx,
    requests.map((request, j) => ({ request, result: results[j], requestId: requestIds[j]! })),
  );
}

/**
 * After a batch committed: the posted requests' records confirmed, and each refused request answered from its stored
 * result when one exists. A refusal may come from a request under the same key, in another process, that committed
 * while the batch waited for its locks (the refusal is then this request's own first run): as alone, the stored
 * result is the answer.
 */
export async function settleAfterCommit<R>(
  client: SqlTx,
  batch: readonly GroupedSubmission[],
  settled: readonly (Settled<R> | undefined)[],
  posted: readonly number[],
  refused: readonly number[],
): Promise<Settled<R>[]> {
  confirmRecordedWrites(posted.map((i) => batch[i]!.request.exchange));
  const final = [...settled];
  if (refused.length > 0) {
    const stored = await storedAnswers<R>(
      client,
      refused.map((i) => batch[i]!.request),
    );
    for (const i of refused) {
      const answer = stored.get(batch[i]!.request.key);
      if (answer) final[i] = { outcome: answer };
    }
  }
  return final.map((s) => s!);
}
