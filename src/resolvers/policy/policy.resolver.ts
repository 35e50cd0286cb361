import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import {
  PolicyParameter,
  SetPolicyParameterInput,
  SetPolicyParameterPayload,
} from "../../schema/policy/policy-parameter.types";
import { DateScalar } from "../../schema/scalars/date.scalar";
import { setPolicyParameter } from "../../services/policy/set-policy-parameter";
import { payload } from "../payload.mapper";

@Resolver()
export class PolicyResolver {
  @Query(() => [PolicyParameter], { description: "CENTER_*: the parameters in force on a date. 某日有效的政策参数。" })
  async policyParameters(@Arg("asOf", () => DateScalar) asOf: string, @Ctx() ctx: HubContext) {
    return (await ctx.hub.policy.on(asOf)).list();
  }

  @Mutation(() => SetPolicyParameterPayload, {
    description: "CENTER_ADMIN: set a parameter from a date on; history is kept. 设置政策参数。",
  })
  async setPolicyParameter(
    @Arg("input", () => SetPolicyParameterInput) input: SetPolicyParameterInput,
    @Ctx() ctx: HubContext,
  ) {
    const outcome = await setPolicyParameter(ctx.hub, actorOf(ctx), input);
    return payload(outcome, (parameter) => ({ parameter }), { parameter: null });
  }
}
