import { Field, Int, ObjectType } from "type-graphql";

import { UserError } from "../common/common.types";
import { DateScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@ObjectType({ simpleResolvers: true, description: "一个结算年度的年终结息（含利息补贴）。" })
export class InterestSettlement {
  @Field(() => Int, { description: "2025 = 2025-07-01 .. 2026-06-30, credited on 2026-06-30." })
  settlementYear: number;

  @Field(() => DateScalar)
  settledOn: string;

  @Field(() => Int, { description: "Accounts credited." })
  accounts: number;

  @Field(() => MoneyScalar, { description: "Fund interest (business type 09)." })
  interestAmount: string;

  @Field(() => MoneyScalar, { description: "Interest subsidy paid by the fiscal budget." })
  subsidyAmount: string;
}

@ObjectType({ simpleResolvers: true })
export class InterestSettlementPayload {
  @Field(() => InterestSettlement, { nullable: true })
  settlement: InterestSettlement | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
