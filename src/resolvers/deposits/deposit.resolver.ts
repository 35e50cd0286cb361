import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { badInput } from "../../errors";
import {
  BankImportResult,
  DepositPayload,
  PayLumpSumInput,
  RecordDepositInput,
} from "../../schema/deposits/deposit.inputs";
import { MAX_LINE_CHARS, MAX_ROWS_PER_REQUEST } from "../../services/deposits/bank-file-lines";
import { runBankImport } from "../../services/deposits/bank-import.service";
import { payLumpSum } from "../../services/deposits/pay-lump-sum";
import { type DepositResult, recordDeposit } from "../../services/deposits/record-deposit";
import type { Outcome } from "../../services/idempotency";
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
    // Lines as the streaming endpoint's readline yields them (LF or CRLF, nothing after a final newline), so a file
    // hashes the same on both paths and a retry on either under the same key returns the first result.
    const lines = csv.split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    // The same bounds as the streamed import, checked before anything is imported (the file is in memory here).
    if (lines.length > MAX_ROWS_PER_REQUEST + 1)
      throw badInput(`一次导入最多 ${MAX_ROWS_PER_REQUEST} 行数据 (too many rows)`, "csv");
    const long = lines.findIndex((l) => l.length > MAX_LINE_CHARS);
    if (long >= 0) throw badInput(`第${long + 1}行超过 ${MAX_LINE_CHARS} 个字符 (line too long)`, "csv");
    return runBankImport(ctx.hub, actorOf(ctx), idempotencyKey, lines);
  }
}
