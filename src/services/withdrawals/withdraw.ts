// withdraw: any part of the withdrawable balance, any time, any number of times (支持灵活提取), paid through the bank.
// Concurrent withdrawals are posted together (group commit, decision 051): the queue of group-commit.ts, and here
// how a batch runs in one transaction and how one withdrawal runs alone when its batch failed as a whole.
import type { SqlDb, SqlTx } from "../../db/driver-sql";
import { inOrder } from "../../db/driver-sql";
import { type MoneyValue } from "../../domain/money/money";
import { withdrawableBalance, withdrawalRefusal } from "../../domain/withdrawals/withdrawal.rule";
import type { Ledger } from "../../ledger/ledger";
import { type AccountView, accountView, accountViewsByNumber } from "../accounts/account-view";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { INVALID_IDEMPOTENCY_KEY, runCommandOn } from "../command";
import {
  GroupCommit,
  type GroupCommitOptions,
  recordAndStoreResults,
  settleAfterCommit,
  type Settled,
} from "../group-commit";
import type { Actor, HubServices } from "../hub-services";
import { type HashedRequest, type Outcome, requestHash, storedAnswers, validKey } from "../idempotency";
import { userError, type UserErrorDto } from "../user-error";
import { lockForMoneyOut, lockManyForMoneyOut, type MoneyOutAccount, postPayouts } from "./money-out";

export interface WithdrawCommand {
  accountNumber: string;
  amount: MoneyValue;
  requestedOn: string;
  idempotencyKey: string;
}

export interface MoneyOutResult {
  account: AccountView;
  /** The WITHDRAWAL or EXIT_PAYOUT entry (null for an exit of an empty account). */
  entry: LedgerEntryView | null;
  entries: LedgerEntryView[];
}

export const SUBSIDY_HOLDING_MONTHS = "subsidy.withdrawableAfterMonths";

export interface WithdrawalSubmission {
  request: HashedRequest;
  /** The subsidy holding period in force on the request's date (policy). */
  holdingMonths: number;
  command: WithdrawCommand;
}

/** What withdraw stores under its key and hashes (the amount as text with 2 decimals). */
export function withdrawRequest(actor: Actor, c: WithdrawCommand): HashedRequest {
  const input = { ...c, amount: c.amount.toFixed(2) };
  const request = { key: c.idempotencyKey, operation: "withdraw", actor: actor.sub, exchange: actor.exchange, input };
  return { ...request, hash: requestHash(request.operation, input) };
}

/** The rules of one withdrawal on its locked account (alone or in a batch): the refusal, or null to post it. */
function withdrawalRefused(
  account: MoneyOutAccount | null,
  holdingMonths: number,
  c: WithdrawCommand,
): { userErrors: UserErrorDto[] } | null {
  if (!account) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };
  const withdrawable = withdrawableBalance(account, holdingMonths, c.requestedOn);
  const refused = withdrawalRefusal(c.amount, { ...account, withdrawable });
  return refused ? { userErrors: [userError(refused.code, refused.message, refused.field ?? undefined)] } : null;
}

/** One withdrawal in a transaction of its own (the path a withdrawal takes when its batch failed as a whole). */
export function withdrawAlone(
  hub: { sql: SqlDb; ledger: Ledger },
  s: WithdrawalSubmission,
): Promise<Outcome<MoneyOutResult>> {
  const c = s.command;
  // Raw SQL only: on PostgreSQL the transaction runs through the driver (decision 037).
  return runCommandOn<MoneyOutResult, undefined, SqlTx>(hub.sql, {
    request: s.request,
    transaction: async (tx) => {
      const account = await lockForMoneyOut(tx, c.accountNumber, "WITHDRAW", c.requestedOn);
      const refused = withdrawalRefused(account, s.holdingMonths, c);
      if (refused) return refused;
      const [payout] = await postPayouts(tx, hub.ledger, [
        { account: account!, kind: "WITHDRAWAL", amount: c.amount, on: c.requestedOn },
      ]);
      const view = (await accountView(tx, c.accountNumber))!;
      return { ok: { account: view, entry: payout!.entry, entries: [payout!.entry] } };
    },
  });
}

