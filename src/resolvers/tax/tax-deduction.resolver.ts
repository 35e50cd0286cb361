import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";

import type { HubContext } from "../../context";
import { recordReadAhead } from "../../graphql/exchange-log.plugin";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import { TaxDeduction } from "../../schema/tax/tax-deduction.type";
import { type TaxDeductionDto, taxDeductions } from "../../services/tax/tax-deductions";

@Resolver()
export class TaxDeductionResolver {
  @Query(() => [TaxDeduction], {
    description:
      "TAX_BUREAU. At most 500 ID numbers per call; unknown IDs get zero amounts. Answers follow the list as asked (a duplicate is answered again).",
  })
  async taxDeductions(
    @Arg("taxYear", () => Int) taxYear: number,
    @Arg("idNumbers", () => [IdNumberScalar]) idNumbers: string[],
    @Ctx() ctx: HubContext,
  ): Promise<TaxDeductionDto[]> {
    // One answer per ID number as asked: once the request is valid its record is known, so it is sent with the read.
    const { agencyReads, policy } = ctx.hub;
    return taxDeductions({ reads: agencyReads, policy }, taxYear, idNumbers, () => recordReadAhead(ctx, idNumbers));
  }
}
