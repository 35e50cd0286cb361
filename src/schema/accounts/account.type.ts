import { Field, ID, Int, ObjectType } from "type-graphql";

import { PageInfo } from "../common/common.types";
import { AccountKind, AccountStatus, EmploymentForm } from "../common/enums";
import { DateScalar, YearMonthScalar } from "../scalars/date.scalar";
import { IdNumberScalar } from "../scalars/id-number.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@ObjectType({ simpleResolvers: true, description: "One posting line on a worker's account. 账户明细。" })
export class LedgerEntry {
  @Field(() => ID)
  id: string;

  @Field(() => DateScalar)
  postedOn: string;

  @Field(() => String, {
    description: "DEPOSIT, LUMP_SUM, BACK_PAYMENT, WITHDRAWAL, EXIT_PAYOUT, INTEREST, GRADUATE_SUBSIDY, REVERSAL ...",
  })
  kind: string;

  @Field(() => MoneyScalar, { description: "Positive credits the worker, negative debits." })
  amount: string;

  @Field(() => YearMonthScalar, { nullable: true, description: "The month a deposit pays for." })
  period: string | null;

  @Field(() => MoneyScalar)
  balanceAfter: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The bank's or the payer's reference; for a WITHDRAWAL / EXIT_PAYOUT the payout reference the bank file answers to.",
  })
  paymentRef?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class LedgerEntryEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => LedgerEntry)
  node: LedgerEntry;
}

@ObjectType({ simpleResolvers: true })
export class LedgerEntryConnection {
  @Field(() => [LedgerEntryEdge])
  edges: LedgerEntryEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}

@ObjectType({
  simpleResolvers: true,
  description: "A personal HPF account with its whole history. 个人住房公积金账户。",
})
export class Account {
  @Field(() => String)
  accountNumber: string;

  @Field(() => IdNumberScalar, {
    description: "Full only for CENTER_* and the owner; masked (first 6, last 4) otherwise.",
  })
  idNumber: string;

  @Field(() => String)
  name: string;

  @Field(() => AccountKind)
  kind: string;

  @Field(() => AccountStatus)
  status: string;

  @Field(() => String)
  countyCode: string;

  @Field(() => EmploymentForm, { nullable: true })
  employmentForm: string | null;

  @Field(() => DateScalar)
  openedOn: string;

  @Field(() => MoneyScalar)
  balance: string;

  @Field(() => MoneyScalar)
  withdrawableBalance: string;

  @Field(() => Int, { description: "Deposit duration 缴存时长: months paid, all history counted." })
  paidMonths: number;

  @Field(() => Int, { description: "Consecutive paid months ending at the latest paid month. 连续缴存月数。" })
  consecutiveMonths: number;

  @Field(() => YearMonthScalar, { nullable: true, description: "缴至年月" })
  paidUpTo: string | null;

  @Field(() => MoneyScalar, { nullable: true })
  monthlyAmount: string | null;

  @Field(() => Boolean)
  hasOutstandingLoan: boolean;
}
