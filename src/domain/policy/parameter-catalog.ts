// Every policy parameter of domain.md: its key, kind, unit, default and where the default comes from.
// Calculations never hold these numbers as literals: they read the values in force on their business date.

export type ParameterKind = "money" | "integer" | "decimal" | "boolean" | "month" | "codes";

export interface ParameterDefinition {
  key: string;
  kind: ParameterKind;
  unit: string | null;
  defaultValue: string;
  /** The default's effective date: the pilot's start unless a source dates it otherwise. */
  effectiveFrom: string;
  source: string;
  description: string;
}

/** The pilot's start (晋市政办〔2023〕23号): the effective date of every default without a source dating it otherwise. */
export const PILOT_START_DATE = "2023-07-01";
const PILOT = PILOT_START_DATE;
const PLAN = "晋市政办〔2023〕23号";
const DOMAIN = "domain.md (2026 public sources; the center confirms)";

function def(
  key: string,
  kind: ParameterKind,
  unit: string | null,
  defaultValue: string,
  description: string,
  source = DOMAIN,
  effectiveFrom = PILOT,
): ParameterDefinition {
  return { key, kind, unit, defaultValue, effectiveFrom, source, description };
}

export const PARAMETER_CATALOG: readonly ParameterDefinition[] = [
  // Who may join
  def("enrolment.minAgeYears", "integer", "years", "16", "法定就业年龄 minimum working age"),
  def(
    "enrolment.countyCodes",
    "codes",
    null,
    "140502,140521,140522,140524,140525,140581",
    "晋城市县级区划代码 Jincheng county codes (城区 沁水 阳城 陵川 泽州 高平)",
    PLAN,
  ),
  def("retirement.male.baseAgeMonths", "integer", "months", "720", "男职工原法定退休年龄 60 周岁"),
  def("retirement.male.targetAgeMonths", "integer", "months", "756", "男职工延迟后退休年龄 63 周岁"),
  def("retirement.male.reformStartBirthMonth", "month", null, "1965-01", "渐进式延迟退休起始出生年月（男）"),
  def("retirement.male.stepBirthMonths", "integer", "months", "4", "每 4 个月出生延迟 1 个月（男）"),
  def("retirement.female.baseAgeMonths", "integer", "months", "660", "女性灵活就业人员原退休年龄 55 周岁"),
  def("retirement.female.targetAgeMonths", "integer", "months", "696", "女性延迟后退休年龄 58 周岁"),
  def("retirement.female.reformStartBirthMonth", "month", null, "1970-01", "渐进式延迟退休起始出生年月（女）"),
  def("retirement.female.stepBirthMonths", "integer", "months", "4", "每 4 个月出生延迟 1 个月（女）"),
  // Women whose original retirement age is 50 (the second track, domain.md: 50 -> 55; decision 015)
  def("retirement.female50.baseAgeMonths", "integer", "months", "600", "原法定退休年龄 50 周岁的女性"),
  def("retirement.female50.targetAgeMonths", "integer", "months", "660", "原 50 周岁女性延迟后退休年龄 55 周岁"),
  def(
    "retirement.female50.reformStartBirthMonth",
    "month",
    null,
    "1975-01",
    "渐进式延迟退休起始出生年月（原 50 周岁女性）",
  ),
  def("retirement.female50.stepBirthMonths", "integer", "months", "2", "每 2 个月出生延迟 1 个月（原 50 周岁女性）"),
  // Deposits (the 2026年度 limits are the only published figures; earlier years default to them until the center records theirs)
  def("deposit.monthlyMin", "money", "CNY", "216.00", "月缴存额下限 monthly deposit floor (2026年度)"),
  def("deposit.monthlyMax", "money", "CNY", "5804.00", "月缴存额上限 monthly deposit ceiling (2026年度: 24% × 24,183)"),
  def(
    "deposit.backPayWithinSettlementYear",
    "boolean",
    null,
    "true",
    "补缴仅限当前结算年度 back-payment only within the current settlement year",
  ),
  // Interest
  def("interest.annualRate", "decimal", "ratio", "0.015", "住房公积金存款年利率"),
  def("interestSubsidy.annualRate", "decimal", "ratio", "0.01", "利息补贴年利率"),
  def("interestSubsidy.minUnusedMonths", "integer", "months", "12", "利息补贴：缴存未使用最短月数"),
  def("interestSubsidy.capPerPerson", "money", "CNY", "10000.00", "利息补贴每人上限"),
  // Withdrawal and subsidies
  def("subsidy.withdrawableAfterMonths", "integer", "months", "0", "补贴资金可提取前的持有月数（0 = 即时可提）"),
  def("relativesTransfer.enabled", "boolean", null, "false", "缴存权益亲属间转让（探索，默认关闭）"),
  // Loans
  def("loan.minPaidMonths", "integer", "months", "6", "申请贷款最少缴存月数"),
  def("loan.balanceMultiple", "decimal", "times", "25", "贷款额度 = 余额倍数"),
  def("loan.balanceFloor", "money", "CNY", "0.00", "计算额度的余额下限"),
  def("loan.durationFactors", "codes", null, "6:0.6,12:0.8,24:0.9,36:1.0", "缴存时长系数（起始月数:系数）"),
  def("loan.stabilityFactors", "codes", null, "1.00:1.0,0.75:0.9,0:0.8", "缴存稳定性系数（近12个月缴存比例下限:系数）"),
  def("loan.creditFactorMinorOverdue", "decimal", "ratio", "0.8", "轻微逾期信用系数"),
  def("loan.maxAmount", "money", "CNY", "1100000.00", "最高贷款额度"),
  def("loan.repaymentIncomeRatio", "decimal", "ratio", "0.60", "月还款额占月收入上限"),
  def("loan.housePriceRatio", "decimal", "ratio", "0.80", "贷款额占房价上限"),
  def("loan.maxTermYears", "integer", "years", "30", "最长贷款年限"),
  def("loan.maxEndAgeMale", "integer", "years", "68", "贷款到期年龄上限（男）"),
  def("loan.maxEndAgeFemale", "integer", "years", "63", "贷款到期年龄上限（女）"),
  def("loan.rateUpTo5Years", "decimal", "ratio", "0.021", "首套 5 年及以下年利率"),
  def("loan.rateOver5Years", "decimal", "ratio", "0.026", "首套 5 年以上年利率"),
  def("loan.secondHomeRateUpTo5Years", "decimal", "ratio", "0.02525", "二套 5 年及以下年利率"),
  def("loan.secondHomeRateOver5Years", "decimal", "ratio", "0.03075", "二套 5 年以上年利率"),
  def("loan.creditFactorClean", "decimal", "ratio", "1.0", "征信无不良记录信用系数"),
  def("loan.quotaRoundingUnit", "money", "CNY", "1000.00", "贷款额度向下取整单位"),
  def("loan.writeOffOverdueMonths", "integer", "months", "6", "最早未还期次逾期满 N 个月核销并申请风险补偿金"),
  // Tax
  // Only the 2026 figure is published in our sources; like the deposit limits it applies from the pilot's start
  // until the center records each earlier year's cap (a later effective date wins from that date on).
  def("tax.baseCap", "money", "CNY", "24183.00", "缴存基数上限（上年月平均工资 3 倍，2026 年数）"),
  def("tax.deductibleRatio", "decimal", "ratio", "0.24", "可扣除比例（个人 + 单位部分）"),
  // Graduate subsidy
  def("graduateSubsidy.withinYears", "integer", "years", "5", "毕业年限"),
  def("graduateSubsidy.rate", "decimal", "ratio", "0.5", "补贴比例"),
  def("graduateSubsidy.monthlyCap", "money", "CNY", "200.00", "每月补贴上限"),
  def("graduateSubsidy.maxMonths", "integer", "months", "36", "最长补贴月数"),
  def("graduateSubsidy.minEducation", "codes", null, "VOCATIONAL", "最低学历（大专）"),
  // Housing
  def("housing.priorityMinConsecutiveMonths", "integer", "months", "6", "公租房优先：最少连续缴存月数"),
  def("housing.depositWaiverMinConsecutiveMonths", "integer", "months", "12", "租房押金减免：最少连续缴存月数"),
  def("housing.noUnpaidInLastMonths", "integer", "months", "3", "近 N 个月无欠缴"),
  // Risk
  def("risk.fraudWithdrawalBanYears", "integer", "years", "3", "骗提禁止年限"),
  def("risk.fraudLoanBanYears", "integer", "years", "5", "骗贷禁止年限"),
  def("liquidity.warningRatio", "decimal", "ratio", "0.85", "个贷率预警线"),
  def("liquidity.alarmRatio", "decimal", "ratio", "0.95", "个贷率警戒线"),
  // Disclosure of the pilot metrics (docs/decisions/009)
  def(
    "metrics.minCellSize",
    "integer",
    "persons",
    "5",
    "统计最小单元人数：不足该人数的分组合并为“其他”或不予显示 minimum cell size of published metrics",
    "hub review, issue 11 finding 9 (statistical disclosure control; the center confirms)",
  ),
  // Rate limits (issue 11): requests per minute, enforced per consumer (sub + org) and per client address
  def(
    "rateLimit.agencyPerMinute",
    "integer",
    "requests",
    "600",
    "部门系统每分钟请求上限 agency quota per consumer (sub + org)",
  ),
  def(
    "rateLimit.consumerPerMinute",
    "integer",
    "requests",
    "600",
    "中心及个人用户每分钟请求上限 other consumers' quota",
  ),
  def(
    "rateLimit.addressPerMinute",
    "integer",
    "requests",
    "3000",
    "每个来源地址每分钟请求上限 quota per client address",
  ),
];

export const PARAMETERS_BY_KEY: ReadonlyMap<string, ParameterDefinition> = new Map(
  PARAMETER_CATALOG.map((p) => [p.key, p]),
);

const FORMATS: Record<ParameterKind, RegExp> = {
  money: /^\d{1,16}\.\d{2}$/,
  integer: /^\d{1,9}$/,
  decimal: /^\d{1,9}(\.\d{1,8})?$/,
  boolean: /^(true|false)$/,
  month: /^\d{4}-(0[1-9]|1[0-2])$/,
  codes: /^[0-9A-Za-z_.:]+(,[0-9A-Za-z_.:]+)*$/,
};

/** Checks a value's shape for its parameter; returns a Chinese message when it does not fit. */
export function parameterValueProblem(key: string, value: string): string | null {
  const definition = PARAMETERS_BY_KEY.get(key);
  if (!definition) return `未知的政策参数 ${key}`;
  return FORMATS[definition.kind].test(value) ? null : `参数 ${key} 的取值格式不正确（应为 ${definition.kind}）`;
}
