// The loan book as the API shows it: applications, loans with their schedule, repayments and the monthly run.
import { Length } from "class-validator";
import { Field, InputType, Int, ObjectType, registerEnumType } from "type-graphql";

import { InstalmentStatus, LiquidityLevel, LoanStatus, RepaymentMethod } from "../../domain/loans/loan-vocabulary";
import type { MoneyValue } from "../../domain/money/money";
import { UserError } from "../common/common.types";
import { DateScalar, YearMonthScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";
import { LoanQuota } from "./loan-quota.types";

// The loan words are the domain's (src/domain/loans/loan-vocabulary.ts); here they are only registered.
export { InstalmentStatus, LiquidityLevel, LoanStatus, RepaymentMethod };

registerEnumType(LoanStatus, { name: "LoanStatus", description: "已审批待发放 / 已发放 / 已结清 / 已核销" });
registerEnumType(RepaymentMethod, { name: "RepaymentMethod", description: "等额本息 / 等额本金" });
registerEnumType(InstalmentStatus, { name: "InstalmentStatus", description: "待还 / 已还 / 逾期" });
registerEnumType(LiquidityLevel, {
  name: "LiquidityLevel",
  description: "个贷率 below the warning threshold, from it, from the alarm threshold. 正常 / 预警 / 警戒",
});

@InputType({ description: "贷款申请：checked against the quota on appliedOn, the national platform and credit." })
export class LoanApplicationInput {
  @Field(() => String)
  @Length(1, 32)
  accountNumber: string;

  @Field(() => DateScalar)
  appliedOn: string;

  @Field(() => MoneyScalar, { description: "Requested; at most the quota on appliedOn." })
  amount: MoneyValue;

  @Field(() => MoneyScalar)
  monthlyIncome: MoneyValue;

  @Field(() => MoneyScalar)
  housePrice: MoneyValue;

  @Field(() => Int)
  termYears: number;

  @Field(() => Boolean)
  firstHome: boolean;

  @Field(() => RepaymentMethod)
  method: RepaymentMethod;

  @Field(() => Boolean, { description: "冲还贷: each instalment is taken from the HPF balance first." })
  offsetFromBalance: boolean;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true, description: "One instalment of the repayment schedule. 还款计划。" })
export class Instalment {
  @Field(() => Int, { description: "1..termMonths" })
  number: number;

  @Field(() => YearMonthScalar, { description: "The month it falls due (the month after disbursement is number 1)." })
  period: string;

  @Field(() => MoneyScalar)
  principal: string;

  @Field(() => MoneyScalar)
  interest: string;

  @Field(() => MoneyScalar)
  total: string;

  @Field(() => MoneyScalar)
  paid: string;

  @Field(() => InstalmentStatus)
  status: string;
}

@ObjectType({ simpleResolvers: true, description: "An HPF loan of a flexible worker. 住房公积金个人住房贷款。" })
export class Loan {
  @Field(() => String)
  loanNumber: string;

  @Field(() => String)
  accountNumber: string;

  @Field(() => LoanStatus)
  status: string;

  @Field(() => MoneyScalar)
  amount: string;

  @Field(() => String, { description: 'Decimal fraction, e.g. "0.0260".' })
  annualRate: string;

  @Field(() => Int)
  termMonths: number;

  @Field(() => RepaymentMethod)
  method: string;

  @Field(() => Boolean)
  offsetFromBalance: boolean;

  @Field(() => DateScalar)
  appliedOn: string;

  @Field(() => DateScalar, { nullable: true })
  disbursedOn: string | null;

  @Field(() => MoneyScalar)
  outstandingPrincipal: string;

  @Field(() => Int)
  overdueInstalments: number;

  @Field(() => LoanQuota, { description: "The quota and its factors on appliedOn." })
  quota: LoanQuota;
}

@ObjectType({ simpleResolvers: true })
export class LoanPayload {
  @Field(() => Loan, { nullable: true })
  loan: Loan | null;

  @Field(() => [UserError])
  userErrors: UserError[];

  @Field(() => [UserError], { description: "Written anyway, e.g. LIQUIDITY_WARNING." })
  warnings: UserError[];
}

@InputType({ description: "还款：by bank or from the HPF balance; more than is due prepays principal." })
export class LoanRepaymentInput {
  @Field(() => String)
  @Length(1, 64)
  loanNumber: string;

  @Field(() => MoneyScalar)
  amount: MoneyValue;

  @Field(() => DateScalar)
  paidOn: string;

  @Field(() => String)
  @Length(1, 64)
  paymentRef: string;

  @Field(() => Boolean)
  fromBalance: boolean;

  @Field(() => String)
  @Length(1, 128)
  idempotencyKey: string;
}

@ObjectType({ simpleResolvers: true, description: "The month's repayment run. 月度冲还贷与逾期处理。" })
export class LoanRun {
  @Field(() => YearMonthScalar)
  period: string;

  @Field(() => Int, { description: "Instalments (wholly or in part) taken from balances by this run." })
  offsets: number;

  @Field(() => MoneyScalar)
  offsetAmount: string;

  @Field(() => Int, { description: "Instalments of the period still unpaid after the run (due from the bank)." })
  due: number;

  @Field(() => Int, { description: "Instalments overdue after the run (of loans not written off)." })
  overdue: number;
}

@ObjectType({ simpleResolvers: true })
export class LoanRunPayload {
  @Field(() => LoanRun, { nullable: true })
  run: LoanRun | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
