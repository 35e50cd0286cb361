// The metric writers: every business event that moves a pilot metric appends metric_delta rows in its own
// transaction. Rows are only ever inserted (never updated), so concurrent writers share no row; the compaction
// job folds them into metric_rollup, and readers add both, so the figures are exact at every moment.
import type { Tx } from "../../db/transaction";
import { monthOf } from "../../domain/calendar/calendar";
import { Prisma } from "../../generated/prisma/client";
import { lockAccountById } from "../../ledger/worker-lock";
import { agreementSource, INSERT_COLUMNS, ledgerSource, summedColumns, UNKNOWN_FORM } from "./metric-sources";

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
export async function recordPostingMetrics(tx: Tx, entryIds: readonly bigint[]): Promise<void> {
  if (entryIds.length === 0) return;
  await tx.$executeRaw`INSERT INTO metric_delta ${INSERT_COLUMNS} ${ledgerSource(Prisma.sql`e.id = ANY(${[...entryIds]}::bigint[])`)}`;
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
    FROM (${ledgerSource(scope)} UNION ALL ${agreementSource(scope)}) s
    GROUP BY 1, 2, 3`;
  await tx.$executeRaw(contribution(-1));
  await change();
  await tx.$executeRaw(contribution(1));
}
