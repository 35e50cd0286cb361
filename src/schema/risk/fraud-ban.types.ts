import { Length } from "class-validator";
import { Field, InputType, ObjectType } from "type-graphql";

import { UserError } from "../common/common.types";
import { BanKind } from "../common/enums";
import { DateScalar } from "../scalars/date.scalar";
import { IdNumberScalar } from "../scalars/id-number.scalar";

@ObjectType({
  simpleResolvers: true,
  description: "A fraud sanction 骗提骗贷惩戒: in force on dates from decidedOn and before until.",
})
export class FraudBan {
  @Field(() => BanKind)
  kind: string;

  @Field(() => DateScalar)
  decidedOn: string;

  @Field(() => DateScalar, {
    description: "decidedOn + the years of the kind; the first day the ban no longer applies.",
  })
  until: string;

  @Field(() => String)
  reason: string;
}

@InputType({ description: "The center's decision on a fraudulent withdrawal or loan. 记录骗提骗贷惩戒。" })
export class FraudBanInput {
  @Field(() => IdNumberScalar)
  idNumber: string;

  @Field(() => BanKind)
  kind: BanKind;

  @Field(() => DateScalar)
  decidedOn: string;

  @Field(() => String)
  @Length(1, 500)
  reason: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class FraudBanPayload {
  @Field(() => FraudBan, { nullable: true })
  ban: FraudBan | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
