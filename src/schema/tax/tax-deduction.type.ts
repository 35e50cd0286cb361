// What the tax bureau sees: per person asked, the deposits paid in the tax year and their deductible part. Nothing
// else about the person is reachable from here (data minimization): no name, no account, no balance.
import { Field, Int, ObjectType } from "type-graphql";

import { YearMonthScalar } from "../scalars/date.scalar";
import { IdNumberScalar } from "../scalars/id-number.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@ObjectType({
  simpleResolvers: true,
  description: "One month covered by the payments of the tax year and its deductible part. 月度扣除额。",
})
export class MonthlyDeduction {
  @Field(() => YearMonthScalar)
  period: string;

  @Field(() => MoneyScalar)
  paid: string;

  @Field(() => MoneyScalar, { description: "min(paid, deductible ratio × base cap in force on the payment date)." })
  deductible: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "A person's deductible HPF deposits for an income-tax year. 个人所得税住房公积金扣除额。",
})
export class TaxDeduction {
  @Field(() => IdNumberScalar)
  idNumber: string;

  @Field(() => Int)
  taxYear: number;

  @Field(() => MoneyScalar, { description: "Deposits paid in the tax year (by payment date)." })
  paidAmount: string;

  @Field(() => MoneyScalar)
  deductibleAmount: string;

  @Field(() => [MonthlyDeduction])
  months: MonthlyDeduction[];
}
