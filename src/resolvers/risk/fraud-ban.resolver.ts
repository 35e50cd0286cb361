import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { FraudBanInput, FraudBanPayload } from "../../schema/risk/fraud-ban.types";
import { recordFraudBan } from "../../services/risk/record-fraud-ban";
import { payload } from "../payload.mapper";

@Resolver()
export class FraudBanResolver {
  @Mutation(() => FraudBanPayload, {
    description: "CENTER_ADMIN: record a fraud ban; until = decidedOn + the years of its kind. 记录骗提骗贷惩戒。",
  })
  async recordFraudBan(@Arg("input", () => FraudBanInput) input: FraudBanInput, @Ctx() ctx: HubContext) {
    ctx.exchange.touch([input.idNumber]);
    const outcome = await recordFraudBan(ctx.hub, actorOf(ctx), input);
    return payload(
      outcome,
      (ban) => ({ ban: { kind: ban.kind, decidedOn: ban.decidedOn, until: ban.until, reason: ban.reason } }),
      { ban: null },
    );
  }
}
