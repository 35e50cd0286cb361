// Group commit of recordDeposit (issue 12, decision 019): the deposits that arrive while a transaction is running
// wait in a small in-process queue and are then posted together, in one transaction with a fixed number of
// statements (about fifteen for one deposit or two hundred), each with its own result:
//
// - each request's idempotency key is answered from its stored result first (one statement for all);
// - the accounts are locked in ledger-account id order (worker-lock.ts, no deadlock with any other batch or
//   process), then the months already paid are read (after the locks, so a payment committed meanwhile is seen);
// - each deposit is judged on its own (judgeMonthlyDeposit, the same rules as one deposit alone); a refusal
//   refuses only that deposit and, as alone, is not stored;
// - the accepted deposits are posted set-based (postDeposits: balances, postings, entries, metric deltas, months),
//   their accounts read in one statement, each request's exchange record and stored result inserted with them.
//
// A batch holds at most one deposit per account and one per idempotency key (the others wait for the next batch),
// so a result shows its account exactly as it stood after that deposit, and the second request under a key sees
// the first one's stored result, as it would one after the other. When the batch transaction fails as a whole
// (a unique violation from a request in another hub process, a constraint, the database), every deposit of it is
// run again alone (recordDepositAlone, recording through its own request's exchange scope): a failing deposit fails
// only itself. Each request names its exchange scope (IdempotentRequest.exchange), so the batch, which serves several
// requests, never mistakes one request's scope for another's.
// Nothing is assumed about other processes: they lock the same rows and insert under the same keys.
import { inOrder, type SqlDb } from "../../db/driver-sql";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Ledger } from "../../ledger/ledger";
import { lockAccounts } from "../../ledger/worker-lock";
import { accountViewsByNumber } from "../accounts/account-view";
import { confirmRecordedWrites, recordWritesInTransaction } from "../audit/exchange-scope";
import { type HashedRequest, type Outcome, storedAnswers, storeResults } from "../idempotency";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { paidAmong, postDeposits } from "./deposit-posting";
import {
  type DepositResult,
  judgeMonthlyDeposit,
  recordDepositAlone,
  type RecordDepositCommand,
} from "./record-deposit";

export interface DepositBatchOptions {
  /** Most deposits in one transaction. */
  maxBatch: number;
  /** A second transaction may start while one runs once this many deposits wait (at most `maxInFlight`). */
  flushAt: number;
  maxInFlight: number;
}

/**
 * A second (third) transaction starts once 12 deposits wait. It was 64 with at most 2 at once: at the bench's 48
 * requests in flight 64 never waited, so one batch ran at a time and the hub sat 45 % idle between its statements
 * (decision 030: 374/s at 0.46x the plain-SQL baseline with 64/2, 558/s at 0.63x with 12/3, same quiet machine).
 */
export const DEFAULT_DEPOSIT_BATCH: DepositBatchOptions = { maxBatch: 200, flushAt: 12, maxInFlight: 3 };

export interface DepositSubmission {
  request: HashedRequest;
  params: ParametersOn;
  command: RecordDepositCommand;
}

interface Waiting extends DepositSubmission {
  /** When it was queued (performance.now()), for the queue-wait figure. */
  queuedAt: number;
  resolve: (outcome: Outcome<DepositResult>) => void;
  reject: (error: unknown) => void;
}

type Settled = { outcome: Outcome<DepositResult> } | { error: unknown };

