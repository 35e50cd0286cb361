import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { badInput } from "../../errors";
import { BankImportResult } from "../../schema/deposits/deposit.inputs";
import { ExitInput, WithdrawInput, WithdrawPayload } from "../../schema/withdrawals/withdraw.types";
import type { Outcome } from "../../services/idempotency";
import { textOverflow } from "../../services/imports/streamed-import";
import { userError } from "../../services/user-error";
import { exitAgreement } from "../../services/withdrawals/exit-agreement";
import { importBankPayouts } from "../../services/withdrawals/import-bank-payouts";
import { type MoneyOutResult, withdraw } from "../../services/withdrawals/withdraw";
import { mayRead, present } from "../accounts/account.presenter";
import { MAX_INLINE_CSV_BYTES } from "../deposits/deposit.resolver";
import { payload } from "../payload.mapper";

/** A WORKER acts on their own account only; another account looks missing, as in the account query. */
const NOT_FOUND = { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };

function withdrawPayload(outcome: Outcome<MoneyOutResult>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch([outcome.ok.account.idNumber]);
  return payload(outcome, (r) => ({ account: present(r.account, ctx.viewer!), entry: r.entry, entries: r.entries }), {
    account: null,
    entry: null,
    entries: [],
  });
}

@Resolver()
export class WithdrawResolver {
  @Mutation(() => WithdrawPayload, {
    description: "CENTER_OPERATOR, WORKER (own account): withdraw any part of the withdrawable balance. 部分提取。",
  })
  async withdraw(@Arg("input", () => WithdrawInput) input: WithdrawInput, @Ctx() ctx: HubContext) {
    if (!mayRead(ctx.viewer!, input.accountNumber)) return withdrawPayload(NOT_FOUND, ctx);
    return withdrawPayload(await withdraw(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => WithdrawPayload, {
    description: "CENTER_OPERATOR, WORKER (own account): end the agreement, pay out the balance, close. 退出销户。",
  })
  async exitAgreement(@Arg("input", () => ExitInput) input: ExitInput, @Ctx() ctx: HubContext) {
    if (!mayRead(ctx.viewer!, input.accountNumber)) return withdrawPayload(NOT_FOUND, ctx);
    return withdrawPayload(await exitAgreement(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => BankImportResult, {
    description:
      "CENTER_OPERATOR: post a bank payout result file (CSV, up to 5 MB). Idempotent per payoutRef. 代发回盘。",
  })
  async importBankPayouts(
    @Arg("csv", () => String) csv: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    if (Buffer.byteLength(csv) > MAX_INLINE_CSV_BYTES)
      throw badInput("文件超过 5 MB，请使用 POST /imports/bank-payouts", "csv");
    // The same bounds as the streamed import, checked before anything is imported (the file is in memory here).
    const overflow = textOverflow(csv);
    if (overflow) throw badInput(overflow.message, "csv");
    return importBankPayouts(ctx.hub, actorOf(ctx), idempotencyKey, csv);
  }
}
