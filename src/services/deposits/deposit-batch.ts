// Group commit of recordDeposit (issue 12, decision 019): the deposits that arrive while a transaction is running
// wait in the group-commit queue (group-commit.ts: one per account and per key in a batch, a failed batch run again
// one by one) and are then posted together, in one transaction with a fixed number of statements (about fifteen for
// one deposit or two hundred), each with its own result:
//
// - each request's idempotency key is answered from its stored result first (one statement for all);
// - the accounts are locked in ledger-account id order (worker-lock.ts, no deadlock with any other batch or
//   process), then the months already paid are read (after the locks, so a payment committed meanwhile is seen);
// - each deposit is judged on its own (judgeMonthlyDeposit, the same rules as one deposit alone); a refusal
//   refuses only that deposit and, as alone, is not stored;
// - the accepted deposits are posted set-based (postDeposits: balances, postings, entries, metric deltas, months),
//   their accounts read in one statement, each request's exchange record and stored result inserted with them.
//
// When the batch transaction fails as a whole, each deposit runs alone (recordDepositAlone, recording through its own
// request's exchange scope). Each request names its exchange scope (IdempotentRequest.exchange), so the batch, which
// serves several requests, never mistakes one request's scope for another's.
import { inOrder, type SqlDb } from "../../db/driver-sql";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Ledger } from "../../ledger/ledger";
import { lockAccounts } from "../../ledger/worker-lock";
import { accountViewsByNumber } from "../accounts/account-view";
import {
  GroupCommit,
  type GroupCommitOptions,
  recordAndStoreResults,
  settleAfterCommit,
  type Settled,
} from "../group-commit";
import { type HashedRequest, type Outcome, storedAnswers } from "../idempotency";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { paidAmong, postDeposits } from "./deposit-posting";
import {
  type DepositResult,
  judgeMonthlyDeposit,
  recordDepositAlone,
  type RecordDepositCommand,
} from "./record-deposit";

/**
 * A second (third) transaction starts once 12 deposits wait. It was 64 with at most 2 at once: at the bench's 48
 * requests in flight 64 never waited, so one batch ran at a time and the hub sat 45 % idle between its statements
 * (decision 030: 374/s at 0.46x the plain-SQL baseline with 64/2, 558/s at 0.63x with 12/3, same quiet machine).
 */
export const DEFAULT_DEPOSIT_BATCH: GroupCommitOptions = { maxBatch: 200, flushAt: 12, maxInFlight: 3 };

export interface DepositSubmission {
  request: HashedRequest;
  params: ParametersOn;
  command: RecordDepositCommand;
}

export class DepositBatcher extends GroupCommit<DepositSubmission, DepositResult> {
  constructor(
    private readonly hub: { prisma: PrismaClient; sql: SqlDb; ledger: Ledger },
    options: GroupCommitOptions = DEFAULT_DEPOSIT_BATCH,
  ) {
    super(options);
  }

  protected alone(w: DepositSubmission): Promise<Outcome<DepositResult>> {
    return recordDepositAlone(this.hub, w.request, w.params, w.command);
  }

  /** The batch in one transaction; per deposit its outcome, or the error that its own rules threw. */
  protected async together(batch: readonly DepositSubmission[]): Promise<Settled<DepositResult>[]> {
    const { sql, ledger } = this.hub;
    const settled: (Settled<DepositResult> | undefined)[] = batch.map(() => undefined);
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
      await recordAndStoreResults(
        tx,
        posted.map((i) => batch[i]!.request),
        results,
      );
      posted.forEach((i, j) => (settled[i] = { outcome: { ok: results[j]! } }));
    });
    return settleAfterCommit(sql.client, batch, settled, posted, refused);
  }
}
