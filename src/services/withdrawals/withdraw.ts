// withdraw: any part of the withdrawable balance, any time, any number of times (支持灵活提取), paid through the bank.
import type { SqlTx } from "../../db/driver-sql";
import { type MoneyValue } from "../../domain/money/money";
import { withdrawableBalance, withdrawalRefusal } from "../../domain/withdrawals/withdrawal.rule";
import { type AccountView, accountView } from "../accounts/account-view";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { runCommandOn } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { userError } from "../user-error";
import { lockForMoneyOut, postPayout } from "./money-out";

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

export async function withdraw(hub: HubServices, actor: Actor, c: WithdrawCommand): Promise<Outcome<MoneyOutResult>> {
  const holdingMonths = (await hub.policy.on(c.requestedOn)).int(SUBSIDY_HOLDING_MONTHS);
  const input = { ...c, amount: c.amount.toFixed(2) };
  // Raw SQL only: on PostgreSQL the transaction runs through the driver (decision 037).
  return runCommandOn<MoneyOutResult, undefined, SqlTx>(hub.sql, {
    request: { key: c.idempotencyKey, operation: "withdraw", actor: actor.sub, exchange: actor.exchange, input },
    transaction: async (tx) => {
      const account = await lockForMoneyOut(tx, c.accountNumber, "WITHDRAW", c.requestedOn);
      if (!account) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };
      const withdrawable = withdrawableBalance(account, holdingMonths, c.requestedOn);
      const refused = withdrawalRefusal(c.amount, { ...account, withdrawable });
      if (refused) return { userErrors: [userError(refused.code, refused.message, refused.field ?? undefined)] };
      const payout = await postPayout(tx, hub.ledger, account, "WITHDRAWAL", c.amount, c.requestedOn);
      const view = (await accountView(tx, c.accountNumber))!;
      return { ok: { account: view, entry: payout.entry, entries: [payout.entry] } };
    },
  });
}
