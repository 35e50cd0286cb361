// The loan book as the services share it: the loan view (what mutations store and replay, and what the API shows),
// the loans of a person (the account-state rules decide on them), the flexible pool's liquidity from the metric
// rollups, and the fraud-ban fact of the borrow rule.
import { dateToString } from "../../db/dates";
import type { SqlTx } from "../../db/driver-sql";
import type { Tx } from "../../db/transaction";
import { type LiquidityLevel, liquidityLevel } from "../../domain/loans/loan-repayment.rule";
import {
  LOAN_IN_APPLICATION,
  LOAN_OUTSTANDING,
  type LoanStatus,
  OPEN_LOAN_STATUSES,
} from "../../domain/loans/loan-vocabulary";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import { maintainedSource } from "../metrics/metric-sources";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { isBanned } from "../risk/fraud-bans";
import type { LoanQuotaAnswer } from "./loan-quota";

export { type LoanStatus, OPEN_LOAN_STATUSES };

export interface StoredQuota {
  eligible: boolean;
  quota: string;
  reasons: string[];
  factors: { name: string; value: string; explanation: string }[];
}

/** JSON-able view of a loan (money as strings). */
export interface LoanView {
  loanNumber: string;
  accountNumber: string;
  /** The borrower, for the exchange record (not a GraphQL field). */
  idNumber: string;
  status: LoanStatus;
  amount: string;
  annualRate: string;
  termMonths: number;
  method: string;
  offsetFromBalance: boolean;
  appliedOn: string;
  disbursedOn: string | null;
  outstandingPrincipal: string;
  overdueInstalments: number;
  quota: StoredQuota;
}

export function storedQuota(q: LoanQuotaAnswer): StoredQuota {
  return {
    eligible: q.eligible,
    quota: formatMoney(q.quota),
    reasons: [...q.reasons],
    factors: q.factors.map((f) => ({ name: f.name, value: f.value, explanation: f.explanation })),
  };
}

/** A rate as a decimal fraction with at least 4 decimals ("0.0260", "0.02525"). */
export function formatRate(rate: MoneyValue): string {
  return rate.toFixed(Math.max(4, rate.decimalPlaces()));
}

interface LoanRow {
  loan_number: string;
  account_number: string;
  id_number: string;
  status: LoanStatus;
  amount: { toFixed(): string };
  annual_rate: { toFixed(): string };
  term_months: number;
  method: string;
  offset_from_balance: boolean;
  applied_on: Date;
  disbursed_on: Date | null;
  outstanding_principal: { toFixed(): string };
  overdue: bigint;
  quota: StoredQuota;
}

const SELECT_LOANS = Prisma.sql`
  SELECT l.loan_number, a.account_number, p.id_number::text AS id_number, l.status, l.amount, l.annual_rate,
         l.term_months, l.method, l.offset_from_balance, l.applied_on, l.disbursed_on, l.outstanding_principal,
         (SELECT count(*) FROM loan_instalment i WHERE i.loan_id = l.id AND i.status = 'OVERDUE') AS overdue, l.quota
  FROM loan l JOIN account a ON a.id = l.account_id JOIN person p ON p.id = l.person_id`;

function toView(r: LoanRow): LoanView {
  return {
    loanNumber: r.loan_number,
    accountNumber: r.account_number,
    idNumber: r.id_number,
    status: r.status,
    amount: formatMoney(toMoney(r.amount)),
    annualRate: formatRate(toMoney(r.annual_rate)),
    termMonths: r.term_months,
    method: r.method,
    offsetFromBalance: r.offset_from_balance,
    appliedOn: dateToString(r.applied_on),
    disbursedOn: r.disbursed_on ? dateToString(r.disbursed_on) : null,
    outstandingPrincipal: formatMoney(toMoney(r.outstanding_principal)),
    overdueInstalments: Number(r.overdue),
    quota: r.quota,
  };
}

