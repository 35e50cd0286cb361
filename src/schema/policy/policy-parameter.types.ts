import { Length, MaxLength } from "class-validator";
import { Field, InputType, ObjectType } from "type-graphql";

import { UserError } from "../common/common.types";
import { DateScalar } from "../scalars/date.scalar";

@ObjectType({ simpleResolvers: true, description: "A policy parameter value in force from a date. 政策参数。" })
export class PolicyParameter {
  @Field(() => String)
  key: string;

  @Field(() => String)
  value: string;

  @Field(() => String, { nullable: true })
  unit: string | null;

  @Field(() => DateScalar)
  effectiveFrom: string;

  @Field(() => String, { nullable: true })
  source: string | null;
}

@InputType()
export class SetPolicyParameterInput {
  @Field(() => String)
  @Length(1, 100)
  key: string;

  @Field(() => String)
  @Length(1, 500)
  value: string;

  @Field(() => DateScalar)
  effectiveFrom: string;

  @Field(() => String, { nullable: true })
  @MaxLength(500)
  source?: string | null;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class SetPolicyParameterPayload {
  @Field(() => PolicyParameter, { nullable: true })
  parameter: PolicyParameter | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
