import { IsInt, Length, Max, Min } from "class-validator";
import { Field, InputType, Int, ObjectType } from "type-graphql";

import type { MoneyValue } from "../../domain/money/money";
import { Account, LedgerEntry } from "../accounts/account.type";
import { UserError } from "../common/common.types";
import { PaymentChannel } from "../common/enums";
import { DateScalar, YearMonthScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@InputType({ description: "按月缴存或补缴一个月。" })
export class RecordDepositInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => YearMonthScalar, { description: "The month paid for." })
  period: string;

  @Field(() => MoneyScalar)
  amount: MoneyValue;

  @Field(() => PaymentChannel)
  channel: PaymentChannel;

  @Field(() => String)
  @Length(1, 64)
  paymentRef: string;

  @Field(() => DateScalar)
  paidOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@InputType({ description: "趸缴一个结算年度（或其剩余月份）。" })
export class PayLumpSumInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => Int, { description: "2026 = 2026-07-01 .. 2027-06-30" })
  @IsInt()
  @Min(2000)
  @Max(2100)
  settlementYear: number;

  @Field(() => MoneyScalar, { description: "Must equal monthly amount x months covered." })
  amount: MoneyValue;

  @Field(() => PaymentChannel)
  channel: PaymentChannel;

  @Field(() => String)
  @Length(1, 64)
  paymentRef: string;

  @Field(() => DateScalar)
  paidOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class DepositPayload {
  @Field(() => Account, { nullable: true })
  account: Account | null;

  @Field(() => [LedgerEntry])
  entries: LedgerEntry[];

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ simpleResolvers: true, description: "银行托收回盘导入结果。" })
export class BankImportResult {
  @Field(() => Int, { description: "SUCCESS rows posted." })
  accepted: number;

  @Field(() => Int, { description: "Rows refused by a rule or malformed (see errors)." })
  rejected: number;

  @Field(() => Int, { description: "Rows whose paymentRef was already imported." })
  duplicates: number;

  @Field(() => Int, { description: "FAILED rows recorded as missed collections." })
  missed: number;

  @Field(() => Int, { description: "Data rows read (header and blank lines excluded)." })
  rows: number;

  @Field(() => [UserError], {
    description: "Each rejected row's line (field = line:N) and code; at most 1,000 listed.",
  })
  errors: UserError[];
}
