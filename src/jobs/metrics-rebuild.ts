// Rebuilds the pilot-metric rollups from the source tables, one county at a time. What an operator runs when
// `npm run metrics:check` reports differences (a delta lost, a rollup row edited by hand, a writer that was skipped),
// and how rollups are built on a database far larger than the pilot's: a province's ledger in one aggregate would be
// one statement of tens of minutes (decision 026); a county's share is bounded, and a stopped run resumes at the
// county it had reached (decision 040).
//
// Safe while hubs run. Each county is one transaction: it waits for the compaction lock (no compaction moves deltas
// meanwhile), then ONE statement, so one snapshot, recomputes the county's keys from the source tables, overwrites
// the county's rollup rows with them, removes the rows no source gives any more, and deletes the county's deltas
// that snapshot sees. A business event commits its source rows and its deltas together: an event the snapshot sees is
// in the recomputation and its deltas are gone; an event committed later keeps its deltas, which readers add. Readers
// see a county before or after its rebuild, never between.
import { inTransaction } from "../db/transaction";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import {
  INSERT_COLUMNS,
  METRIC_COLUMNS,
  recomputedSourceOfCounty,
  summedColumns,
  UNKNOWN_COUNTY,
} from "../services/metrics/metric-sources";
import { COMPACTION_LOCK } from "./metrics-compaction";

export interface CountyRebuild {
  countyCode: string;
  /** Rollup rows written: one per month x employment form that any source row of the county falls in. */
  rows: number;
  /** Rollup rows removed: keys of the county that no source row gives any more. */
  removed: number;
  /** The county's pending deltas, now counted in the rebuilt rows. */
  deltas: number;
  ms: number;
}

export interface RebuildOptions {
  /** These counties only (six-digit codes); by default every county with a source row, a rollup row or a delta. */
  counties?: readonly string[];
  /** How long one county's transaction may run (default: the client's, a request's). Its statement is bounded by the
   *  client's statement limit: open the database with a long one (scripts/run-check.ts, `openOperatorDatabase`). */
  transactionTimeoutMs?: number;
  /** Told after each county commits (progress, so that a stopped run can resume from the next). */
  onCounty?: (done: CountyRebuild) => void;
}

const OVERWRITE = Prisma.raw(METRIC_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", "));

/** Every county code the metrics know of, in order: accounts', duplicate checks', rollups' and deltas'. */
export async function metricCounties(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ county_code: string }[]>`
    SELECT county_code::text AS county_code FROM account
    UNION SELECT coalesce(county_code, ${UNKNOWN_COUNTY})::text FROM duplicate_check
    UNION SELECT county_code::text FROM metric_rollup
    UNION SELECT county_code::text FROM metric_delta
    ORDER BY 1`;
  return rows.map((r) => r.county_code);
}

/** One county, in one transaction (see the head of this file). */
export async function rebuildCountyMetrics(
  prisma: PrismaClient,
  countyCode: string,
  transactionTimeoutMs?: number,
): Promise<CountyRebuild> {
  assertCountyCodes([countyCode]);
  const started = performance.now();
  const [counted] = await inTransaction(
    prisma,
    async (tx) => {
      await tx.$queryRaw`SELECT true AS locked FROM pg_advisory_xact_lock(${COMPACTION_LOCK}::bigint)`;
      // After the lock, so that this statement's snapshot sees every compaction that ran before it.
      return tx.$queryRaw<{ rows: bigint; removed: bigint; deltas: bigint }[]>`
        WITH fresh AS MATERIALIZED (
          SELECT month, county_code, employment_form, ${summedColumns()}
          FROM (${recomputedSourceOfCounty(countyCode)}) s
          GROUP BY 1, 2, 3
        ), folded AS (
          DELETE FROM metric_delta WHERE county_code = ${countyCode} RETURNING 1
        ), removed AS (
          DELETE FROM metric_rollup r WHERE r.county_code = ${countyCode}
            AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.month = r.month AND f.employment_form = r.employment_form)
          RETURNING 1
        ), written AS (
          INSERT INTO metric_rollup ${INSERT_COLUMNS} SELECT * FROM fresh
          ON CONFLICT (month, county_code, employment_form) DO UPDATE SET ${OVERWRITE}
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM written) AS rows, (SELECT count(*) FROM removed) AS removed,
          (SELECT count(*) FROM folded) AS deltas`;
    },
    transactionTimeoutMs === undefined ? {} : { timeoutMs: transactionTimeoutMs },
  );
  return {
    countyCode,
    rows: Number(counted?.rows ?? 0),
    removed: Number(counted?.removed ?? 0),
    deltas: Number(counted?.deltas ?? 0),
    ms: Math.round(performance.now() - started),
  };
}

/** Refuses the list if any code is not six digits (before any county of it is touched). */
function assertCountyCodes(codes: readonly string[]): void {
  const bad = codes.find((c) => !/^[0-9]{6}$/.test(c));
  if (bad !== undefined) throw new Error(`a county code has six digits, not ${JSON.stringify(bad)}`);
}

/** Every county (or those asked for), one after the other, each committed on its own. */
export async function rebuildMetrics(prisma: PrismaClient, options: RebuildOptions = {}): Promise<CountyRebuild[]> {
  const counties = options.counties ?? (await metricCounties(prisma));
  assertCountyCodes(counties);
  const done: CountyRebuild[] = [];
  for (const countyCode of counties) {
    const result = await rebuildCountyMetrics(prisma, countyCode, options.transactionTimeoutMs);
    done.push(result);
    options.onCounty?.(result);
  }
  return done;
}
