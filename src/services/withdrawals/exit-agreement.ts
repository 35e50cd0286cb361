// exitAgreement: the worker ends the agreement at any time. Earlier settlement years not yet settled for the account
// are settled first, then the interest accrued since the last 1 July up to the day before (销户结息) is credited, the
// whole balance is paid out (EXIT_PAYOUT, business type 12), the agreement ends, the account closes (status code 05)
// and the national platform is told through the outbox.
import { dateToString } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { settlementYearOf } from "../../domain/calendar/calendar";
import {
  accumulatedBalance,
  type BalanceMovement,
  exitInterestPeriod,
  interestOn,
} from "../../domain/interest/interest.rule";
import { toMoney } from "../../domain/money/money";
import { exitRefusal } from "../../domain/withdrawals/withdrawal.rule";
import { accountView } from "../accounts/account-view";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { runCommand } from "../command";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { creditYearsFor, INTEREST_RATE, type InterestPolicy, interestPolicyOn } from "../interest/interest-credits";
import { userError } from "../user-error";
import { closeAndDeregister, lockForMoneyOut, type MoneyOutAccount, postPayout } from "./money-out";
import type { MoneyOutResult } from "./withdraw";

export interface ExitCommand {
  accountNumber: string;
  requestedOn: string;
  idempotencyKey: string;
}

/** JGJ/T 320 account status 05: closed by withdrawal 提取销户. */
export const CLOSED_BY_WITHDRAWAL = "05";

async function movementsOf(tx: Tx, ledgerAccountId: bigint): Promise<BalanceMovement[]> {
  const rows = await tx.$queryRaw<{ posted_on: Date; amount: { toFixed(): string } }[]>`
    SELECT posted_on, credit - debit AS amount FROM ledger_entry WHERE ledger_account_id = ${ledgerAccountId}::bigint`;
  return rows.map((r) => ({ on: dateToString(r.posted_on), amount: toMoney(r.amount) }));
}

/** Credits the interest of the running settlement year up to the day before the exit (or transfer out, `source`);
 *  records it as that year's credit. */
export async function creditExitInterest(
  hub: HubServices,
  tx: Tx,
  account: MoneyOutAccount,
  exitOn: string,
  rate: InterestPolicy["rate"],
  source: "EXIT" | "TRANSFER_OUT" = "EXIT",
): Promise<LedgerEntryView[]> {
  const period = exitInterestPeriod(exitOn);
  if (!period) return [];
  const accumulated = accumulatedBalance(await movementsOf(tx, account.ledgerAccountId), period);
  const interest = interestOn(accumulated, rate);
  await tx.$executeRaw`
    INSERT INTO interest_credit (account_id, settlement_year, source, accumulated, interest, subsidy, posted_at)
    VALUES (${account.id}::bigint, ${settlementYearOf(exitOn)}::int, ${source}, ${accumulated.toFixed(2)}::numeric,
            ${interest.toFixed(2)}::numeric, 0, now())
    ON CONFLICT DO NOTHING`;
  if (interest.isZero()) return [];
  const posting = await hub.ledger.post(tx, {
    kind: "INTEREST",
    postedOn: exitOn,
    memo: `${source === "EXIT" ? "销户结息" : "转出结息"} ${period.from}..${period.to}`,
    lines: [
      { ledgerAccountId: hub.ledger.fund.INTEREST_EXPENSE, side: "D", amount: interest },
      { ledgerAccountId: account.ledgerAccountId, side: "C", amount: interest, worker: true },
    ],
  });
  return posting.entries.filter((e) => e.ledgerAccountId === account.ledgerAccountId).map(entryViewOf);
}

export async function exitAgreement(hub: HubServices, actor: Actor, c: ExitCommand): Promise<Outcome<MoneyOutResult>> {
  const running = settlementYearOf(c.requestedOn);
  const policies = new Map<number, InterestPolicy>();
  for (const year of [running - 1, running]) policies.set(year, await interestPolicyOn(hub, year));
  const rate = (await hub.policy.on(c.requestedOn)).decimal(INTEREST_RATE);
  return runCommand<MoneyOutResult>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "exitAgreement",
      actor: actor.sub,
      exchange: actor.exchange,
      input: c,
    },
    transaction: async (tx) => {
      const account = await lockForMoneyOut(tx, c.accountNumber, "EXIT", c.requestedOn);
      if (!account) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };
      const refused = exitRefusal(account);
      if (refused) return { userErrors: [userError(refused.code, refused.message, refused.field ?? undefined)] };
      // The year before the running one, if its run has not reached this account yet (exits early in July).
      const earlier = await creditYearsFor(tx, hub.ledger, running - 1, policies.get(running - 1)!, account.id);
      const interest = await creditExitInterest(hub, tx, account, c.requestedOn, rate);
      const [row] = await tx.$queryRaw<{ balance: { toFixed(): string } }[]>`
        SELECT balance FROM ledger_account WHERE id = ${account.ledgerAccountId}::bigint`;
      const total = toMoney(row!.balance);
      const entries = [...earlier.filter((e) => e.accountId === account.id).map((e) => e.view), ...interest];
      // A zero balance closes without a payout (there is nothing for the bank to pay).
      const payout = total.isZero()
        ? null
        : await postPayout(tx, hub.ledger, account, "EXIT_PAYOUT", total, c.requestedOn);
      await closeAndDeregister(tx, account, c.requestedOn, actor, { closeCode: CLOSED_BY_WITHDRAWAL });
      const view = (await accountView(tx, c.accountNumber))!;
      const all = payout ? [...entries, payout.entry] : entries;
      return { ok: { account: view, entry: payout?.entry ?? null, entries: all } };
    },
    afterCommit: () => hub.outbox.kick(),
  });
}
