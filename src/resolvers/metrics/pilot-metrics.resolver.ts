import { Arg, Ctx, Query, Resolver } from "type-graphql";

import type { HubContext } from "../../context";
import { PilotMetrics } from "../../schema/metrics/pilot-metrics.type";
import { YearMonthScalar } from "../../schema/scalars/date.scalar";
import { computePilotMetrics, type PilotMetricsDto } from "../../services/metrics/pilot-metrics";

@Resolver()
export class PilotMetricsResolver {
  @Query(() => PilotMetrics, {
    description: "LEADERSHIP, CENTER_ADMIN: pilot metrics for a window of months (at most 120). 试点统计。",
  })
  async pilotMetrics(
    @Arg("from", () => YearMonthScalar) from: string,
    @Arg("to", () => YearMonthScalar) to: string,
    @Arg("countyCode", () => String, { nullable: true }) countyCode: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<PilotMetricsDto> {
    return computePilotMetrics(ctx.hub, { from, to, countyCode });
  }
}
