import { Arg, Ctx, Query, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { LoanQuota, LoanQuotaInput } from "../../schema/loans/loan-quota.types";
import { callFor } from "../../services/audit/outbound-exchange";
import { type LoanQuotaAnswer, loanQuotaOf } from "../../services/loans/loan-quota";
import { mayRead } from "../accounts/account.presenter";

@Resolver()
export class LoanQuotaResolver {
  @Query(() => LoanQuota, {
    description:
      "CENTER_*: any account; WORKER: only their own. 存贷挂钩贷款额度：the quota on asOf with every factor, in order.",
  })
  async loanQuota(
    @Arg("input", () => LoanQuotaInput) input: LoanQuotaInput,
    @Ctx() ctx: HubContext,
  ): Promise<LoanQuotaAnswer> {
    const answer = await loanQuotaOf(
      ctx.hub,
      { ...input, firstHome: input.firstHome ?? true },
      (accountNumber) => mayRead(ctx.viewer!, accountNumber),
      callFor(actorOf(ctx)),
    );
    ctx.exchange.touch([answer.idNumber]);
    ctx.exchange.setResultSize(1);
    return answer;
  }
}
