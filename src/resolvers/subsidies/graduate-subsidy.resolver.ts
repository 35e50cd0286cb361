import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { YearMonthScalar } from "../../schema/scalars/date.scalar";
import { SubsidyBatchPayload } from "../../schema/subsidies/subsidy-batch.types";
import type { Outcome } from "../../services/idempotency";
import { claimGraduateSubsidies } from "../../services/subsidies/claim-graduate-subsidies";
import { settleGraduateSubsidies } from "../../services/subsidies/settle-graduate-subsidies";
import type { SubsidyBatchResult } from "../../services/subsidies/subsidy-batch.view";
import { payload } from "../payload.mapper";

function batchPayload(outcome: Outcome<SubsidyBatchResult>, ctx: HubContext) {
  if ("ok" in outcome) ctx.exchange.touch(outcome.ok.idNumbers);
  return payload(outcome, (r) => ({ batch: r.batch }), { batch: null });
}

@Resolver()
export class GraduateSubsidyResolver {
  @Mutation(() => SubsidyBatchPayload, {
    description:
      "CENTER_ADMIN: claim the graduate subsidies of a month from the finance bureau, as one batch. 申领高校毕业生缴存补贴。",
  })
  async claimGraduateSubsidies(
    @Arg("period", () => YearMonthScalar) period: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    return batchPayload(await claimGraduateSubsidies(ctx.hub, actorOf(ctx), { period, idempotencyKey }), ctx);
  }

  @Mutation(() => SubsidyBatchPayload, {
    description: "CENTER_ADMIN: ask the finance bureau what it paid, and credit each paid claim once. 补贴到账入账。",
  })
  async settleGraduateSubsidies(
    @Arg("batchNo", () => String) batchNo: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: HubContext,
  ) {
    return batchPayload(await settleGraduateSubsidies(ctx.hub, actorOf(ctx), { batchNo, idempotencyKey }), ctx);
  }
}
