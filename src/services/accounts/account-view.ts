// The account as the API shows it, read in one set-based query for any number of accounts.
import type { SqlTx } from "../../db/driver-sql";
import { commaList } from "../../db/pg-array";
import type { SqlReads } from "../../db/sql-reads";
import { type CarriedRun, depositHistory } from "../../domain/deposits/deposit-history";
import { formatMoney, moneyText, toMoney, ZERO } from "../../domain/money/money";
import { hasOutstandingLoan as hasLoan, withdrawableBalance } from "../../domain/withdrawals/withdrawal.rule";
import {
  ENTRIES_JSON,
  type EntryPage,
  type EntryTuple,
  pageOf,
  pageParameters,
  type PageRequest,
} from "./ledger-entries";

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

/** The stored columns of an account read. */
interface StoredAccountRow {
  account_number: string;
  id_number: string;
  name: string;
  kind: string;
  status: string;
  county_code: string;
  employment_form: string | null;
  opened_on: string;
  balance: string;
}

/** What the statement returns: text, integers, text arrays and json only (the same through pg and Prisma). */
interface AccountRow extends StoredAccountRow {
  transferred_in_months: number;
  /** Comma-separated (commaList, decision 053). */
  periods: string | null;
  carried: CarriedRun[] | null;
  monthly_amount: string | null;
  subsidy_dates: string[] | null;
  subsidy_amounts: string[] | null;
  holding_months: string | null;
  today: string;
  loan_statuses: string[] | null;
}

const COLUMNS = `
  SELECT a.account_number, p.id_number::text AS id_number, p.name, a.kind::text AS kind, a.status::text AS status,
         a.county_code::text AS county_code, a.employment_form::text AS employment_form,
         to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on, la.balance::text AS balance, a.transferred_in_months,
         (SELECT string_agg(dm.period::text, ',') FROM deposit_month dm WHERE dm.account_id = a.id) AS periods,
         (SELECT json_agg(json_build_object('paidMonths', ch.paid_months, 'paidUpTo', ch.paid_up_to,
            'continuousMonths', ch.continuous_months)) FROM carried_history ch WHERE ch.account_id = a.id) AS carried,
         (SELECT dp.monthly_amount::text FROM deposit_plan dp WHERE dp.account_id = a.id
           ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) AS monthly_amount,
         s.subsidy_dates, s.subsidy_amounts, h.holding_months::text AS holding_months, t.today::text AS today,
         (SELECT array_agg(ln.status::text) FROM loan ln WHERE ln.person_id = a.person_id) AS loan_statuses`;

const FROM = `
  FROM account a
  CROSS JOIN (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS today) t
  LEFT JOIN LATERAL (
    SELECT value AS holding_months FROM policy_parameter
    WHERE key = 'subsidy.withdrawableAfterMonths' AND effective_from <= t.today
    ORDER BY effective_from DESC, id DESC LIMIT 1) h ON true
  LEFT JOIN LATERAL (
    SELECT array_agg(e.posted_on::text) AS subsidy_dates, array_agg(e.credit::text) AS subsidy_amounts FROM ledger_entry e
    WHERE e.ledger_account_id = a.ledger_account_id AND e.kind IN ('GRADUATE_SUBSIDY', 'INTEREST_SUBSIDY')
      AND e.credit > 0) s ON true
  JOIN person p ON p.id = a.person_id
  JOIN ledger_account la ON la.id = a.ledger_account_id`;

const BY_ID_NUMBER = `${COLUMNS}${FROM} WHERE p.id_number = $1 ORDER BY (a.status = 'ACTIVE') DESC, a.id DESC LIMIT 1`;

/** The stored fields of the view: a read that asks for nothing else needs no history, plan, loan or subsidy. */
export const STORED_FIELDS: ReadonlySet<string> = new Set([
  "accountNumber",
  "idNumber",
  "name",
  "kind",
  "status",
  "countyCode",
  "employmentForm",
  "openedOn",
  "balance",
]);
export type StoredAccountView = Pick<
  AccountView,
  "accountNumber" | "idNumber" | "name" | "kind" | "status" | "countyCode" | "employmentForm" | "openedOn" | "balance"
>;

const STORED_COLUMNS = `
  SELECT a.account_number, p.id_number::text AS id_number, p.name, a.kind::text AS kind, a.status::text AS status,
         a.county_code::text AS county_code, a.employment_form::text AS employment_form,
         to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on, la.balance::text AS balance`;
const STORED_FROM = `
  FROM account a
  JOIN person p ON p.id = a.person_id
  JOIN ledger_account la ON la.id = a.ledger_account_id`;
const ENTRIES_JOIN = `
  LEFT JOIN LATERAL (${ENTRIES_JSON}) en ON true`;
const WHERE_NUMBERS = ` WHERE a.account_number = ANY($1::text[])`;
const WHERE_NUMBER = ` WHERE a.account_number = $1::text`;

/**
 * A read of accounts by number is one of four statements ($1 the numbers; $2 and $3 the entries page:
 * ledger-entries.ts), each in two forms. A read of one account has a statement of its own: PostgreSQL keeps one generic
 * plan of `= $1` (the plan it would make for any one number), while for `= ANY($1)` the generic plan counts on ten
 * accounts and never wins, so the list statement is planned again on every run: 0.3–0.6 ms of planning for 0.1 ms of
 * work in a one-account read (decision 037).
 */
