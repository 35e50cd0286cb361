// Small-cell suppression of the published pilot metrics (docs/decisions/009), applied to every answer of
// pilotMetrics, the dashboard and the exports, whoever asks.
//
// The rule works on the finest cells any answer is built from, before anything is added up:
//   - flow cells: month x county x employment form of the window (enrolments, exits, payments, amounts);
//   - stock cells: county x employment form at the end of the window (active accounts, balances, loans outstanding).
// A figure of a cell that rests on at least one and fewer than `minCell` people (metrics.minCellSize) is withheld:
// it counts as zero in every total, breakdown and month of every answer. Since every published figure is then a sum
// of published cells only, no withheld figure can be derived by subtracting visible figures from a total, within
// one answer or across answers for other windows or counties (complementary suppression by construction).
import { PARAMETERS_BY_KEY } from "../../domain/policy/parameter-catalog";
import { Prisma } from "../../generated/prisma/client";
import type { HubServices } from "../hub-services";
import { MissingParameterError } from "../policy/policy-parameters.service";

const PARAMETER = "metrics.minCellSize";

// Built once: a new Intl.DateTimeFormat per read was the read's costliest JavaScript function (profile, decision 026).
const SHANGHAI_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });

/** Today in Asia/Shanghai: the disclosure rule in force when the figures are published, not when they happened. */
function shanghaiToday(at = new Date()): string {
  return SHANGHAI_DAY.format(at);
}

/** The minimum cell size in force today (1 publishes every cell). */
export async function minimumCellSize(hub: HubServices): Promise<number> {
  try {
    return Math.max(1, (await hub.policy.on(shanghaiToday())).int(PARAMETER));
  } catch (e) {
    if (!(e instanceof MissingParameterError)) throw e;
    return Number(PARAMETERS_BY_KEY.get(PARAMETER)!.defaultValue);
  }
}

/**
 * The published cells over `m` (rows of the canonical metric columns, months <= to): the flow cells of [from, to]
 * and the stock cells at `to` (given the month `to`, so they fall in the window's last month), each figure withheld
 * when small; `withheld` = 1 on a flow cell and `withheld_stock` = 1 on a stock cell that lost a figure.
 *
 * Who is behind each figure: enrolments, exits, payments (a deposit amount rests on its payments), loans and refused
 * duplicate checks are counts of their own, and so are loan applications and overdue loans (a stock). Withdrawals and subsidies have no count in the rollups: they are
 * published for a flow cell only when the cell has at least `minCell` payments (subsidies ride on payments; the
 * money-out work adds a withdrawal count, and then withdrawals use it).
 */
export function publishedCells(m: Prisma.Sql, from: string, to: string, minCell: number): Prisma.Sql {
  const k = Prisma.sql`${minCell}::int`;
  const isSmall = (n: string) => Prisma.sql`(${Prisma.raw(n)} BETWEEN 1 AND ${k} - 1)`;
  const keep = (value: string, count: string) =>
    Prisma.sql`CASE WHEN ${isSmall(count)} THEN 0 ELSE ${Prisma.raw(value)} END`;
  const fewPayments = Prisma.sql`(${k} > 1 AND deposit_count < ${k})`;
  const ridesOnPayments = (value: string) => Prisma.sql`CASE WHEN ${fewPayments} THEN 0 ELSE ${Prisma.raw(value)} END`;
  return Prisma.sql`
    SELECT month, county_code, employment_form,
      ${keep("enrolled", "enrolled")} AS enrolled, ${keep("exited", "exited")} AS exited,
      ${keep("deposit_amount", "deposit_count")} AS deposit_amount, ${keep("deposit_count", "deposit_count")} AS deposit_count,
      ${ridesOnPayments("withdrawal_amount")} AS withdrawal_amount,
      ${keep("loan_count", "loan_count")} AS loan_count, ${keep("loan_amount", "loan_count")} AS loan_amount,
      ${ridesOnPayments("graduate_subsidy_amount")} AS graduate_subsidy_amount,
      ${ridesOnPayments("interest_subsidy_amount")} AS interest_subsidy_amount,
      ${ridesOnPayments("interest_amount")} AS interest_amount,
      ${keep("duplicate_blocks", "duplicate_blocks")} AS duplicate_blocks,
      ${keep("converted_to_employer", "converted_to_employer")} AS converted_to_employer,
      ${keep("loan_applications", "loan_applications")} AS loan_applications,
      0::bigint AS active, 0::numeric AS balance, 0::numeric AS loan_outstanding, 0::bigint AS loan_overdue,
      (${isSmall("enrolled")} OR ${isSmall("exited")} OR ${isSmall("deposit_count")} OR ${isSmall("loan_count")}
        OR ${isSmall("duplicate_blocks")} OR ${isSmall("converted_to_employer")} OR ${isSmall("loan_applications")}
        OR (${fewPayments} AND (withdrawal_amount <> 0 OR graduate_subsidy_amount <> 0 OR interest_subsidy_amount <> 0 OR interest_amount <> 0))
      )::int AS withheld, 0 AS withheld_stock
    FROM (
      SELECT month, county_code, employment_form, sum(enrolled) AS enrolled, sum(exited) AS exited,
        sum(deposit_amount) AS deposit_amount, sum(deposit_count) AS deposit_count,
        sum(withdrawal_amount) AS withdrawal_amount, sum(loan_count) AS loan_count, sum(loan_amount) AS loan_amount,
        sum(graduate_subsidy_amount) AS graduate_subsidy_amount, sum(interest_subsidy_amount) AS interest_subsidy_amount,
        sum(interest_amount) AS interest_amount,
        sum(duplicate_blocks) AS duplicate_blocks, sum(converted_to_employer) AS converted_to_employer,
        sum(loan_applications) AS loan_applications
      FROM ${m} WHERE month >= ${from}
      GROUP BY 1, 2, 3
    ) flows
    UNION ALL
    SELECT ${to}::text, county_code, employment_form, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ${keep("active", "active")}, ${keep("balance", "active")}, ${keep("loan_outstanding", "active")},
      ${keep("loan_overdue", "loan_overdue")},
      0, (${isSmall("active")} OR ${isSmall("loan_overdue")})::int
    FROM (
      SELECT county_code, employment_form, sum(active_delta) AS active, sum(balance_delta) AS balance,
        sum(loan_outstanding_delta) AS loan_outstanding, sum(loan_overdue_delta) AS loan_overdue
      FROM ${m}
      GROUP BY 1, 2
    ) stocks`;
}
