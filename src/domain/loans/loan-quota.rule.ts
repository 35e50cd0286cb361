/**
 * The deposit-linked loan quota 存贷挂钩贷款额度 ("长缴多贷、多缴多贷"): the one place that computes it (domain.md,
 * Loans and Risk control). Pure: the facts of the account and the parameters in force on asOf come in as arguments.
 *
 * - Gate: an active account (a sealed, frozen or closed one does not borrow), at least `minPaidMonths` paid months, no fraud ban in force, credit not SERIOUS, not on the dishonest-persons
 *   list, and a term that can still end before the age limit. Every failed gate is reported (LOAN_QUOTA_REASONS order).
 * - Base = multiple × max(balance, balance floor); then the duration, stability and credit factors.
 * - Caps: the maximum loan; repayment capacity (the principal that an equal-instalment payment of at most
 *   `repaymentIncomeRatio` × monthly income repays over the term at the rate for that term); `housePriceRatio` × price.
 * - Term: the requested years, cut to at most `maxTermYears` and to end before the age limit for the borrower's sex
 *   (sex and birth date from the ID number); the rate and the capacity cap use the cut term. The loan is taken to
 *   start on asOf, so it ends `termMonths` months later, at an age in completed months of age(asOf) + termMonths,
 *   which must stay below maxEndAge × 12.
 * - Quota = the smallest of the deposit-linked amount and the caps, rounded down to `roundingUnit` (1,000 元);
 *   0.00 when a gate fails. Every factor is returned in the order applied, with its value and a Chinese explanation.
 */
import { parseIdNumber } from "../accounts/id-number";
import { ageInMonthsOn } from "../calendar/calendar";
import { formatMoney, Money, type MoneyValue, ZERO } from "../money/money";
import { principalSupportedBy } from "./loan-schedule.rule";

export type CreditLevel = "CLEAN" | "MINOR_OVERDUE" | "SERIOUS";

export interface FactorStep {
  /** The step applies from this value on (paid months, or a share of months as a fraction). */
  from: MoneyValue;
  factor: MoneyValue;
}

export interface LoanRates {
  upTo5Years: MoneyValue;
  over5Years: MoneyValue;
}

/** The parameters in force on asOf (policy keys `loan.*`). */
export interface LoanQuotaParameters {
  minPaidMonths: number;
  balanceMultiple: MoneyValue;
  balanceFloor: MoneyValue;
  durationFactors: readonly FactorStep[];
  stabilityFactors: readonly FactorStep[];
  creditFactorClean: MoneyValue;
  creditFactorMinorOverdue: MoneyValue;
  maxAmount: MoneyValue;
  repaymentIncomeRatio: MoneyValue;
  housePriceRatio: MoneyValue;
  maxTermYears: number;
  maxEndAgeMale: number;
  maxEndAgeFemale: number;
  firstHomeRates: LoanRates;
  secondHomeRates: LoanRates;
  roundingUnit: MoneyValue;
}

/** What is known about the borrower on asOf. */
export interface LoanQuotaFacts {
  idNumber: string;
  balance: MoneyValue;
  /** Deposit duration 缴存时长: months paid, all history included. */
  paidMonths: number;
  /** Of the `of` calendar months before asOf's month (12), how many were paid (deposit history's stabilityAsOf). */
  stability: { paid: number; of: number };
  credit: { level: CreditLevel; dishonestList: boolean };
  fraudBanInForce: boolean;
  /** The account's status is ACTIVE (正常) on asOf. */
  accountActive: boolean;
}

export interface LoanQuotaRequest {
  asOf: string;
  monthlyIncome: MoneyValue;
  housePrice: MoneyValue;
  termYears: number;
  firstHome: boolean;
}

export const LOAN_QUOTA_REASONS = [
  "ACCOUNT_NOT_ACTIVE",
  "PAID_MONTHS_BELOW_MINIMUM",
  "FRAUD_BAN",
  "CREDIT_SERIOUS",
  "DISHONEST_LIST",
  "AGE_LIMIT_REACHED",
] as const;
export type LoanQuotaReason = (typeof LOAN_QUOTA_REASONS)[number];

