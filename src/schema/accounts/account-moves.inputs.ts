// Accounts that move (wave 2): conversion, plan changes and transfers in. Names as in the contract.
import { Length, MaxLength } from "class-validator";
import { Field, InputType, ObjectType } from "type-graphql";

import { UserError } from "../common/common.types";
import { AccountKind } from "../common/enums";
import { DateScalar } from "../scalars/date.scalar";
import { Account } from "./account.type";

@ObjectType()
export class AccountPayload {
  @Field(() => Account, { nullable: true })
  account: Account | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({ description: "缴存灵活转换：灵活就业 <-> 单位缴存，同一个人账户，历史保留。" })
export class ConvertAccountInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => AccountKind, {
    description: "EMPLOYER: the person took a job; FLEXIBLE: back (needs commitmentAccepted).",
  })
  to: AccountKind;

  @Field(() => String, { nullable: true, description: "Required for EMPLOYER." })
  @MaxLength(200)
  employerName?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Required true for FLEXIBLE: the written commitment." })
  commitmentAccepted?: boolean | null;

  @Field(() => DateScalar)
  effectiveOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}