export class DepositBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Keys of deposits in a running batch: a second request under one waits for the next batch. */
  private readonly busyKeys = new Set<string>();
  /** Accounts of deposits in a running batch: a further deposit to one waits here for the next batch, not for the
   *  running batch's row lock inside a transaction of its own (which would hold its whole batch up behind it). */
  private readonly busyAccounts = new Set<string>();
  /** For tests and the bench: batches run, deposits in them, and batches that fell back to one by one. */
  readonly stats = { batches: 0, deposits: 0, largest: 0, fallbacks: 0, queuedMs: 0, batchMs: 0 };

  constructor(
    private readonly hub: { prisma: PrismaClient; sql: SqlDb; ledger: Ledger },
    private readonly options: DepositBatchOptions = DEFAULT_DEPOSIT_BATCH,
  ) {}

  submit(submission: DepositSubmission): Promise<Outcome<DepositResult>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...submission, queuedAt: performance.now(), resolve, reject });
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
        this.busyKeys.add(w.request.key);
        this.busyAccounts.add(w.command.accountNumber);
      }
      void this.run(batch).finally(() => {
        for (const w of batch) {
          this.busyKeys.delete(w.request.key);
          this.busyAccounts.delete(w.command.accountNumber);
        }
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /** The next batch in arrival order: one deposit per account and per key; the rest keep their place. */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const accounts = new Set<string>();
    const keys = new Set<string>();
    for (const w of this.queue) {
      const key = w.request.key;
      const account = w.command.accountNumber;
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

  private async run(batch: Waiting[]): Promise<void> {
    this.stats.batches += 1;
    this.stats.deposits += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    const started = performance.now();
    for (const w of batch) this.stats.queuedMs += started - w.queuedAt;
    let settled: Settled[];
    try {
      settled = await this.together(batch);
    } catch {
      // The transaction failed as a whole: each deposit alone, so that only a failing one fails.
      this.stats.fallbacks += 1;
      for (const w of batch) if (w.request.exchange) w.request.exchange.pending = 0; // nothing of the batch committed
      settled = await Promise.all(batch.map((w) => this.alone(w)));
    }
    this.stats.batchMs += performance.now() - started;
    batch.forEach((w, i) => {
      const s = settled[i]!;
      if ("outcome" in s) w.resolve(s.outcome);
      else w.reject(s.error);
    });
  }

  private async alone(w: Waiting): Promise<Settled> {
    try {
      return { outcome: await recordDepositAlone(this.hub, w.request, w.params, w.command) };
    } catch (error) {
      return { error };
    }
  }

  /** The batch in one transaction; per deposit its outcome, or the error that its own rules threw. */
  private async together(batch: Waiting[]): Promise<Settled[]> {
    const { sql, ledger } = this.hub;
    const settled: (Settled | undefined)[] = batch.map(() => undefined);
    const posted: number[] = [];
    const refused: number[] = [];
    await sql.transaction(async (tx) => {
      // One round trip: the stored answers, the locks of every account asked (a replayed request's account too: it
      // costs a row lock for the batch's short life, not a round trip), and the months already paid, read after the
      // locks (so a payment committed meanwhile is seen).
      const numbers = batch.map((w) => w.command.accountNumber);
      const [stored, locked, paid] = await inOrder(
        tx,
        () =>
          storedAnswers<DepositResult>(
            tx,
            batch.map((w) => w.request),
          ),
        () => lockAccounts(tx, numbers),
        () =>
          paidAmong(
            tx,
            batch.map((w) => ({ accountNumber: w.command.accountNumber, period: w.command.period })),
          ),
      );
      const fresh: number[] = [];
      batch.forEach((w, i) => {
        const answer = stored.get(w.request.key);
        if (answer) settled[i] = { outcome: answer };
        else fresh.push(i);
      });
      if (fresh.length === 0) return;
      const postings = [];
      for (const i of fresh) {
        const w = batch[i]!;
        const account = locked.get(w.command.accountNumber) ?? null;
        try {
          const judged = judgeMonthlyDeposit(
            account,
            paid.get(w.command.accountNumber) ?? new Set(),
            w.params,
            w.command,
          );
          if ("posting" in judged) {
            posted.push(i);
            postings.push(judged.posting);
          } else {
            refused.push(i);
            settled[i] = { outcome: judged };
          }
        } catch (error) {
          settled[i] = { error };
        }
      }
      if (postings.length === 0) return;
      const entries = await postDeposits(tx, ledger, postings);
      const views = await accountViewsByNumber(
        tx,
        posted.map((i) => batch[i]!.command.accountNumber),
      );
      const results = posted.map((i, j) => ({
        account: views.get(batch[i]!.command.accountNumber)!,
        entries: entries[j]!,
      }));
      // Each request's exchange record and stored result commit with its deposit.
      const requestIds = await recordWritesInTransaction(
        tx,
        posted.map((i, j) => ({
          scope: batch[i]!.request.exchange,
          operation: batch[i]!.request.operation,
          result: results[j],
        })),
      );
      await storeResults(
        tx,
        posted.map((i, j) => ({ request: batch[i]!.request, result: results[j], requestId: requestIds[j]! })),
      );
      posted.forEach((i, j) => (settled[i] = { outcome: { ok: results[j]! } }));
    });
    confirmRecordedWrites(posted.map((i) => batch[i]!.request.exchange));
    // A refusal may come from a request under the same key, in another process, that committed while this batch
    // waited for its locks (its MONTH_ALREADY_PAID is then this request's own first run): as alone, the stored
    // result is the answer.
    if (refused.length > 0) {
      const stored = await storedAnswers<DepositResult>(
        sql.client,
        refused.map((i) => batch[i]!.request),
      );
      for (const i of refused) {
        const answer = stored.get(batch[i]!.request.key);
        if (answer) settled[i] = { outcome: answer };
      }
    }
    return settled.map((s) => s!);
  }
}