export interface LoanQuotaFactor {
  /** Stable code: BASE, DURATION, STABILITY, CREDIT, DEPOSIT_LINKED, MAX_AMOUNT, TERM, RATE, REPAYMENT_CAPACITY, HOUSE_PRICE, QUOTA. */
  name: string;
  value: string;
  explanation: string;
}

export interface LoanQuota {
  eligible: boolean;
  quota: MoneyValue;
  reasons: LoanQuotaReason[];
  factors: LoanQuotaFactor[];
  /** The term the quota was computed for, after the cuts, and its annual rate (a loan applied for uses both). */
  termMonths: number;
  annualRate: MoneyValue;
}

/** Up to this many months the short-term rate applies (the parameters are named `...UpTo5Years`). */
const SHORT_TERM_MONTHS = 60;
const MONTHS_PER_YEAR = 12;

/** Parses a factor table parameter, "6:0.6,12:0.8,24:0.9,36:1.0", into steps sorted by `from`. */
export function parseFactorTable(text: string): FactorStep[] {
  const steps = text.split(",").map((pair) => {
    const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(pair.trim());
    if (!match) throw new RangeError(`Not a factor table entry (from:factor): ${JSON.stringify(pair)}`);
    return { from: new Money(match[1]!), factor: new Money(match[2]!) };
  });
  return steps.sort((a, b) => a.from.comparedTo(b.from));
}

/** The step with the largest `from` not above `value`; null when value is below every step. */
function stepFor(
  steps: readonly FactorStep[],
  value: MoneyValue,
): { step: FactorStep; next: FactorStep | null } | null {
  let found: number | null = null;
  steps.forEach((s, i) => {
    if (s.from.lessThanOrEqualTo(value)) found = i;
  });
  if (found === null) return null;
  return { step: steps[found]!, next: steps[found + 1] ?? null };
}

/** A factor or ratio printed with at least one decimal ("0.8", "1.0", "0.75"). */
function ratio(d: MoneyValue): string {
  return d.toFixed(Math.max(1, d.decimalPlaces()));
}

/** A rate as a decimal fraction with at least four decimals ("0.0260", "0.02525"). */
function rateText(d: MoneyValue): string {
  return d.toFixed(Math.max(4, d.decimalPlaces()));
}

function percent(d: MoneyValue): string {
  return `${d.times(100).toFixed(Math.max(0, d.decimalPlaces() - 2))}%`;
}

/** Cut down to the fen: a cap is never shown (or used) above what it allows. */
function fenDown(d: MoneyValue): MoneyValue {
  return d.toDecimalPlaces(2, Money.ROUND_DOWN);
}

function ageText(months: number): string {
  return `${Math.floor(months / MONTHS_PER_YEAR)} 岁 ${months % MONTHS_PER_YEAR} 个月`;
}

function durationFactor(paidMonths: number, p: LoanQuotaParameters): { value: MoneyValue; explanation: string } {
  const found = stepFor(p.durationFactors, new Money(paidMonths));
  const head = `缴存时长系数：已缴存 ${paidMonths} 个月`;
  if (!found)
    return { value: ZERO, explanation: `${head}，不足 ${p.durationFactors[0]?.from.toFixed(0)} 个月，无系数` };
  const { step, next } = found;
  const raise = next ? `；缴满 ${next.from.toFixed(0)} 个月可升至 ${ratio(next.factor)}` : "";
  return {
    value: step.factor,
    explanation: `${head}（${step.from.toFixed(0)} 个月及以上）→ ${ratio(step.factor)}${raise}`,
  };
}