/** A second (third) transaction starts once 12 withdrawals wait, as for deposits (deposit-batch.ts). */
export const DEFAULT_WITHDRAWAL_BATCH: GroupCommitOptions = { maxBatch: 200, flushAt: 12, maxInFlight: 3 };

/**
 * The withdrawals of one batch in one transaction, in a fixed number of statements: the stored answers, the locks of
 * every account asked (ledger-account id order) and the facts the rules decide on, read after the locks, in one round
 * trip; each withdrawal judged on its own (the same rules as alone); the accepted ones posted set-based (postings,
 * entries, balances, metric deltas, payouts); their accounts read in one statement; each request's exchange record
 * and stored result with them. A refusal refuses only its own request and, as alone, is not stored.
 */
export class WithdrawalBatcher extends GroupCommit<WithdrawalSubmission, MoneyOutResult> {
  constructor(
    private readonly hub: { sql: SqlDb; ledger: Ledger },
    options: GroupCommitOptions = DEFAULT_WITHDRAWAL_BATCH,
  ) {
    super(options);
  }

  protected alone(s: WithdrawalSubmission): Promise<Outcome<MoneyOutResult>> {
    return withdrawAlone(this.hub, s);
  }

  protected async together(batch: readonly WithdrawalSubmission[]): Promise<Settled<MoneyOutResult>[]> {
    const { sql, ledger } = this.hub;
    const settled: (Settled<MoneyOutResult> | undefined)[] = batch.map(() => undefined);
    const posted: number[] = [];
    const refused: number[] = [];
    await sql.transaction(async (tx) => {
      const [stored, accounts] = await inOrder(
        tx,
        () =>
          storedAnswers<MoneyOutResult>(
            tx,
            batch.map((s) => s.request),
          ),
        () =>
          lockManyForMoneyOut(
            tx,
            batch.map((s) => ({ accountNumber: s.command.accountNumber, on: s.command.requestedOn })),
            "WITHDRAW",
          ),
      );
      const payouts = [];
      for (const [i, s] of batch.entries()) {
        const answer = stored.get(s.request.key);
        if (answer) {
          settled[i] = { outcome: answer };
          continue;
        }
        try {
          const account = accounts.get(s.command.accountNumber) ?? null;
          const refusal = withdrawalRefused(account, s.holdingMonths, s.command);
          if (refusal) {
            refused.push(i);
            settled[i] = { outcome: refusal };
          } else {
            posted.push(i);
            payouts.push({
              account: account!,
              kind: "WITHDRAWAL" as const,
              amount: s.command.amount,
              on: s.command.requestedOn,
            });
          }
        } catch (error) {
          settled[i] = { error };
        }
      }
      if (payouts.length === 0) return;
      const paid = await postPayouts(tx, ledger, payouts);
      const views = await accountViewsByNumber(
        tx,
        posted.map((i) => batch[i]!.command.accountNumber),
      );
      const results: MoneyOutResult[] = posted.map((i, j) => ({
        account: views.get(batch[i]!.command.accountNumber)!,
        entry: paid[j]!.entry,
        entries: [paid[j]!.entry],
      }));
      // Each request's exchange record and stored result commit with its withdrawal.
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

/** Withdraws: checked at once for what needs no database, then posted with the withdrawals that arrive meanwhile in
 *  one transaction (group commit), with its own result. */
export async function withdraw(hub: HubServices, actor: Actor, c: WithdrawCommand): Promise<Outcome<MoneyOutResult>> {
  if (!validKey(c.idempotencyKey)) return { userErrors: [INVALID_IDEMPOTENCY_KEY] };
  const holdingMonths = (await hub.policy.on(c.requestedOn)).int(SUBSIDY_HOLDING_MONTHS);
  return hub.withdrawalBatcher.submit({ request: withdrawRequest(actor, c), holdingMonths, command: c });
}
