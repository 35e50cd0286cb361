// The leadership group's pilot metrics: aggregates only, so no field of a person is reachable from here.
import { Field, Int, ObjectType } from "type-graphql";

import { LiquidityLevel } from "../loans/loan.types";
import { YearMonthScalar } from "../scalars/date.scalar";
import { MoneyScalar } from "../scalars/money.scalar";

@ObjectType({ simpleResolvers: true, description: "One month of the window. 月度数据。" })
export class MetricPoint {
  @Field(() => YearMonthScalar)
  period: string;

  @Field(() => Int)
  enrolled: number;

  @Field(() => MoneyScalar)
  depositAmount: string;

  @Field(() => MoneyScalar)
  withdrawalAmount: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "Active accounts at the end of the window and deposits in it, for one county or employment form. 分组数据。",
})
export class MetricGroup {
  @Field(() => String)
  key: string;

  @Field(() => Int)
  activeAccounts: number;

  @Field(() => MoneyScalar)
  depositAmount: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "Pilot metrics for a window of months, by business date. 试点统计指标。",
})
export class PilotMetrics {
  @Field(() => YearMonthScalar)
  from: string;

  @Field(() => YearMonthScalar)
  to: string;

  @Field(() => Int, { description: "Enrolments in the window (a conversion back to flexible counts)." })
  enrolledTotal: number;

  @Field(() => Int, { description: "Active at the end of the window." })
  activeAccounts: number;

  @Field(() => Int)
  exitedTotal: number;

  @Field(() => MoneyScalar)
  depositAmount: string;

  @Field(() => Int, { description: "Payments: a lump sum is one payment." })
  depositCount: number;

  @Field(() => MoneyScalar)
  withdrawalAmount: string;

  @Field(() => Int)
  loanCount: number;

  @Field(() => MoneyScalar)
  loanAmount: string;

  @Field(() => MoneyScalar)
  graduateSubsidyAmount: string;

  @Field(() => MoneyScalar)
  interestSubsidyAmount: string;

  @Field(() => MoneyScalar, { description: "Fund interest credited in the window (business type 09). 结息金额。" })
  interestAmount: string;

  @Field(() => Int, { description: "Enrolments or loans refused by the national duplicate check." })
  duplicateBlocks: number;

  @Field(() => Int, { description: "Flexible accounts converted to employer-based in the window (转为单位缴存)." })
  convertedToEmployer: number;

  @Field(() => String, {
    description: '个贷率: outstanding loans ÷ deposit balances of the flexible pool, 4 decimals, e.g. "0.4213".',
  })
  loanToDepositRatio: string;

  @Field(() => LiquidityLevel, {
    description:
      "The ratio at the end of the window against the policy thresholds (预警 85 %, 警戒 95 %). 流动性等级。",
  })
  liquidityLevel: string;

  @Field(() => Int, { description: "Loan applications in the window, approved or refused. 贷款申请笔数。" })
  loanApplications: number;

  @Field(() => Int, { description: "Loans with an overdue instalment at the end of the window. 逾期贷款笔数。" })
  loanOverdueCount: number;

  @Field(() => Boolean, {
    description:
      'True when figures of a group smaller than the minimum cell size were withheld or folded into key "OTHER". 小单元格已隐去或合并。',
  })
  suppressed: boolean;

  @Field(() => [MetricPoint])
  monthly: MetricPoint[];

  @Field(() => [MetricGroup])
  byCounty: MetricGroup[];

  @Field(() => [MetricGroup])
  byEmploymentForm: MetricGroup[];
}
