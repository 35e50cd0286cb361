import { IsInt, Length, Max, MaxLength, Min } from "class-validator";
import { Field, InputType, Int, ObjectType } from "type-graphql";

import type { MoneyValue } from "../../domain/money/money";
import { UserError } from "../common/common.types";
import { DepositMode, Education, EmploymentForm, PaymentChannel } from "../common/enums";
import { DateScalar } from "../scalars/date.scalar";
import { IdNumberScalar } from "../scalars/id-number.scalar";
import { MoneyScalar } from "../scalars/money.scalar";
import { Account } from "./account.type";

@InputType({ description: "开户：灵活就业人员缴存登记。" })
export class EnrollWorkerInput {
  @Field(() => IdNumberScalar)
  idNumber: string;

  @Field(() => String)
  @Length(1, 50)
  name: string;

  @Field(() => String, { nullable: true })
  @MaxLength(20)
  phone?: string | null;

  @Field(() => String)
  @Length(6, 6)
  countyCode: string;

  @Field(() => EmploymentForm)
  employmentForm: EmploymentForm;

  @Field(() => Education, { nullable: true })
  education?: Education | null;

  @Field(() => DateScalar, { nullable: true })
  graduationDate?: string | null;

  @Field(() => Boolean, { description: "The written commitment 书面承诺; false is refused." })
  commitmentAccepted: boolean;

  @Field(() => MoneyScalar)
  monthlyAmount: MoneyValue;

  @Field(() => Int, { description: "1..28" })
  @IsInt()
  @Min(1)
  @Max(28)
  depositDay: number;

  @Field(() => DepositMode)
  mode: DepositMode;

  @Field(() => PaymentChannel)
  channel: PaymentChannel;

  @Field(() => String, { nullable: true, description: "Required for BANK_COLLECTION." })
  @MaxLength(40)
  bankAccount?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Women only: the original statutory retirement age the gradual reform starts from, 55 (the default) or 50. " +
      "Recorded on the person; the age rule uses it. 女性原法定退休年龄（55 或 50 周岁）。 Not in the contract (decision 015).",
  })
  originalRetirementAge?: number | null;

  @Field(() => DateScalar)
  enrolledOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class EnrollWorkerPayload {
  @Field(() => Account, { nullable: true })
  account: Account | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
