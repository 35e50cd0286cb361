// Imports a bank collection result file in batches (one transaction per batch, never one giant one).
// A SUCCESS row posts what recordDeposit would (the same rules, judged in SQL by their twins in deposit.rule.ts and
// account-state.rule.ts; the same ledger, through its set-based postStaged), keyed by the bank's paymentRef: a
// reference seen before (this file or an earlier one) counts as a duplicate and posts nothing.
// A FAILED row is recorded as a missed collection. A row that breaks a rule is rejected with its line and code.
// On PostgreSQL the batches of a round are posted at once, one lane per transaction, rows split by account
// (decision 041): the accounts' row locks keep concurrent batches apart, as they keep recordDeposit apart.
import type { SqlTx } from "../../db/driver-sql";
import { pgArray } from "../../db/pg-array";
import { isUniqueViolation, sqlState } from "../../db/transaction";
import { mayDepositSql } from "../../domain/accounts/account-state.rule";
import {
  checkMonthlyDeposit,
  depositKindSql,
  type DepositLimits,
  monthlyDepositCodesSql,
} from "../../domain/deposits/deposit.rule";
import { Prisma } from "../../generated/prisma/client";
import type { LockedAccount } from "../../ledger/worker-lock";
import { type ExchangeScope, recordBatchInTransaction } from "../audit/exchange-scope";
import type { HubServices } from "../hub-services";
import {
  type ImportResult,
  importRows,
  type ImportTally,
  type ImportTarget,
  readCsvRows,
} from "../imports/streamed-import";
import { BANK_COLLECTION_CSV, type BankRow, isProblem } from "./bank-collection.csv";
import { accountRefusal } from "./deposit-posting";

export type BankImportResult = ImportResult;

export const BATCH_SIZE = 1000;
/** Batches of a round posted at once on PostgreSQL (HUB_IMPORT_LANES): the 2-core machine's figure (decision 041). */
export const DEFAULT_IMPORT_LANES = 2;
/**
 * A batch that lost a race with a concurrent import (the same payment reference committed meanwhile: a unique
 * violation; or a deadlock between two files' reference inserts) is judged again from what has committed. Each
 * retry follows a commit of another import, so a few suffice; past them the error is real and goes on.
 */
const BATCH_ATTEMPTS = 5;
const DEADLOCK_DETECTED = "40P01";

/**
 * The batch's first statement: the session-temporary table of one batch's rows and what the rules made of them
 * (created on a connection's first use, emptied at commit). A DO block: one statement on both databases.
 */
const STAGE_TABLE = `DO $$ BEGIN
  CREATE TEMP TABLE IF NOT EXISTS bank_stage (n int PRIMARY KEY, line int, ref text, account_number text,
    period char(7), amount numeric, paid_on date, failed boolean, reason text, fresh boolean, account_id bigint,
    ledger_account_id bigint, account_kind text, status text, opened_on date, paid boolean, codes text[],
    outcome text, posting_kind text) ON COMMIT DELETE ROWS;
END $$`;

/** The rules of a monthly deposit over the staged rows (their SQL twins, deposit.rule.ts and account-state.rule.ts). */
const ruleCodes = (paid: string) =>
  Prisma.raw(
    monthlyDepositCodesSql({
      period: "s.period",
      amount: "s.amount",
      paidOn: "s.paid_on",
      openedOn: "s.opened_on",
      paid,
      monthlyMin: "lim.mn",
      monthlyMax: "lim.mx",
      backPayWithinSettlementYear: "lim.bp",
    }),
  );
const ACCOUNT_REFUSAL = Prisma.raw(
  `CASE WHEN s.account_id IS NULL THEN 'ACCOUNT_NOT_FOUND' ELSE ${mayDepositSql("s.status")} END`,
);
const POSTING_KIND = Prisma.raw(depositKindSql("s.period", "s.paid_on"));

/**
 * One row as a line of the batch's text: tab-separated, the reason as an index into a separate array. Only fields
 * bankRowOf has checked go into the text, and none can hold a tab or a line break (paymentRef: visible ASCII;
 * accountNumber: digits; period, amount, paidOn: parsed values printed again); the bank's free-text reason, which
 * could, travels as an array element instead.
 */
function stageLine(r: BankRow, reasons: (string | null)[]): string {
  let reason = "";
  if (r.reason !== null) reason = String(reasons.push(r.reason));
  return `${r.line}\t${r.paymentRef}\t${r.accountNumber}\t${r.period}\t${r.amount.toFixed(2)}\t${r.paidOn}\t${r.result === "FAILED" ? "F" : "S"}\t${reason}`;
}

