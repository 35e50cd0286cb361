import { Arg, Ctx, Int, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { InterestSettlementPayload } from "../../schema/interest/interest-settlement.types";
import { DateScalar } from "../../schema/scalars/date.scalar";
import { settleInterest } from "../../services/interest/settle-interest";
import { payload } from "../payload.mapper";

@Resolver()
export class InterestResolver {
  @Mutation(() => InterestSettlementPayload, {
    description:
      "CENTER_ADMIN: credit a settlement year's interest and interest subsidies, once per year. 年终结息。asOf before the year's 30 June has passed: YEAR_NOT_ENDED.",
  })
  async settleInterest(
    @Arg("settlementYear", () => Int) settlementYear: number,
    @Arg("asOf", () => DateScalar) asOf: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    const outcome = await settleInterest(ctx.hub, actorOf(ctx), { settlementYear, asOf, idempotencyKey });
    return payload(outcome, (settlement) => ({ settlement }), { settlement: null });
  }
}
