// The account as the API shows it, read in one set-based query for any number of accounts.
import { dateToString } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { type CarriedRun, depositHistory } from "../../domain/deposits/deposit-history";
import { formatMoney, toMoney } from "../../domain/money/money";
import type { PrismaClient } from "../../generated/prisma/client";
import { Prisma } from "../../generated/prisma/client";

/** JSON-able view of an account (money as strings): also what idempotent mutations store and replay. */
export interface AccountView {
  accountNumber: string;
  idNumber: string;
  name: string;
  kind: string;
  status: string;
  countyCode: string;
  employmentForm: string | null;
  openedOn: string;
  balance: string;
  withdrawableBalance: string;
  paidMonths: number;
  consecutiveMonths: number;
  paidUpTo: string | null;
  monthlyAmount: string | null;
  hasOutstandingLoan: boolean;
}

interface AccountRow {
  account_number: string;
  id_number: string;
  name: string;
  kind: string;
  status: string;
  county_code: string;
  employment_form: string | null;
  opened_on: Date;
  balance: { toFixed(): string };
  transferred_in_months: number;
  periods: string[] | null;
  carried: CarriedRun[] | null;
  monthly_amount: { toFixed(): string } | null;
}

const SELECT = Prisma.sql`
  SELECT a.account_number, p.id_number, p.name, a.kind, a.status, a.county_code, a.employment_form, a.opened_on,
         la.balance, a.transferred_in_months,
         (SELECT array_agg(dm.period::text) FROM deposit_month dm WHERE dm.account_id = a.id) AS periods,
         (SELECT json_agg(json_build_object('paidMonths', ch.paid_months, 'paidUpTo', ch.paid_up_to,
            'continuousMonths', ch.continuous_months)) FROM carried_history ch WHERE ch.account_id = a.id) AS carried,
         (SELECT dp.monthly_amount FROM deposit_plan dp WHERE dp.account_id = a.id
           ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) AS monthly_amount
  FROM account a
  JOIN person p ON p.id = a.person_id
  JOIN ledger_account la ON la.id = a.ledger_account_id`;

function toView(row: AccountRow): AccountView {
  const history = depositHistory(row.periods ?? [], row.transferred_in_months, row.carried ?? []);
  const balance = formatMoney(toMoney(row.balance));
  // The hub keeps no loan book yet: no account can have a loan outstanding, so all of the balance is withdrawable.
  const hasOutstandingLoan = false;
  return {
    accountNumber: row.account_number,
    idNumber: row.id_number,
    name: row.name,
    kind: row.kind,
    status: row.status,
    countyCode: row.county_code,
    employmentForm: row.employment_form,
    openedOn: dateToString(row.opened_on),
    balance,
    withdrawableBalance: hasOutstandingLoan || row.status === "CLOSED" ? "0.00" : balance,
    paidMonths: history.paidMonths,
    consecutiveMonths: history.consecutiveMonths,
    paidUpTo: history.paidUpTo,
    monthlyAmount: row.monthly_amount ? formatMoney(toMoney(row.monthly_amount)) : null,
    hasOutstandingLoan,
  };
}

/** Views by account number, in one query; missing numbers are absent from the map. */
export async function accountViewsByNumber(
  db: PrismaClient | Tx,
  numbers: readonly string[],
): Promise<Map<string, AccountView>> {
  if (numbers.length === 0) return new Map();
  const rows = await db.$queryRaw<AccountRow[]>`${SELECT} WHERE a.account_number = ANY(${[...numbers]}::text[])`;
  return new Map(rows.map((r) => [r.account_number, toView(r)]));
}

/** The person's account: the active one if any, else the most recent. */
export async function accountViewByIdNumber(db: PrismaClient | Tx, idNumber: string): Promise<AccountView | null> {
  const rows = await db.$queryRaw<AccountRow[]>`${SELECT} WHERE p.id_number = ${idNumber}
    ORDER BY (a.status = 'ACTIVE') DESC, a.id DESC LIMIT 1`;
  return rows[0] ? toView(rows[0]) : null;
}

export async function accountView(db: PrismaClient | Tx, accountNumber: string): Promise<AccountView | null> {
  return (await accountViewsByNumber(db, [accountNumber])).get(accountNumber) ?? null;
}
