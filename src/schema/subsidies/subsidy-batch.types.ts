import { Field, Int, ObjectType } from "type-graphql";

import { UserError } from "../common/common.types";
import { YearMonthScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@ObjectType({
  simpleResolvers: true,
  description:
    "One month's graduate deposit subsidy claims sent to the finance bureau as a batch. 高校毕业生缴存补贴申领批次。",
})
export class SubsidyBatch {
  @Field(() => String, { description: "GS-YYYYMM-NNNN; finance's idempotency key." })
  batchNo: string;

  @Field(() => YearMonthScalar, { description: "The month paid for that the claims subsidise." })
  period: string;

  @Field(() => String, {
    description: "CLAIMED (not yet acknowledged by finance), RECEIVED, PAID, PARTIALLY_PAID or REJECTED.",
  })
  status: string;

  @Field(() => Int)
  claimCount: number;

  @Field(() => MoneyScalar, { description: "The total claimed." })
  amount: string;

  @Field(() => Int, { description: "Claims finance paid and the hub credited." })
  paidCount: number;

  @Field(() => MoneyScalar)
  paidAmount: string;
}

@ObjectType({ simpleResolvers: true })
export class SubsidyBatchPayload {
  @Field(() => SubsidyBatch, { nullable: true })
  batch: SubsidyBatch | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
