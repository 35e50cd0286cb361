// pilotMetrics: the leadership group's aggregates for a window of months, read from the compacted rollups plus
// the deltas not yet compacted (one SQL statement over at most months x counties x forms rows: never the ledger).
// The answer is plain JSON with the contract's field names; the dashboard and the exports use this same function,
// and it is published with small cells withheld (pilot-metrics-suppression.ts, docs/decisions/009).
import { isValidDate, monthRange } from "../../domain/calendar/calendar";
import { type LiquidityLevel, liquidityLevel } from "../../domain/loans/loan-repayment.rule";
import {
  EMPLOYMENT_FORMS,
  isCountyCode,
  loanToDepositRatio,
  metricsWindowProblem,
} from "../../domain/metrics/pilot-metrics.rule";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { badInput } from "../../errors";
import { Prisma } from "../../generated/prisma/client";
import type { HubServices } from "../hub-services";
import { liquidityThresholds } from "../loans/loan-book";
import { MissingParameterError } from "../policy/policy-parameters.service";
import { maintainedSource } from "./metric-sources";
import { minimumCellSize, publishedCells } from "./pilot-metrics-suppression";

export interface PilotMetricsArgs {
  from: string;
  to: string;
  countyCode?: string | null;
}

export interface MetricPointDto {
  period: string;
  enrolled: number;
  depositAmount: string;
  withdrawalAmount: string;
}

export interface MetricGroupDto {
  key: string;
  activeAccounts: number;
  depositAmount: string;
}

export interface PilotMetricsDto {
  from: string;
  to: string;
  enrolledTotal: number;
  activeAccounts: number;
  exitedTotal: number;
  depositAmount: string;
  depositCount: number;
  withdrawalAmount: string;
  loanCount: number;
  loanAmount: string;
  graduateSubsidyAmount: string;
  interestSubsidyAmount: string;
  /** Fund interest credited in the window (wave 2). */
  interestAmount: string;
  duplicateBlocks: number;
  convertedToEmployer: number;
  loanToDepositRatio: string;
  /** The ratio at the end of the window against the thresholds in force on the window's last day (wave 2). */
  liquidityLevel: LiquidityLevel;
  /** Loan applications in the window, approved or refused (wave 2). */
  loanApplications: number;
  /** Loans with an overdue instalment at the end of the window (wave 2). */
  loanOverdueCount: number;
  /** True when figures of a group smaller than the minimum cell size were withheld or folded into key OTHER. */
  suppressed: boolean;
  monthly: MetricPointDto[];
  byCounty: MetricGroupDto[];
  byEmploymentForm: MetricGroupDto[];
}

type Num = { toFixed(): string } | null;
interface AggregateRow {
  g: number;
  month: string | null;
  county_code: string | null;
  employment_form: string | null;
  enrolled: bigint | null;
  exited: bigint | null;
  deposit_amount: Num;
  deposit_count: bigint | null;
  withdrawal_amount: Num;
  loan_count: bigint | null;
  loan_amount: Num;
  graduate_subsidy_amount: Num;
  interest_subsidy_amount: Num;
  interest_amount: Num;
  duplicate_blocks: bigint | null;
  converted_to_employer: bigint | null;
  loan_applications: bigint | null;
  loan_overdue: bigint | null;
  active: bigint | null;
  balance: Num;
  loan_outstanding: Num;
  /** Flow cells (month x county x form) and stock cells (county x form) of the group that lost a figure. */
  withheld: bigint | null;
  withheld_stock: bigint | null;
}

// GROUPING(month, county_code, employment_form) of each grouping set.
const TOTAL = 7;
const BY_MONTH = 3;
const BY_COUNTY = 5;
const BY_FORM = 6;

const money = (v: Num): MoneyValue => (v === null ? ZERO : toMoney(v));
const fen = (v: Num): string => formatMoney(money(v));
const int = (v: bigint | null): number => Number(v ?? 0n);

