/**
 * The repayment schedule of an HPF loan 还款计划: the one place that computes it (domain.md, Loans).
 *
 * Monthly rate r = annual rate / 12. Instalment 1 falls due in the month after disbursement.
 * - Equal instalment 等额本息: payment = P·r·(1+r)^n / ((1+r)^n − 1), half-up to the fen; each month's interest =
 *   outstanding × r, half-up to the fen; principal = payment − interest; the last instalment takes the remaining
 *   principal (so its total differs from the payment by the fen drift).
 * - Equal principal 等额本金: principal = P / n, half-up to the fen, the last takes the rest; interest on the
 *   outstanding principal as above.
 * A prepayment of principal shortens the term 缩短期限: the monthly amount (the payment, or the monthly principal)
 * stays and fewer months remain (`replanAfterPrepayment`); it never lengthens the term.
 */
import { addMonths, monthOf } from "../calendar/calendar";
import { Money, type MoneyValue, roundFen, ZERO } from "../money/money";
import type { RepaymentMethod } from "./loan-vocabulary";

export type { RepaymentMethod };

export interface PlannedInstalment {
  /** 1..termMonths of the original plan. */
  number: number;
  /** The month it falls due, YYYY-MM. */
  period: string;
  principal: MoneyValue;
  interest: MoneyValue;
  total: MoneyValue;
  /** Principal still owed after this instalment is paid. */
  outstandingAfter: MoneyValue;
}

export interface LoanTerms {
  principal: MoneyValue;
  /** Decimal fraction, e.g. 0.026. */
  annualRate: MoneyValue;
  termMonths: number;
  method: RepaymentMethod;
  disbursedOn: string;
}

const ONE = new Money(1);
const MONTHS_PER_YEAR = 12;

function monthlyRate(annualRate: MoneyValue): MoneyValue {
  return annualRate.div(MONTHS_PER_YEAR);
}

function requirePositiveMonths(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`The term must be a positive whole number of months: ${n}`);
}

/** One month's interest on the outstanding principal, half-up to the fen (outstanding × annual rate / 12). */
export function monthlyInterest(outstanding: MoneyValue, annualRate: MoneyValue): MoneyValue {
  return roundFen(outstanding.times(annualRate).div(MONTHS_PER_YEAR));
}

/** The exact (unrounded) equal-instalment payment for P over n months: P·r·(1+r)^n / ((1+r)^n − 1); P / n at 0 %. */
export function exactInstalmentPayment(principal: MoneyValue, annualRate: MoneyValue, n: number): MoneyValue {
  requirePositiveMonths(n);
  const r = monthlyRate(annualRate);
  if (r.isZero()) return principal.div(n);
  const growth = ONE.plus(r).pow(n);
  return principal.times(r).times(growth).div(growth.minus(ONE));
}

/** The equal-instalment payment, half-up to the fen. */
export function instalmentPayment(principal: MoneyValue, annualRate: MoneyValue, n: number): MoneyValue {
  return roundFen(exactInstalmentPayment(principal, annualRate, n));
}

/**
 * The principal a monthly payment repays over n months, equal-instalment method (the inverse of the payment
 * formula): payment × ((1+r)^n − 1) / (r·(1+r)^n); payment × n at 0 %. Exact, not rounded.
 */
export function principalSupportedBy(payment: MoneyValue, annualRate: MoneyValue, n: number): MoneyValue {
  requirePositiveMonths(n);
  const r = monthlyRate(annualRate);
  if (r.isZero()) return payment.times(n);
  const growth = ONE.plus(r).pow(n);
  return payment.times(growth.minus(ONE)).div(r.times(growth));
}

/** The amount that stays level month to month: the payment (等额本息) or the monthly principal (等额本金). */
export function levelAmount(principal: MoneyValue, annualRate: MoneyValue, n: number, method: RepaymentMethod) {
  requirePositiveMonths(n);
  return method === "EQUAL_INSTALMENT" ? instalmentPayment(principal, annualRate, n) : roundFen(principal.div(n));
}

interface Amortization {
  outstanding: MoneyValue;
  annualRate: MoneyValue;
  method: RepaymentMethod;
  level: MoneyValue;
  months: number;
  firstNumber: number;
  firstPeriod: string;
}

/** Exactly `months` instalments of the level amount; the last takes whatever principal remains. */
function amortize(a: Amortization): PlannedInstalment[] {
  const instalments: PlannedInstalment[] = [];
  let outstanding = a.outstanding;
  for (let i = 0; i < a.months; i++) {
    const interest = monthlyInterest(outstanding, a.annualRate);
    const last = i === a.months - 1;
    const regular = a.method === "EQUAL_INSTALMENT" ? a.level.minus(interest) : a.level;
    const principal = last ? outstanding : Money.min(Money.max(regular, ZERO), outstanding);
    outstanding = outstanding.minus(principal);
    instalments.push({
      number: a.firstNumber + i,
      period: addMonths(a.firstPeriod, i),
      principal,
      interest,
      total: principal.plus(interest),
      outstandingAfter: outstanding,
    });
  }
  return instalments;
}

/** The full schedule of a newly disbursed loan. */
export function loanSchedule(terms: LoanTerms): PlannedInstalment[] {
  requirePositiveMonths(terms.termMonths);
  return amortize({
    outstanding: terms.principal,
    annualRate: terms.annualRate,
    method: terms.method,
    level: levelAmount(terms.principal, terms.annualRate, terms.termMonths, terms.method),
    months: terms.termMonths,
    firstNumber: 1,
    firstPeriod: addMonths(monthOf(terms.disbursedOn), 1),
  });
}

export interface Prepayment {
  method: RepaymentMethod;
  annualRate: MoneyValue;
  /** The loan's level amount (see `levelAmount`), kept after the prepayment. */
  level: MoneyValue;
  /** Principal owed after the prepayment. */
  outstanding: MoneyValue;
  /** The number and month of the next instalment due. */
  nextNumber: number;
  nextPeriod: string;
  /** Instalments the current plan still has (from nextNumber on): the new plan never has more. */
  remainingMonths: number;
}

/**
 * Months the level amount needs to repay the outstanding principal: for equal instalment the smallest n with
 * principalSupportedBy(level, rate, n) ≥ outstanding, i.e. ceil(−ln(1 − B·r / M) / ln(1 + r)); for equal principal
 * ceil(B / monthly principal).
 */
function monthsToRepay(p: Prepayment): number {
  const r = monthlyRate(p.annualRate);
  if (p.method === "EQUAL_PRINCIPAL" || r.isZero()) {
    // no interest to pay, or a level principal: the level amount repays that much principal each month
    return p.level.isZero() ? p.remainingMonths : p.outstanding.div(p.level).ceil().toNumber();
  }
  const share = p.outstanding.times(r).div(p.level);
  if (share.greaterThanOrEqualTo(ONE)) return p.remainingMonths; // the payment no longer covers the interest
  return ONE.minus(share).ln().neg().div(ONE.plus(r).ln()).ceil().toNumber();
}

/** The remaining schedule after a prepayment of principal: same level amount, a shorter term. */
export function replanAfterPrepayment(p: Prepayment): PlannedInstalment[] {
  requirePositiveMonths(p.remainingMonths);
  if (p.outstanding.isZero()) return [];
  const months = Math.max(1, Math.min(monthsToRepay(p), p.remainingMonths));
  return amortize({
    outstanding: p.outstanding,
    annualRate: p.annualRate,
    method: p.method,
    level: p.level,
    months,
    firstNumber: p.nextNumber,
    firstPeriod: p.nextPeriod,
  });
}
