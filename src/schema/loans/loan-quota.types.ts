// The deposit-linked loan quota 存贷挂钩贷款额度 as the API shows it: the figure, the gates that failed and every factor.
import { IsInt, Length, Max, Min } from "class-validator";
import { Field, InputType, Int, ObjectType } from "type-graphql";

import type { MoneyValue } from "../../domain/money/money";
import { DateScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@InputType({ description: "贷款额度试算。The quota of an account on a date, for a house, an income and a term." })
export class LoanQuotaInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => DateScalar, { description: "The date the quota is for; the policy parameters in force then apply." })
  asOf: string;

  @Field(() => MoneyScalar, { description: "月收入 monthly income; the repayment-capacity cap is a share of it." })
  monthlyIncome: MoneyValue;

  @Field(() => MoneyScalar, { description: "房价 house price; the loan is at most a share of it." })
  housePrice: MoneyValue;

  @Field(() => Int, { description: "Requested term in years; cut to the maximum term and the age limit." })
  @IsInt()
  @Min(1)
  @Max(100)
  termYears: number;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: true,
    description: "首套房 (true) or second home: picks the rate the repayment-capacity cap uses.",
  })
  firstHome?: boolean | null;
}

@ObjectType({ simpleResolvers: true, description: "One factor of the quota, in the order applied. 额度计算因素。" })
export class LoanQuotaFactor {
  @Field(() => String, {
    description:
      "Stable code: BASE, DURATION, STABILITY, CREDIT, DEPOSIT_LINKED, MAX_AMOUNT, TERM, RATE, REPAYMENT_CAPACITY, HOUSE_PRICE, QUOTA.",
  })
  name: string;

  @Field(() => String, { description: "Its value: an amount in yuan, a factor, a term in months or a rate." })
  value: string;

  @Field(() => String, { description: "中文说明：how the value was reached and, where it can, what would raise it." })
  explanation: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "贷款额度 the deposit-linked loan quota, with every factor that made it.",
})
export class LoanQuota {
  @Field(() => Boolean)
  eligible: boolean;

  @Field(() => MoneyScalar, { description: "Rounded down to 1,000 元; 0.00 when not eligible." })
  quota: MoneyValue;

  @Field(() => [String], {
    description:
      "Codes of every gate that failed: ACCOUNT_NOT_ACTIVE, PAID_MONTHS_BELOW_MINIMUM, FRAUD_BAN, CREDIT_SERIOUS, DISHONEST_LIST, AGE_LIMIT_REACHED.",
  })
  reasons: string[];

  @Field(() => [LoanQuotaFactor], { description: "Every factor applied, in order, so the figure can be explained." })
  factors: LoanQuotaFactor[];
}
