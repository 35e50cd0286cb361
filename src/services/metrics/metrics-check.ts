// Proves the pilot metrics exact: recomputes every measure from the source tables (ledger entries joined to
// accounts, agreements, refused duplicate checks) and compares it with rollup + pending deltas for every
// month x county x employment form. Used by `npm run metrics:check` and the rollup consistency test.
import { Money } from "../../domain/money/money";
import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import { maintainedSource, METRIC_COLUMNS, type MetricColumn, recomputedSource, summedColumns } from "./metric-sources";

export interface MetricDifference {
  month: string;
  countyCode: string;
  employmentForm: string;
  column: MetricColumn;
  expected: string;
  actual: string;
}

export interface MetricsCheckReport {
  ok: boolean;
  /** Keys (month x county x form) present on either side. */
  groups: number;
  /** Deltas not yet compacted (they count in the answer too). */
  pendingDeltas: number;
  differences: MetricDifference[];
}

const MAX_LISTED = 100;
const SIDES = Prisma.raw(
  METRIC_COLUMNS.map(
    (c) => `coalesce(e.${c}, 0)::text AS expected_${c}, coalesce(a.${c}, 0)::text AS actual_${c}`,
  ).join(", "),
);
const DIFFERS = Prisma.raw(METRIC_COLUMNS.map((c) => `coalesce(e.${c}, 0) <> coalesce(a.${c}, 0)`).join(" OR "));

type Row = { month: string; county_code: string; employment_form: string; differs: boolean } & Record<string, string>;

export async function checkMetrics(prisma: PrismaClient): Promise<MetricsCheckReport> {
  const rows = await prisma.$queryRaw<Row[]>`
    WITH expected AS (
      SELECT month, county_code, employment_form, ${summedColumns()}
      FROM (${recomputedSource}) s
      GROUP BY 1, 2, 3
    ), actual AS (
      SELECT month, county_code, employment_form, ${summedColumns()}
      FROM (${maintainedSource}) s
      GROUP BY 1, 2, 3
    )
    SELECT month, county_code, employment_form, (${DIFFERS}) AS differs, ${SIDES}
    FROM expected e FULL JOIN actual a USING (month, county_code, employment_form)
    ORDER BY 1, 2, 3`;
  const [pending] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM metric_delta`;
  const differences: MetricDifference[] = [];
  for (const row of rows.filter((r) => r.differs)) {
    for (const column of METRIC_COLUMNS) {
      const expected = row[`expected_${column}`]!;
      const actual = row[`actual_${column}`]!;
      if (!new Money(expected).equals(actual) && differences.length < MAX_LISTED) {
        differences.push({
          month: row.month,
          countyCode: row.county_code,
          employmentForm: row.employment_form,
          column,
          expected,
          actual,
        });
      }
    }
  }
  return { ok: !rows.some((r) => r.differs), groups: rows.length, pendingDeltas: Number(pending?.n ?? 0), differences };
}
