import { Arg, Ctx, Mutation, Resolver } from "type-graphql";

import { actorOf, type HubContext } from "../../context";
import { EnrollWorkerInput, EnrollWorkerPayload } from "../../schema/accounts/enroll-worker.input";
import { enrollWorker } from "../../services/accounts/enroll-worker";
import { payload } from "../payload.mapper";
import { present } from "./account.presenter";

@Resolver()
export class EnrollWorkerResolver {
  @Mutation(() => EnrollWorkerPayload, {
    description: "CENTER_OPERATOR: enrol a flexible worker under a signed agreement. 开户。",
  })
  async enrollWorker(@Arg("input", () => EnrollWorkerInput) input: EnrollWorkerInput, @Ctx() ctx: HubContext) {
    ctx.exchange.touch([input.idNumber]);
    const outcome = await enrollWorker(ctx.hub, actorOf(ctx), {
      ...input,
      bankAccount: input.bankAccount?.trim() || null,
    });
    return payload(outcome, (account) => ({ account: present(account, ctx.viewer!) }), { account: null });
  }
}
