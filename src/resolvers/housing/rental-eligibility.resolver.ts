import { Arg, Ctx, Query, Resolver } from "type-graphql";

import type { HubContext } from "../../context";
import { recordReadAhead } from "../../graphql/exchange-log.plugin";
import { RentalEligibility } from "../../schema/housing/rental-eligibility.type";
import { DateScalar } from "../../schema/scalars/date.scalar";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import { rentalEligibilities, type RentalEligibilityDto } from "../../services/housing/rental-eligibility";

@Resolver()
export class RentalEligibilityResolver {
  @Query(() => [RentalEligibility], {
    description:
      "HOUSING_BUREAU. At most 500 ID numbers per call; unknown IDs are not eligible. Answers follow the list as asked (a duplicate is answered again).",
  })
  async rentalEligibility(
    @Arg("idNumbers", () => [IdNumberScalar]) idNumbers: string[],
    @Arg("asOf", () => DateScalar) asOf: string,
    @Ctx() ctx: HubContext,
  ): Promise<RentalEligibilityDto[]> {
    // One answer per ID number as asked: once the request is valid its record is known, so it is sent with the read.
    const { agencyReads, policy } = ctx.hub;
    return rentalEligibilities({ reads: agencyReads, policy }, idNumbers, asOf, () => recordReadAhead(ctx, idNumbers));
  }
}