export async function loanView(db: PrismaClient | Tx, loanNumber: string): Promise<LoanView | null> {
  const rows = await db.$queryRaw<LoanRow[]>`${SELECT_LOANS} WHERE l.loan_number = ${loanNumber}`;
  return rows[0] ? toView(rows[0]) : null;
}

/** Every loan of the accounts, newest first, in one query (the Account.loans loader). */
export async function loansOfAccounts(
  db: PrismaClient | Tx,
  accountNumbers: readonly string[],
): Promise<Map<string, LoanView[]>> {
  const rows = await db.$queryRaw<LoanRow[]>`${SELECT_LOANS}
    WHERE a.account_number = ANY(${[...accountNumbers]}::text[]) ORDER BY l.applied_on DESC, l.id DESC`;
  const byAccount = new Map<string, LoanView[]>(accountNumbers.map((n) => [n, []]));
  for (const row of rows) byAccount.get(row.account_number)?.push(toView(row));
  return byAccount;
}

/** The statuses of every loan of the person (the account-state rules decide on them). */
export async function loanStatusesOfPerson(db: SqlTx, personId: bigint): Promise<{ status: string }[]> {
  return db.$queryRaw<{ status: string }[]>`SELECT status FROM loan WHERE person_id = ${personId}::bigint`;
}

/** The statuses of every loan of the persons holding these accounts, by account number (one statement). */
export async function loanStatusesByAccount(
  db: SqlTx,
  accountNumbers: readonly string[],
): Promise<Map<string, { status: string }[]>> {
  const byAccount = new Map<string, { status: string }[]>(accountNumbers.map((n) => [n, []]));
  if (accountNumbers.length === 0) return byAccount;
  const rows = await db.$queryRaw<{ account_number: string; status: string }[]>`
    SELECT a.account_number, l.status FROM account a JOIN loan l ON l.person_id = a.person_id
     WHERE a.account_number = ANY(${[...new Set(accountNumbers)]}::text[])`;
  for (const row of rows) byAccount.get(row.account_number)?.push({ status: row.status });
  return byAccount;
}

/** What the account-state rules take from the loan book: a loan outstanding (disbursed), one in application. */
export function loanFacts(loans: readonly { status: string }[]) {
  return {
    hasOutstandingLoan: loans.some((l) => LOAN_OUTSTANDING.includes(l.status as LoanStatus)),
    loanInApplication: loans.some((l) => LOAN_IN_APPLICATION.includes(l.status as LoanStatus)),
  };
}

/** Whether a fraud ban covering loans is in force for the person on `on` (the ban store): the borrow rule's
 *  `banInForce` fact. */
export async function loanBanInForce(db: PrismaClient | Tx, personId: bigint, on: string): Promise<boolean> {
  return isBanned(db, personId, "BORROW", on);
}

export interface PoolLiquidity {
  outstanding: MoneyValue;
  balance: MoneyValue;
}

/** The flexible pool's outstanding loan principal and deposits balance now, from rollups + pending deltas. */
export async function poolLiquidity(db: PrismaClient | Tx): Promise<PoolLiquidity> {
  const [row] = await db.$queryRaw<{ loans: { toFixed(): string } | null; balance: { toFixed(): string } | null }[]>`
    SELECT sum(loan_outstanding_delta) AS loans, sum(balance_delta) AS balance FROM (${maintainedSource}) m`;
  return {
    outstanding: row?.loans ? toMoney(row.loans) : ZERO,
    balance: row?.balance ? toMoney(row.balance) : ZERO,
  };
}

export function liquidityThresholds(params: ParametersOn) {
  return { warningRatio: params.decimal("liquidity.warningRatio"), alarmRatio: params.decimal("liquidity.alarmRatio") };
}

/** The pool's level with `added` more principal lent (an application measures itself in). */
export function poolLevel(pool: PoolLiquidity, added: MoneyValue, params: ParametersOn): LiquidityLevel {
  return liquidityLevel(pool.outstanding.plus(added), pool.balance, liquidityThresholds(params));
}