interface RejectedRow {
  n: number;
  codes: string[];
  account_id: string | null;
  ledger_account_id: string | null;
  account_kind: string | null;
  status: string | null;
  opened_on: string | null;
  paid: boolean;
}

/**
 * The report of one rejected row, exactly as the TypeScript rules word it (the same rules as recordDeposit), from
 * the facts the SQL rules judged on; the SQL twin decided, and both must give the same codes.
 */
function reportOf(row: BankRow, facts: RejectedRow, limits: DepositLimits): { code: string; message: string }[] {
  const account: LockedAccount | null =
    facts.account_id === null
      ? null
      : {
          id: BigInt(facts.account_id),
          accountNumber: row.accountNumber,
          ledgerAccountId: BigInt(facts.ledger_account_id!),
          kind: facts.account_kind!,
          status: facts.status!,
          openedOn: facts.opened_on!,
        };
  const refused = accountRefusal(account);
  const problems = refused
    ? [refused]
    : checkMonthlyDeposit(
        {
          period: row.period,
          amount: row.amount,
          paidOn: row.paidOn,
          openedOn: account!.openedOn,
          paidPeriods: new Set(facts.paid ? [row.period] : []),
        },
        limits,
      );
  const codes = problems.map((p) => p.code);
  if (codes.join() !== facts.codes.join())
    throw new Error(`bank import line ${row.line}: the SQL rules gave ${facts.codes.join()}, the rule ${codes.join()}`);
  return problems;
}

/**
 * One batch in one transaction, set-based (decision 028): the batch's rows go to the database once, as one text;
 * duplicates, the accounts (locked), the months paid and the rules are judged there (the rules' SQL twins), the
 * accepted rows posted by the ledger's staged engine, the months, missed collections and references written; the
 * rows come back as one character each (P posted, M missed, D duplicate, R rejected) with the facts of the rejected
 * ones, whose report the TypeScript rules write.
 */
