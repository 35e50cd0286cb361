import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import {
  AccountPayload,
  ChangeDepositPlanInput,
  ConvertAccountInput,
  TransferInInput,
  TransferPayload,
} from "../../schema/accounts/account-moves.inputs";
import type { AccountView } from "../../services/accounts/account-view";
import { convertAccount } from "../../services/accounts/convert-account";
import { receiveTransfer } from "../../services/accounts/receive-transfer";
import { changeDepositPlan } from "../../services/deposits/change-deposit-plan";
import type { Outcome } from "../../services/idempotency";
import { payload } from "../payload.mapper";
import { present } from "./account.presenter";

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
    const outcome = await receiveTransfer(ctx.hub, actorOf(ctx), input);
    return payload(
      outcome,
      (r) => ({ account: present(r.account, ctx.viewer!), contactLetterNo: r.contactLetterNo, entries: r.entries }),
      { account: null, contactLetterNo: null, entries: [] },
    );
  }
}