function statements(where: string, name: string) {
  return {
    full: { name, text: `${COLUMNS}${FROM}${where}` },
    fullEntries: { name: `${name}_with_entries`, text: `${COLUMNS}, en.entries${FROM}${ENTRIES_JOIN}${where}` },
    stored: { name: `${name}_stored`, text: `${STORED_COLUMNS}${STORED_FROM}${where}` },
    storedEntries: {
      name: `${name}_stored_with_entries`,
      text: `${STORED_COLUMNS}, en.entries${STORED_FROM}${ENTRIES_JOIN}${where}`,
    },
  };
}
const READS_OF_LIST = statements(WHERE_NUMBERS, "hub_account_views");
const READS_OF_ONE = statements(WHERE_NUMBER, "hub_account_view_one");

/** The statement for these numbers, and its $1. */
function readOf(kind: keyof typeof READS_OF_ONE, numbers: readonly string[]) {
  return numbers.length === 1
    ? { ...READS_OF_ONE[kind], first: numbers[0]! as unknown }
    : { ...READS_OF_LIST[kind], first: [...numbers] as unknown };
}

function toView(row: AccountRow): AccountView {
  const history = depositHistory(commaList(row.periods), row.transferred_in_months, row.carried ?? []);
  const balance = toMoney(row.balance);
  // The person's loans (any of their accounts): outstanding or in application (withdrawal.rule.ts decides).
  const hasOutstandingLoan = hasLoan((row.loan_statuses ?? []).map((status) => ({ status })));
  const subsidyCredits = (row.subsidy_dates ?? []).map((d, i) => ({
    on: d,
    amount: toMoney(row.subsidy_amounts![i]!),
  }));
  // The view has no business date of its own: the figure is as of today in Asia/Shanghai (a withdrawal decides on
  // its requestedOn). Closed and frozen accounts have nothing withdrawable.
  const payable = row.status === "ACTIVE" || row.status === "SEALED";
  const withdrawable = payable
    ? withdrawableBalance(
        { balance, subsidyCredits, loanOutstanding: hasOutstandingLoan },
        Number(row.holding_months ?? "0"),
        row.today,
      )
    : ZERO;
  return {
    ...storedView(row),
    withdrawableBalance: formatMoney(withdrawable),
    paidMonths: history.paidMonths,
    consecutiveMonths: history.consecutiveMonths,
    paidUpTo: history.paidUpTo,
    monthlyAmount: row.monthly_amount ? moneyText(row.monthly_amount) : null,
    hasOutstandingLoan,
  };
}

type Db = SqlTx | SqlReads;

/** One statement through the driver (SqlReads) or, inside a transaction, through Prisma. */
function rowsOf(db: Db, name: string, text: string, values: unknown[], keys = 1): Promise<AccountRow[]> {
  return "$queryRawUnsafe" in db
    ? db.$queryRawUnsafe<AccountRow[]>(text, ...values)
    : db.query<AccountRow>(name, text, values, keys);
}

/** Views by account number, in one query; missing numbers are absent from the map. */
export async function accountViewsByNumber(db: Db, numbers: readonly string[]): Promise<Map<string, AccountView>> {
  if (numbers.length === 0) return new Map();
  const read = readOf("full", numbers);
  const rows = await rowsOf(db, read.name, read.text, [read.first], numbers.length);
  return new Map(rows.map((r) => [r.account_number, toView(r)]));
}

/** The person's account: the active one if any, else the most recent. */
export async function accountViewByIdNumber(db: Db, idNumber: string): Promise<AccountView | null> {
  const rows = await rowsOf(db, "hub_account_view_by_id_number", BY_ID_NUMBER, [idNumber]);
  return rows[0] ? toView(rows[0]) : null;
}

/** What a read of accounts asks for: only the stored fields or the whole view, and a page of entries or none. */
export interface AccountReadShape {
  storedOnly: boolean;
  page: PageRequest | null;
}

/** An account as a shaped read found it: the whole view, or only its stored fields, and the page if one was asked. */
export interface AccountRead {
  view: AccountView | StoredAccountView;
  entries: EntryPage | null;
}

function storedView(row: StoredAccountRow): StoredAccountView {
  return {
    accountNumber: row.account_number,
    idNumber: row.id_number,
    name: row.name,
    kind: row.kind,
    status: row.status,
    countyCode: row.county_code,
    employmentForm: row.employment_form,
    openedOn: row.opened_on,
    balance: moneyText(row.balance),
  };
}

/**
 * Accounts by number in one statement through the driver, shaped as asked (decision 027): the whole view or only the
 * stored fields, with or without the same page of each account's entries as JSON built in SQL. Missing numbers are
 * absent from the map.
 */
export async function readAccounts(
  reads: SqlReads,
  numbers: readonly string[],
  shape: AccountReadShape,
): Promise<Map<string, AccountRead>> {
  if (numbers.length === 0) return new Map();
  const { page, storedOnly } = shape;
  const statement = readOf(storedOnly ? (page ? "storedEntries" : "stored") : page ? "fullEntries" : "full", numbers);
  const values = page ? [statement.first, ...pageParameters(page)] : [statement.first];
  const rows = await reads.query<AccountRow & { entries?: EntryTuple[] | null }>(
    statement.name,
    statement.text,
    values,
    numbers.length,
  );
  return new Map(
    rows.map((r) => [
      r.account_number,
      { view: storedOnly ? storedView(r) : toView(r), entries: page ? pageOf(r.entries ?? null, page) : null },
    ]),
  );
}

export async function accountView(db: Db, accountNumber: string): Promise<AccountView | null> {
  return (await accountViewsByNumber(db, [accountNumber])).get(accountNumber) ?? null;
}
