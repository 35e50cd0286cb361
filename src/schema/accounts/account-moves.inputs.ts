// Accounts that move (wave 2): conversion, plan changes and transfers in. Names as in the contract.
import { IsInt, Length, Max, MaxLength, Min } from "class-validator";
import { Field, InputType, Int, ObjectType } from "type-graphql";

import type { MoneyValue } from "../../domain/money/money";
import { UserError } from "../common/common.types";
import { AccountKind, DepositMode, PaymentChannel, Relation } from "../common/enums";
import { DateScalar, YearMonthScalar } from "../scalars/date.scalar";
import { IdNumberScalar } from "../scalars/id-number.scalar";
import { MoneyScalar } from "../scalars/money.scalar";
import { Account, LedgerEntry } from "./account.type";

@ObjectType({ simpleResolvers: true })
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

@InputType({ description: "变更缴存计划：新的月缴存额、缴存日、方式或渠道，自某月起生效。" })
export class ChangeDepositPlanInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

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

  @Field(() => YearMonthScalar, {
    description: "The first month the new plan pays for; not before requestedOn's month, never a month already paid.",
  })
  effectiveFrom: string;

  @Field(() => DateScalar)
  requestedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@InputType({
  description: "An accepted transfer from another city's center (national transfer platform), as received. 异地转入。",
})
export class TransferInInput {
  @Field(() => String, { description: "Unique; the transfer's own idempotency." })
  @Length(1, 32)
  contactLetterNo: string;

  @Field(() => String)
  @Length(1, 16)
  fromCenter: string;

  @Field(() => IdNumberScalar)
  idNumber: string;

  @Field(() => String)
  @Length(1, 50)
  name: string;

  @Field(() => String)
  @Length(6, 6)
  countyCode: string;

  @Field(() => MoneyScalar)
  principal: MoneyValue;

  @Field(() => MoneyScalar)
  interest: MoneyValue;

  @Field(() => YearMonthScalar)
  openedMonth: string;

  @Field(() => YearMonthScalar)
  paidUpTo: string;

  @Field(() => Boolean)
  lastSixMonthsContinuous: boolean;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(1200)
  paidMonths: number;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(100)
  loanCount: number;

  @Field(() => Boolean)
  loanOutstanding: boolean;

  @Field(() => Boolean)
  fraudFlag: boolean;

  @Field(() => DateScalar)
  receivedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@InputType({ description: "异地转出：经全国住房公积金转移接续平台转往另一城市的公积金中心。" })
export class TransferOutInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => String)
  @Length(1, 16)
  toCenter: string;

  @Field(() => DateScalar)
  requestedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@InputType({ description: "缴存权益亲属间转让（探索，政策开关 relativesTransfer.enabled）。" })
export class RelativeTransferInput {
  @Field(() => String)
  @Length(1, 32)
  fromAccountNumber: string;

  @Field(() => String)
  @Length(1, 32)
  toAccountNumber: string;

  @Field(() => Relation)
  relation: Relation;

  @Field(() => MoneyScalar)
  amount: MoneyValue;

  @Field(() => DateScalar)
  requestedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class TransferPayload {
  @Field(() => Account, { nullable: true })
  account: Account | null;

  @Field(() => String, { nullable: true })
  contactLetterNo: string | null;

  @Field(() => [LedgerEntry])
  entries: LedgerEntry[];

  @Field(() => [UserError])
  userErrors: UserError[];
}
