import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { badInput } from "../../errors";
import {
  AccountPayload,
  ChangeDepositPlanInput,
  ConvertAccountInput,
  RelativeTransferInput,
  TransferInInput,
  TransferOutInput,
  TransferPayload,
} from "../../schema/accounts/account-moves.inputs";
import { BankImportResult } from "../../schema/deposits/deposit.inputs";
import type { AccountView } from "../../services/accounts/account-view";
import { convertAccount } from "../../services/accounts/convert-account";
import { importLegacyAccounts } from "../../services/accounts/import-legacy-accounts";
import { receiveTransfer, type TransferResult } from "../../services/accounts/receive-transfer";
import { transferToRelative } from "../../services/accounts/relative-transfer";
import { transferOut } from "../../services/accounts/transfer-out";
import { changeDepositPlan } from "../../services/deposits/change-deposit-plan";
import type { Outcome } from "../../services/idempotency";
import { MAX_INLINE_CSV_BYTES } from "../deposits/deposit.resolver";
import { payload } from "../payload.mapper";
import { present } from "./account.presenter";

function transferPayload(outcome: Outcome<TransferResult>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch([outcome.ok.account.idNumber]);
  return payload(
    outcome,
    (r) => ({ account: present(r.account, ctx.viewer!), contactLetterNo: r.contactLetterNo, entries: r.entries }),
    { account: null, contactLetterNo: null, entries: [] },
  );
}

function accountPayload(outcome: Outcome<AccountView>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch([outcome.ok.idNumber]);
  return payload(outcome, (account) => ({ account: present(account, ctx.viewer!) }), { account: null });
}

@Resolver()
export class AccountMovesResolver {
  @Mutation(() => AccountPayload, {
    description: "CENTER_OPERATOR: flexible <-> employer-based, one personal account, history kept. 缴存灵活转换。",
  })
  async convertAccount(@Arg("input", () => ConvertAccountInput) input: ConvertAccountInput, @Ctx() ctx: HubContext) {
    return accountPayload(await convertAccount(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => AccountPayload, {
    description:
      "CENTER_OPERATOR, WORKER (own account): a new monthly amount, day, mode or channel from a future month. 变更缴存计划。",
  })
  async changeDepositPlan(
    @Arg("input", () => ChangeDepositPlanInput) input: ChangeDepositPlanInput,
    @Ctx() ctx: HubContext,
  ) {
    return accountPayload(await changeDepositPlan(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => TransferPayload, {
    description:
      "CENTER_OPERATOR: record a transfer accepted from another city (into the person's one account here). 异地转入。",
  })
  async receiveTransfer(@Arg("input", () => TransferInInput) input: TransferInInput, @Ctx() ctx: HubContext) {
    ctx.exchange.touch([input.idNumber]);
    return transferPayload(await receiveTransfer(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => TransferPayload, {
    description:
      "CENTER_OPERATOR: move an account to another city's center through the national transfer platform. 异地转出。",
  })
  async transferOut(@Arg("input", () => TransferOutInput) input: TransferOutInput, @Ctx() ctx: HubContext) {
    return transferPayload(await transferOut(ctx.hub, actorOf(ctx), input), ctx);
  }

  @Mutation(() => TransferPayload, {
    description:
      "CENTER_OPERATOR: transfer of deposit rights to a relative; userErrors code FEATURE_DISABLED unless the policy switch is on. 亲属间转让。",
  })
  async transferToRelative(
    @Arg("input", () => RelativeTransferInput) input: RelativeTransferInput,
    @Ctx() ctx: HubContext,
  ) {
    const outcome = await transferToRelative(ctx.hub, actorOf(ctx), input);
    // Both people's data was touched: the giver's account is returned, the receiver's credited.
    if ("ok" in outcome) {
      const receiver = await ctx.hub.prisma.account.findUnique({
        where: { accountNumber: input.toAccountNumber },
        select: { person: { select: { idNumber: true } } },
      });
      if (receiver) ctx.exchange.touch([receiver.person.idNumber]);
    }
    return transferPayload(outcome, ctx);
  }

  @Mutation(() => BankImportResult, {
    description:
      "CENTER_OPERATOR: post the accounts of the center's pre-pilot system (CSV, up to 5 MB; larger: POST /imports/legacy-accounts). 试点前账户迁移。",
  })
  async importLegacyAccounts(
    @Arg("csv", () => String) csv: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    if (Buffer.byteLength(csv) > MAX_INLINE_CSV_BYTES)
      throw badInput("文件超过 5 MB，请使用 POST /imports/legacy-accounts", "csv");
    return (await importLegacyAccounts(ctx.hub, actorOf(ctx), idempotencyKey, csv)).result;
  }
}
