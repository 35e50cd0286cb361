import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { badInput } from "../../errors";
import {
  BankImportResult,
  DepositPayload,
  PayLumpSumInput,
  RecordDepositInput,
} from "../../schema/deposits/deposit.inputs";
import { runBankImport } from "../../services/deposits/bank-import.service";
import { payLumpSum } from "../../services/deposits/pay-lump-sum";
import { type DepositResult, recordDeposit } from "../../services/deposits/record-deposit";
import type { Outcome } from "../../services/idempotency";
import { textOverflow } from "../../services/imports/streamed-import";
import { present } from "../accounts/account.presenter";
import { payload } from "../payload.mapper";

/** Files above this go to the streaming endpoint POST /imports/bank-collection. */
export const MAX_INLINE_CSV_BYTES = 5 * 1024 * 1024;

function depositPayload(outcome: Outcome<DepositResult>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch([outcome.ok.account.idNumber]);
  return payload(outcome, (r) => ({ account: present(r.account, ctx.viewer!), entries: r.entries }), {
    account: null,
    entries: [],
  });
}

@Resolver()
export class DepositResolver {
  @Mutation(() => DepositPayload, {
    description: "CENTER_OPERATOR: record one month's deposit or back payment. 按月缴存/补缴。",
  })
  async recordDeposit(@Arg("input", () => RecordDepositInput) input: RecordDepositInput, @Ctx() ctx: HubContext) {
    return depositPayload(await recordDeposit(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => DepositPayload, { description: "CENTER_OPERATOR: record a lump sum for a settlement year. 趸缴。" })
  async payLumpSum(@Arg("input", () => PayLumpSumInput) input: PayLumpSumInput, @Ctx() ctx: HubContext) {
    return depositPayload(await payLumpSum(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => BankImportResult, {
    description: "CENTER_OPERATOR: post a bank collection result file (CSV, up to 5 MB). Idempotent per paymentRef.",
  })
  async importBankCollection(
    @Arg("csv", () => String) csv: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    if (Buffer.byteLength(csv) > MAX_INLINE_CSV_BYTES)
      throw badInput("文件超过 5 MB，请使用 POST /imports/bank-collection", "csv");
    // The same bounds as the streamed import, checked before anything is imported (the file is in memory here).
    const overflow = textOverflow(csv);
    if (overflow) throw badInput(overflow.message, "csv");
    return (await runBankImport(ctx.hub, actorOf(ctx), idempotencyKey, csv)).result;
  }
}