function stabilityFactor(facts: LoanQuotaFacts, p: LoanQuotaParameters): { value: MoneyValue; explanation: string } {
  const { paid, of } = facts.stability;
  const share = of > 0 ? new Money(paid).div(of) : ZERO;
  const found = stepFor(p.stabilityFactors, share);
  const head = `缴存稳定性系数：上月及之前 ${of} 个月中已缴 ${paid} 个月`;
  if (!found) return { value: ZERO, explanation: `${head}，无系数` };
  const { step, next } = found;
  const raise = next ? `；按月足额缴存可升至 ${ratio(next.factor)}` : "";
  return {
    value: step.factor,
    explanation: `${head}（${percent(step.from)} 及以上）→ ${ratio(step.factor)}${raise}`,
  };
}

function creditFactor(facts: LoanQuotaFacts, p: LoanQuotaParameters): { value: MoneyValue; explanation: string } {
  if (facts.credit.dishonestList) return { value: ZERO, explanation: "信用系数：列入失信被执行人名单，不予贷款 → 0" };
  switch (facts.credit.level) {
    case "SERIOUS":
      return { value: ZERO, explanation: "信用系数：征信存在严重不良记录，不予贷款 → 0" };
    case "MINOR_OVERDUE":
      return {
        value: p.creditFactorMinorOverdue,
        explanation: `信用系数：征信有轻微逾期 → ${ratio(p.creditFactorMinorOverdue)}；记录消除后可升至 ${ratio(p.creditFactorClean)}`,
      };
    case "CLEAN":
      return { value: p.creditFactorClean, explanation: `信用系数：征信无不良记录 → ${ratio(p.creditFactorClean)}` };
  }
}

interface Term {
  months: number;
  explanation: string;
}

/** The term after the cuts: at most maxTermYears, and ending before the age limit for the borrower's sex. */
function loanTerm(facts: LoanQuotaFacts, request: LoanQuotaRequest, p: LoanQuotaParameters): Term {
  const parsed = parseIdNumber(facts.idNumber);
  if (!parsed.ok) throw new RangeError(`The borrower's ID number is not valid (${parsed.reason})`);
  const male = parsed.value.sex === "M";
  const endAge = male ? p.maxEndAgeMale : p.maxEndAgeFemale;
  const age = ageInMonthsOn(parsed.value.birthDate, request.asOf);
  const byAge = Math.max(0, endAge * MONTHS_PER_YEAR - 1 - age);
  const requested = request.termYears * MONTHS_PER_YEAR;
  const months = Math.min(requested, p.maxTermYears * MONTHS_PER_YEAR, byAge);
  const cut = months < requested ? `（已缩短，申请 ${request.termYears} 年）` : "";
  const limits = `最长 ${p.maxTermYears} 年，须在 ${endAge} 周岁前还清（${male ? "男" : "女"}，现年 ${ageText(age)}）`;
  return { months, explanation: `贷款期限：${limits}→ ${months} 个月${cut}` };
}

function annualRate(termMonths: number, firstHome: boolean, p: LoanQuotaParameters): MoneyValue {
  const rates = firstHome ? p.firstHomeRates : p.secondHomeRates;
  return termMonths <= SHORT_TERM_MONTHS ? rates.upTo5Years : rates.over5Years;
}

function gateReasons(facts: LoanQuotaFacts, termMonths: number, p: LoanQuotaParameters): LoanQuotaReason[] {
  const failed = new Set<LoanQuotaReason>();
  if (!facts.accountActive) failed.add("ACCOUNT_NOT_ACTIVE");
  if (facts.paidMonths < p.minPaidMonths) failed.add("PAID_MONTHS_BELOW_MINIMUM");
  if (facts.fraudBanInForce) failed.add("FRAUD_BAN");
  if (facts.credit.level === "SERIOUS") failed.add("CREDIT_SERIOUS");
  if (facts.credit.dishonestList) failed.add("DISHONEST_LIST");
  if (termMonths < 1) failed.add("AGE_LIMIT_REACHED");
  return LOAN_QUOTA_REASONS.filter((code) => failed.has(code));
}

function requireWholeYears(termYears: number): void {
  if (!Number.isInteger(termYears) || termYears < 1) {
    throw new RangeError(`The requested term must be a positive whole number of years: ${termYears}`);
  }
}

