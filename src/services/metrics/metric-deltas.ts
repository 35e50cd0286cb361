// The metric writers: every business event that moves a pilot metric appends metric_delta rows in its own
// transaction. Rows are only ever inserted (never updated), so concurrent writers share no row; the compaction
// job folds them into metric_rollup, and readers add both, so the figures are exact at every moment.
import type { SqlTx } from "../../db/driver-sql";
import type { Tx } from "../../db/transaction";
import { monthOf } from "../../domain/calendar/calendar";
import { Prisma } from "../../generated/prisma/client";
import type { PostedScope } from "../../ledger/posting";
import { lockAccountById } from "../../ledger/worker-lock";
import {
  accountSources,
  INSERT_COLUMNS,
  ledgerSource,
  loanApplicationSource,
  loanSource,
  summedColumns,
  UNKNOWN_FORM,
} from "./metric-sources";

/** Where an event counts: its business date's month, the county and the employment form. */
export interface MetricEventKey {
  on: string;
  countyCode: string;
  employmentForm: string | null | undefined;
}

function keyOf(event: MetricEventKey) {
  return {
    month: monthOf(event.on),
    countyCode: event.countyCode,
    employmentForm: event.employmentForm ?? UNKNOWN_FORM,
  };
}

/** Deposits, withdrawals, subsidies and the flexible pool's balance of a batch of postings: one statement,
 *  grouped by month x county x form (entries of fund accounts join no account and count nowhere). */
export async function recordPostingMetrics(tx: SqlTx, posted: PostedScope): Promise<void> {
  let where: Prisma.Sql;
  if ("postingIds" in posted) {
    if (posted.postingIds.length === 0) return;
    // One posting (a withdrawal, a payment): `= $1`, planned once per connection, where `= ANY($1)` is planned on
    // every run (decision 037).
    where =
      posted.postingIds.length === 1
        ? Prisma.sql`e.posting_id = ${posted.postingIds[0]}::bigint`
        : Prisma.sql`e.posting_id = ANY(${[...posted.postingIds]}::bigint[])`;
  } else where = posted as Prisma.Sql;
  await tx.$executeRaw`INSERT INTO metric_delta ${INSERT_COLUMNS} ${ledgerSource(where)}`;
}

/** A new flexible account, or a sealed account converted back to flexible: one enrolment, one more active. */
export async function recordEnrolment(tx: Tx, event: MetricEventKey): Promise<void> {
  await tx.metricDelta.create({ data: { ...keyOf(event), enrolled: 1, activeDelta: 1 } });
}

/** An agreement ended (exit 退出): one exit, one fewer active. For the exit use case when it lands. */
export async function recordExit(tx: Tx, event: MetricEventKey): Promise<void> {
  await tx.metricDelta.create({ data: { ...keyOf(event), exited: 1, activeDelta: -1 } });
}

/** A flexible account converted to employer-based (its agreement suspended): one conversion, one fewer active. */
export async function recordConversionToEmployer(tx: Tx, event: MetricEventKey): Promise<void> {
  await tx.metricDelta.create({ data: { ...keyOf(event), convertedToEmployer: 1, activeDelta: -1 } });
}

/** An enrolment (or loan) refused by the national duplicate check. */
export async function recordDuplicateBlock(tx: Tx, event: MetricEventKey): Promise<void> {
  await tx.metricDelta.create({ data: { ...keyOf(event), duplicateBlocks: 1 } });
}

/**
 * Runs `change` (which may alter the account's county, employment form or kind) and moves the account's whole
 * contribution from its old key to its new one: metrics group accounts by what they are now, exactly as a
 * recomputation from the source tables does. The account's ledger row is locked first, so no posting of the
 * account interleaves.
 */
export async function rekeyAccountMetrics(tx: Tx, accountId: bigint, change: () => Promise<unknown>): Promise<void> {
  await lockAccountById(tx, accountId);
  const scope = Prisma.sql`a.id = ${accountId}::bigint`;
  const contribution = (sign: 1 | -1) => Prisma.sql`
    INSERT INTO metric_delta ${INSERT_COLUMNS}
    SELECT month, county_code, employment_form, ${summedColumns(sign)}
    FROM (${accountSources(scope)}) s
    GROUP BY 1, 2, 3`;
  await tx.$executeRaw(contribution(-1));
  await change();
  await tx.$executeRaw(contribution(1));
}

/** The loan measures of loan postings (linked in loan_posting first): disbursed count and amount, outstanding. */
export async function recordLoanPostingMetrics(tx: Tx, postings: readonly bigint[] | Prisma.Sql): Promise<void> {
  if (Array.isArray(postings) && postings.length === 0) return;
  const where = Array.isArray(postings)
    ? Prisma.sql`e.posting_id = ANY(${[...postings]}::bigint[])`
    : (postings as Prisma.Sql);
  await tx.$executeRaw`INSERT INTO metric_delta ${INSERT_COLUMNS} ${loanSource(where)}`;
}

/** One loan application (approved or refused), just inserted. */
export async function recordLoanApplication(tx: Tx, applicationId: bigint): Promise<void> {
  await tx.$executeRaw`INSERT INTO metric_delta ${INSERT_COLUMNS} ${loanApplicationSource(Prisma.sql`la.id = ${applicationId}::bigint`)}`;
}

/** Overdue spells opened (+1 in the month of from_on) or closed (−1 in the month of to_on), by spell id. */
export async function recordOverdueSpells(tx: Tx, opened: readonly bigint[], closed: readonly bigint[]): Promise<void> {
  if (opened.length === 0 && closed.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO metric_delta (month, county_code, employment_form, loan_overdue_delta)
    SELECT to_char(x.on_date, 'YYYY-MM'), a.county_code, coalesce(a.employment_form, ${UNKNOWN_FORM}), sum(x.d)
    FROM loan_overdue_spell s JOIN loan l ON l.id = s.loan_id JOIN account a ON a.id = l.account_id
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN s.id = ANY(${[...opened]}::bigint[]) THEN s.from_on END, 1),
      (CASE WHEN s.id = ANY(${[...closed]}::bigint[]) THEN s.to_on END, -1)) AS x(on_date, d)
    WHERE s.id = ANY(${[...opened, ...closed]}::bigint[]) AND x.on_date IS NOT NULL
    GROUP BY 1, 2, 3`;
}
