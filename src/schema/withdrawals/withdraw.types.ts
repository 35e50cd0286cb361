import { Length } from "class-validator";
import { Field, InputType, ObjectType } from "type-graphql";

import type { MoneyValue } from "../../domain/money/money";
import { Account, LedgerEntry } from "../accounts/account.type";
import { UserError } from "../common/common.types";
import { DateScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@InputType({ description: "部分提取：可提取余额内的任意金额。" })
export class WithdrawInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => MoneyScalar)
  amount: MoneyValue;

  @Field(() => DateScalar, { description: "The business date the account is debited on." })
  requestedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@InputType({ description: "解除缴存使用协议（退出）：结息至前一日，余额全部提取，销户。" })
export class ExitInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => DateScalar)
  requestedOn: string;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true })
export class WithdrawPayload {
  @Field(() => Account, { nullable: true })
  account: Account | null;

  @Field(() => LedgerEntry, { nullable: true, description: "The WITHDRAWAL or EXIT_PAYOUT entry." })
  entry: LedgerEntry | null;

  @Field(() => [LedgerEntry], {
    description: "Every entry the operation posted, in order (e.g. INTEREST to date, then EXIT_PAYOUT).",
  })
  entries: LedgerEntry[];

  @Field(() => [UserError])
  userErrors: UserError[];
}