async function aggregate(
  hub: HubServices,
  source: Prisma.Sql,
  args: { from: string; to: string; county: string | null; minCell: number },
): Promise<AggregateRow[]> {
  const { from, to, county, minCell } = args;
  // Window measures count months in [from, to]; stocks (active accounts, balances, loans outstanding) sum every
  // month <= to. Both are first taken per cell and suppressed there (publishedCells), then added up.
  // On the reserved read connections when the hub has them: the read never waits behind writers (decision 026).
  return (hub.aggregatePrisma ?? hub.prisma).$queryRaw<AggregateRow[]>`
    WITH m AS (
      SELECT * FROM (${source}) u
      WHERE month <= ${to} AND (${county}::text IS NULL OR county_code = ${county}::text)
    ), p AS (${publishedCells(Prisma.raw("m"), from, to, minCell)})
    SELECT GROUPING(month, county_code, employment_form)::int AS g, month::text AS month, county_code::text AS county_code, employment_form,
      sum(enrolled)::bigint AS enrolled, sum(exited)::bigint AS exited,
      sum(deposit_amount)::numeric AS deposit_amount, sum(deposit_count)::bigint AS deposit_count,
      sum(withdrawal_amount)::numeric AS withdrawal_amount,
      sum(loan_count)::bigint AS loan_count, sum(loan_amount)::numeric AS loan_amount,
      sum(graduate_subsidy_amount)::numeric AS graduate_subsidy_amount,
      sum(interest_subsidy_amount)::numeric AS interest_subsidy_amount,
      sum(interest_amount)::numeric AS interest_amount,
      sum(duplicate_blocks)::bigint AS duplicate_blocks,
      sum(converted_to_employer)::bigint AS converted_to_employer,
      sum(loan_applications)::bigint AS loan_applications, sum(loan_overdue)::bigint AS loan_overdue,
      sum(active)::bigint AS active, sum(balance)::numeric AS balance, sum(loan_outstanding)::numeric AS loan_outstanding,
      sum(withheld)::bigint AS withheld, sum(withheld_stock)::bigint AS withheld_stock
    FROM p
    GROUP BY GROUPING SETS ((), (month), (county_code), (employment_form))`;
}

const lastDayOf = (to: string) => ["31", "30", "29", "28"].map((d) => `${to}-${d}`).find(isValidDate)!;

/** The county codes in force at the end of the window (none before the pilot's parameters start). */
async function policyCounties(hub: HubServices, to: string): Promise<string[]> {
  try {
    return (await hub.policy.on(lastDayOf(to))).codes("enrolment.countyCodes");
  } catch (e) {
    if (e instanceof MissingParameterError) return [];
    throw e;
  }
}

/** The level of the published ratio's figures against the thresholds in force at the end of the window. */
async function windowLiquidity(hub: HubServices, to: string, loans: MoneyValue, balance: MoneyValue) {
  try {
    return liquidityLevel(loans, balance, liquidityThresholds(await hub.policy.on(lastDayOf(to))));
  } catch (e) {
    if (e instanceof MissingParameterError) return "NORMAL";
    throw e;
  }
}

/** A row whose shown figures are all zero only because cells were withheld: it is left out, not shown as zero. */
const hiddenRow = (r: AggregateRow | undefined, shown: (r: AggregateRow) => (Num | bigint | null)[]): boolean =>
  r !== undefined &&
  int(r.withheld) + (r.g === BY_MONTH ? 0 : int(r.withheld_stock)) > 0 &&
  shown(r).every((v) => (typeof v === "bigint" || v === null ? int(v) === 0 : money(v).isZero()));

function groups(
  rows: AggregateRow[],
  keyOf: (r: AggregateRow) => string | null,
  listed: readonly string[],
): MetricGroupDto[] {
  const found = new Map(rows.map((r) => [keyOf(r) ?? "", r]));
  const keys = [...listed, ...[...found.keys()].filter((k) => !listed.includes(k)).sort()];
  return keys
    .filter((key) => !hiddenRow(found.get(key), (r) => [r.active, r.deposit_amount]))
    .map((key) => {
      const r = found.get(key);
      return { key, activeAccounts: int(r?.active ?? null), depositAmount: fen(r?.deposit_amount ?? null) };
    });
}