async function postBatch(
  hub: HubServices,
  rows: BankRow[],
  tally: ImportTally,
  exchange: ExchangeScope | undefined,
): Promise<void> {
  // Parameters are read before the transaction opens (on PGlite a read outside it would wait for it).
  const limitsOn = new Map<string, DepositLimits>();
  for (const date of new Set(rows.map((r) => r.paidOn)))
    limitsOn.set(date, (await hub.policy.on(date)).depositLimits());
  const dates = [...limitsOn.keys()];
  const limits = dates.map((d) => limitsOn.get(d)!);
  const reasons: (string | null)[] = [];
  const text = rows.map((r) => stageLine(r, reasons)).join("\n");
  const { outcomes, rejected } = await inBatchTransaction(hub, async (tx) => {
    await tx.$executeRawUnsafe(STAGE_TABLE);
    // A reference is fresh when no earlier import posted or missed it and no earlier row of the batch carries it.
    // This is a first look, to lock no account for a row already known as a duplicate; the judgement looks again
    // after the locks (a concurrent batch may have committed the reference meanwhile).
    // Lookups into the growing tables are written as scalar subqueries (and = ANY(ARRAY(...))) so that each is an
    // index probe per row: as NOT EXISTS or a join, the planner hashed the whole of bank_payment_ref (or
    // deposit_month) once per batch, and the batch's cost grew with history (decision 028).
    await tx.$executeRaw`
      INSERT INTO bank_stage (n, line, ref, account_number, period, amount, paid_on, failed, reason, fresh)
      SELECT t.n, f[1]::int, f[2], f[3], f[4], f[5]::numeric, f[6]::date, f[7] = 'F',
        CASE WHEN f[8] <> '' THEN (${pgArray(reasons)}::text[])[f[8]::int] END,
        (SELECT true FROM bank_payment_ref b WHERE b.payment_ref = f[2] LIMIT 1) IS NULL
          AND t.n = min(t.n) OVER (PARTITION BY f[2])
      FROM unnest(string_to_array(${text}::text, E'\n')) WITH ORDINALITY AS t(l, n), string_to_array(t.l, E'\t') AS f`;
    // The accounts of the fresh collected rows, locked in ledger-account order (worker-lock.ts), read as locked.
    // These locks keep concurrent batches apart (the lanes of a round, other imports, recordDeposit): what the
    // judgement reads next of an account has committed, and nothing else may write it before this batch ends.
    await tx.$executeRaw`
      WITH locked AS (
        SELECT a.id, a.account_number, a.ledger_account_id, a.kind, a.status, a.opened_on
        FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
        WHERE a.account_number = ANY(ARRAY(SELECT DISTINCT account_number FROM bank_stage WHERE fresh AND NOT failed))
        ORDER BY la.id FOR UPDATE OF la)
      UPDATE bank_stage s SET account_id = l.id, ledger_account_id = l.ledger_account_id, account_kind = l.kind,
        status = l.status, opened_on = l.opened_on
      FROM locked l WHERE l.account_number = s.account_number AND s.fresh AND NOT s.failed`;
    // The rules, after the locks (a month paid meanwhile is seen, and so is a reference). A month is paid when the
    // database has it or an earlier row of the batch for the same account and month passes every other rule (it is
    // accepted first).
    const [judged] = await tx.$queryRaw<{ outcomes: string | null; rejected: RejectedRow[] | null }[]>`
      WITH lim AS (
        SELECT * FROM unnest(${pgArray(dates)}::date[], ${pgArray(limits.map((l) => l.monthlyMin.toFixed(2)))}::numeric[],
          ${pgArray(limits.map((l) => l.monthlyMax.toFixed(2)))}::numeric[],
          ${pgArray(limits.map((l) => String(l.backPayWithinSettlementYear)))}::boolean[]) AS lim(paid_on, mn, mx, bp)),
      refs AS MATERIALIZED (
        SELECT s.n, CASE WHEN s.fresh
          THEN (SELECT true FROM bank_payment_ref b WHERE b.payment_ref = s.ref LIMIT 1) IS NULL ELSE false END AS fresh
        FROM bank_stage s),
      facts AS MATERIALIZED (
        SELECT s.n, ${ACCOUNT_REFUSAL} AS refusal,
          (SELECT true FROM deposit_month dm WHERE dm.account_id = s.account_id AND dm.period = s.period) IS NOT NULL
            AS db_paid,
          ${ruleCodes("false")} AS others, ${POSTING_KIND} AS posting_kind, lim.*
        FROM bank_stage s JOIN refs r ON r.n = s.n JOIN lim ON lim.paid_on = s.paid_on
        WHERE r.fresh AND NOT s.failed),
      chained AS (
        SELECT f.*, f.db_paid OR coalesce(bool_or(f.refusal IS NULL AND cardinality(f.others) = 0) OVER (
          PARTITION BY s.account_id, s.period ORDER BY s.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS paid
        FROM facts f JOIN bank_stage s ON s.n = f.n),
      coded AS (
        SELECT c.n, c.paid, c.posting_kind,
          CASE WHEN c.refusal IS NOT NULL THEN ARRAY[c.refusal] ELSE ${ruleCodes("c.paid")} END AS codes
        FROM chained c JOIN bank_stage s ON s.n = c.n JOIN lim ON lim.paid_on = c.paid_on),
      u AS (
        UPDATE bank_stage s SET fresh = r.fresh, paid = c.paid, codes = c.codes, posting_kind = c.posting_kind,
          outcome = CASE WHEN NOT r.fresh THEN 'D' WHEN s.failed THEN 'M' WHEN cardinality(c.codes) > 0 THEN 'R' ELSE 'P' END
        FROM bank_stage s0 JOIN refs r ON r.n = s0.n LEFT JOIN coded c ON c.n = s0.n
        WHERE s.n = s0.n
        RETURNING s.n, s.outcome, s.codes, s.account_id, s.ledger_account_id, s.account_kind, s.status, s.opened_on, s.paid)
      SELECT string_agg(outcome, '' ORDER BY n) AS outcomes,
        json_agg(json_build_object('n', n, 'codes', codes, 'account_id', account_id::text,
          'ledger_account_id', ledger_account_id::text, 'account_kind', account_kind, 'status', status,
          'opened_on', opened_on::text, 'paid', paid) ORDER BY n) FILTER (WHERE outcome = 'R') AS rejected
      FROM u`;
    await hub.ledger.postStaged(
      tx,
      Prisma.sql`
        SELECT s.n AS key, 1 AS line_no, s.posting_kind AS kind, s.paid_on AS posted_on, 'BANK_COLLECTION ' || s.ref AS memo,
          ${hub.ledger.fund.BANK_SETTLEMENT}::bigint AS ledger_account_id, 'D' AS side, s.amount, false AS worker,
          NULL::char(7) AS period
        FROM bank_stage s WHERE s.outcome = 'P'
        UNION ALL
        SELECT s.n, 2, s.posting_kind, s.paid_on, 'BANK_COLLECTION ' || s.ref, s.ledger_account_id, 'C', s.amount, true,
          s.period
        FROM bank_stage s WHERE s.outcome = 'P'`,
      { period: true },
    );
    // The months paid, the missed collections and every reference posted or missed: one statement.
    await tx.$executeRaw`
      WITH months AS (
        INSERT INTO deposit_month (account_id, period, amount, paid_on, source, channel, payment_ref, posting_id)
        SELECT s.account_id, s.period, s.amount, s.paid_on,
          CASE WHEN s.account_kind = 'EMPLOYER' THEN 'EMPLOYER' WHEN s.posting_kind = 'BACK_PAYMENT' THEN 'BACK_PAYMENT'
            ELSE 'MONTHLY' END, 'BANK_COLLECTION', s.ref, p.posting_id
        FROM bank_stage s JOIN staged_posting p ON p.key = s.n WHERE s.outcome = 'P' ORDER BY s.n),
      missed AS (
        INSERT INTO missed_collection (payment_ref, account_id, account_number, period, amount, paid_on, reason)
        SELECT s.ref, (SELECT a.id FROM account a WHERE a.account_number = s.account_number), s.account_number,
          s.period, s.amount, s.paid_on, s.reason
        FROM bank_stage s WHERE s.outcome = 'M' ORDER BY s.n)
      INSERT INTO bank_payment_ref (payment_ref, outcome)
      SELECT s.ref, CASE s.outcome WHEN 'P' THEN 'POSTED' ELSE 'FAILED' END FROM bank_stage s
      WHERE s.outcome IN ('P', 'M') ORDER BY s.outcome DESC, s.n`;
    const outcomes = judged?.outcomes ?? "";
    // The batch's exchange record commits with the batch (rows counted, the account holders indexed).
    await recordBatchInTransaction(tx, exchange, "importBankCollection", {
      rows: rows.length,
      written: [...outcomes].filter((o) => o === "P" || o === "M").length,
      accountNumbers: rows.filter((_, i) => outcomes[i] === "P" || outcomes[i] === "M").map((r) => r.accountNumber),
    });
    return { outcomes, rejected: judged?.rejected ?? [] };
  });
  const reports = rejected.map((facts) => {
    const row = rows[facts.n - 1]!;
    return { line: row.line, problems: reportOf(row, facts, limitsOn.get(row.paidOn)!) };
  });
  for (const o of outcomes) {
    if (o === "P") tally.result.accepted++;
    else if (o === "M") tally.result.missed++;
    else if (o === "D") tally.result.duplicates++;
  }
  for (const { line, problems } of reports) tally.reject(line, problems);
}