/** The quota of one borrower on asOf, with every factor that made it. */
export function loanQuota(facts: LoanQuotaFacts, request: LoanQuotaRequest, p: LoanQuotaParameters): LoanQuota {
  requireWholeYears(request.termYears);
  const factors: LoanQuotaFactor[] = [];
  const add = (name: string, value: string, explanation: string) => factors.push({ name, value, explanation });

  const counted = Money.max(facts.balance, p.balanceFloor);
  const base = p.balanceMultiple.times(counted);
  add(
    "BASE",
    formatMoney(base),
    `基数：余额 ${formatMoney(facts.balance)} 元（计算下限 ${formatMoney(p.balanceFloor)} 元）× 倍数 ${p.balanceMultiple.toString()} = ${formatMoney(base)} 元`,
  );
  const duration = durationFactor(facts.paidMonths, p);
  add("DURATION", ratio(duration.value), duration.explanation);
  const stability = stabilityFactor(facts, p);
  add("STABILITY", ratio(stability.value), stability.explanation);
  const credit = creditFactor(facts, p);
  add("CREDIT", ratio(credit.value), credit.explanation);
  const linked = fenDown(base.times(duration.value).times(stability.value).times(credit.value));
  const product = [duration, stability, credit].map((f) => ratio(f.value)).join(" × ");
  add("DEPOSIT_LINKED", formatMoney(linked), `存贷挂钩额度：基数 × ${product} = ${formatMoney(linked)} 元`);

  add("MAX_AMOUNT", formatMoney(p.maxAmount), `最高贷款额度：${formatMoney(p.maxAmount)} 元`);
  const term = loanTerm(facts, request, p);
  add("TERM", String(term.months), term.explanation);
  const rate = annualRate(term.months, request.firstHome, p);
  const years = term.months <= SHORT_TERM_MONTHS ? "5 年及以下" : "5 年以上";
  add(
    "RATE",
    rateText(rate),
    `贷款年利率：${request.firstHome ? "首套房" : "二套房"}，期限 ${years} → ${percent(rate)}`,
  );
  const payment = request.monthlyIncome.times(p.repaymentIncomeRatio);
  const capacity = term.months < 1 ? ZERO : fenDown(principalSupportedBy(payment, rate, term.months));
  add(
    "REPAYMENT_CAPACITY",
    formatMoney(capacity),
    `还款能力上限：月收入 ${formatMoney(request.monthlyIncome)} 元 × ${percent(p.repaymentIncomeRatio)} = 月还款 ${fenDown(payment).toFixed(2)} 元，` +
      `按等额本息、年利率 ${percent(rate)}、${term.months} 个月可贷 ${formatMoney(capacity)} 元`,
  );
  const byPrice = fenDown(request.housePrice.times(p.housePriceRatio));
  add(
    "HOUSE_PRICE",
    formatMoney(byPrice),
    `房价上限：房价 ${formatMoney(request.housePrice)} 元 × ${percent(p.housePriceRatio)} = ${formatMoney(byPrice)} 元`,
  );

  const reasons = gateReasons(facts, term.months, p);
  const limits: [string, MoneyValue][] = [
    ["存贷挂钩额度", linked],
    ["最高贷款额度", p.maxAmount],
    ["还款能力上限", capacity],
    ["房价上限", byPrice],
  ];
  const [bindingName, smallest] = limits.reduce((min, entry) => (entry[1].lessThan(min[1]) ? entry : min));
  const rounded = smallest.div(p.roundingUnit).floor().times(p.roundingUnit);
  const quota = reasons.length === 0 ? rounded : ZERO;
  add(
    "QUOTA",
    formatMoney(quota),
    reasons.length === 0
      ? `贷款额度：取以上较小者（${bindingName}）${formatMoney(smallest)} 元，向下取整至 ${formatMoney(p.roundingUnit)} 元 → ${formatMoney(quota)} 元`
      : `贷款额度：不符合贷款条件（${reasons.join(", ")}）→ 0.00 元`,
  );
  return { eligible: reasons.length === 0, quota, reasons, factors, termMonths: term.months, annualRate: rate };
}