/** The published answer over the maintained rollups, small cells withheld (minimum cell size in force today).
 *  With `hub.pilotMetricsCache`, identical reads within its bound share one read (decision 033): the key is the
 *  arguments and the disclosure rule in force, so a changed minimum cell size is never answered from an older read. */
export async function computePilotMetrics(hub: HubServices, args: PilotMetricsArgs): Promise<PilotMetricsDto> {
  const minCell = await minimumCellSize(hub);
  const read = () => computePilotMetricsOver(hub, args, maintainedSource, minCell);
  if (!hub.pilotMetricsCache) return read();
  return hub.pilotMetricsCache.get(JSON.stringify([args.from, args.to, args.countyCode ?? null, minCell]), read);
}

/** The same answer over another source of per-month rows (the benchmark passes the full recomputation);
 *  `minCell` 1 gives every figure exactly. */
export async function computePilotMetricsOver(
  hub: HubServices,
  args: PilotMetricsArgs,
  source: Prisma.Sql,
  minCell: number,
): Promise<PilotMetricsDto> {
  const { from, to } = args;
  const county = args.countyCode ?? null;
  const problem = metricsWindowProblem(from, to);
  if (problem) throw badInput(problem.message, problem.field);
  if (county !== null && !isCountyCode(county))
    throw badInput("县级区划代码应为 6 位数字 (countyCode must be 6 digits)", "countyCode");

  const counties = county === null ? await policyCounties(hub, to) : [county];
  const rows = await aggregate(hub, source, { from, to, county, minCell });
  const total = rows.find((r) => r.g === TOTAL);
  const byMonth = new Map(rows.filter((r) => r.g === BY_MONTH).map((r) => [r.month!, r]));
  return {
    from,
    to,
    enrolledTotal: int(total?.enrolled ?? null),
    activeAccounts: int(total?.active ?? null),
    exitedTotal: int(total?.exited ?? null),
    depositAmount: fen(total?.deposit_amount ?? null),
    depositCount: int(total?.deposit_count ?? null),
    withdrawalAmount: fen(total?.withdrawal_amount ?? null),
    loanCount: int(total?.loan_count ?? null),
    loanAmount: fen(total?.loan_amount ?? null),
    graduateSubsidyAmount: fen(total?.graduate_subsidy_amount ?? null),
    interestSubsidyAmount: fen(total?.interest_subsidy_amount ?? null),
    interestAmount: fen(total?.interest_amount ?? null),
    duplicateBlocks: int(total?.duplicate_blocks ?? null),
    convertedToEmployer: int(total?.converted_to_employer ?? null),
    loanToDepositRatio: loanToDepositRatio(money(total?.loan_outstanding ?? null), money(total?.balance ?? null)),
    liquidityLevel: await windowLiquidity(
      hub,
      to,
      money(total?.loan_outstanding ?? null),
      money(total?.balance ?? null),
    ),
    loanApplications: int(total?.loan_applications ?? null),
    loanOverdueCount: int(total?.loan_overdue ?? null),
    suppressed: int(total?.withheld ?? null) + int(total?.withheld_stock ?? null) > 0,
    monthly: monthRange(from, to)
      .filter((period) => !hiddenRow(byMonth.get(period), (r) => [r.enrolled, r.deposit_amount, r.withdrawal_amount]))
      .map((period) => {
        const r = byMonth.get(period);
        return {
          period,
          enrolled: int(r?.enrolled ?? null),
          depositAmount: fen(r?.deposit_amount ?? null),
          withdrawalAmount: fen(r?.withdrawal_amount ?? null),
        };
      }),
    byCounty: groups(
      rows.filter((r) => r.g === BY_COUNTY),
      (r) => r.county_code,
      counties,
    ),
    byEmploymentForm: groups(
      rows.filter((r) => r.g === BY_FORM),
      (r) => r.employment_form,
      EMPLOYMENT_FORMS,
    ),
  };
}