/**
 * The batch's transaction, run again from the start when it lost a race with a concurrent import: two files that
 * post the same payment reference meet on its key (a unique violation once the other commits), or deadlock on
 * two references inserted in opposite orders. Run again, the batch sees the other's reference as a duplicate.
 */
async function inBatchTransaction<T>(hub: HubServices, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await hub.sql.transaction(work);
    } catch (e) {
      if (attempt >= BATCH_ATTEMPTS || !(isUniqueViolation(e) || sqlState(e) === DEADLOCK_DETECTED)) throw e;
    }
  }
}

/**
 * The collection file as the streamed-import engine posts it (src/services/imports/streamed-import.ts). A round's
 * lanes split the rows by account (one account's rows are judged in file order); a round in which a payment
 * reference occurs twice is posted in one lane, in the batches an import without lanes makes, so that which row
 * of the two posts (or is a duplicate) is decided exactly as before.
 */
export const BANK_COLLECTION_IMPORT: ImportTarget<BankRow> = {
  ...BANK_COLLECTION_CSV,
  operation: "importBankCollection",
  batchSize: BATCH_SIZE,
  isProblem,
  postBatch,
  lanes: { laneKey: (row) => row.accountNumber, sharedKey: (row) => row.paymentRef },
};

/** Imports a file without an idempotency key (demo data, scripts): each paymentRef still posts at most once. */
export function importBankCollection(
  hub: HubServices,
  input: string | AsyncIterable<string | Buffer>,
): Promise<BankImportResult> {
  return importRows(hub, readCsvRows(input, BANK_COLLECTION_IMPORT), BANK_COLLECTION_IMPORT, undefined);
}
