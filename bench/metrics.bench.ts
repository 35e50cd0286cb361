// npm run bench:metrics -- [--workers=1000000] [--entries=40000000] [--months=48] [--requests=200] [--baseline-runs=2]
//   [--pending-deltas=2000] [--compact-deltas=100000] [--chunk=1000000] [--db=postgres://postgres@127.0.0.1:5432/postgres] [--keep-db]
// On a fresh database bench_metrics_<random>: generates the workers and the ledger (server-side, in chunks), builds the
// rollups with one aggregate, leaves some figures in pending deltas (as between two compactions), then measures
// pilotMetrics over HTTP (an in-process hub, a CENTER_ADMIN token) for a 12-month and a 36-month window, beside the
// same answer computed by a plain aggregate over the ledger (ledger_entry joined to account, grouped) in the same
// run. The two answers must be equal. Then compaction (decision 026), and the rollups rebuilt one county per
// transaction (`npm run metrics:rebuild`'s job, decision 040) while pilotMetrics is read over HTTP: its time beside the
// one aggregate's, and the rebuilt rollups must equal what that aggregate built. The database is dropped at the end.
import "reflect-metadata";

import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";

import { Client } from "pg";
import pino from "pino";

import { createHub, type Hub } from "../src/app";
import { signDevToken } from "../src/auth/token-verifier";
import { addMonths } from "../src/domain/calendar/calendar";
import { Prisma } from "../src/generated/prisma/client";
import { compactMetrics, vacuumMetricTables } from "../src/jobs/metrics-compaction";
import { type CountyRebuild, rebuildMetrics } from "../src/jobs/metrics-rebuild";
import {
  INSERT_COLUMNS,
  KEY_COLUMNS,
  METRIC_COLUMNS,
  recomputedSource,
  summedColumns,
} from "../src/services/metrics/metric-sources";
import {
  computePilotMetrics,
  computePilotMetricsOver,
  type PilotMetricsDto,
} from "../src/services/metrics/pilot-metrics";
import { minimumCellSize } from "../src/services/metrics/pilot-metrics-suppression";
import { generateData } from "./metrics/metrics-data";

const FIRST_MONTH = "2023-07";
const PILOT_QUERY = `query($from: YearMonth!, $to: YearMonth!) { pilotMetrics(from: $from, to: $to) {
  from to enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount loanCount loanAmount graduateSubsidyAmount
  interestSubsidyAmount duplicateBlocks loanToDepositRatio suppressed monthly { period enrolled depositAmount withdrawalAmount }
  byCounty { key activeAccounts depositAmount } byEmploymentForm { key activeAccounts depositAmount } } }`;

type PilotVars = { from: string; to: string };

async function askPilot(url: string, token: string, vars: PilotVars): Promise<PilotMetricsDto> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: PILOT_QUERY, variables: vars }),
  });
  const body = (await res.json()) as { data?: { pilotMetrics: PilotMetricsDto }; errors?: unknown[] };
  if (!body.data) throw new Error(`pilotMetrics failed: ${JSON.stringify(body.errors)}`);
  return body.data.pilotMetrics;
}

function options(argv: string[]) {
  const flags = new Map(
    argv
      .map(
        (a) =>
          /^--([a-z-]+)(?:=(.*))?$/.exec(a) ??
          (() => {
            throw new Error(`unknown argument ${a}`);
          })(),
      )
      .map((m) => [m[1]!, m[2] ?? "true"]),
  );
  const known = [
    "workers",
    "entries",
    "months",
    "requests",
    "warmup",
    "baseline-runs",
    "pending-deltas",
    "compact-deltas",
    "chunk",
    "db",
    "keep-db",
  ];
  for (const k of flags.keys())
    if (!known.includes(k)) throw new Error(`unknown option --${k}; known: ${known.map((x) => `--${x}`).join(" ")}`);
  const num = (name: string, fallback: number) =>
    Math.round(Number((flags.get(name) ?? String(fallback)).replace(/_/g, "")));
  return {
    workers: num("workers", 1_000_000),
    entries: num("entries", 40_000_000),
    months: num("months", 48),
    requests: num("requests", 200),
    warmup: num("warmup", 20),
    baselineRuns: num("baseline-runs", 2),
    pendingDeltas: num("pending-deltas", 2000),
    compactDeltas: num("compact-deltas", 100_000),
    chunk: num("chunk", 1_000_000),
    serverUrl: flags.get("db") ?? "postgres://postgres@127.0.0.1:5432/postgres",
    keepDb: flags.get("keep-db") === "true",
  };
}

const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${message}\n`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function admin<T>(serverUrl: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** What the one aggregate built, kept to check the rebuild by county against (a scratch table of this database). */
const BUILT = "bench_rollup_built";
const ROLLUP_COLUMNS = [...KEY_COLUMNS, ...METRIC_COLUMNS].join(", ");

/**
 * The rollups as one aggregate over the sources (its time returned, the copy kept in BUILT); then `pending` deltas
 * carved out of them (the answer is unchanged).
 */
async function buildRollups(c: Client, pending: number): Promise<number> {
  const rollup = Prisma.sql`INSERT INTO metric_rollup ${INSERT_COLUMNS} SELECT month, county_code, employment_form, ${summedColumns()} FROM (${recomputedSource}) s GROUP BY 1, 2, 3`;
  await c.query("SET work_mem = '256MB'");
  const t0 = performance.now();
  await c.query(rollup.text, rollup.values);
  const seconds = (performance.now() - t0) / 1000;
  await c.query(`CREATE TABLE ${BUILT} AS SELECT ${ROLLUP_COLUMNS} FROM metric_rollup`);
  const { rows } = await c.query<{ n: string }>("SELECT count(*) AS n FROM metric_rollup");
  const perRow = Math.ceil(pending / Math.max(1, Number(rows[0]!.n)));
  await c.query(`INSERT INTO metric_delta (month, county_code, employment_form, deposit_amount)
    SELECT month, county_code, employment_form, 0.01 FROM metric_rollup CROSS JOIN generate_series(1, ${perRow})`);
  await c.query(`UPDATE metric_rollup SET deposit_amount = deposit_amount - ${perRow} * 0.01`);
  await c.query("ANALYZE metric_rollup, metric_delta");
  return seconds;
}

/**
 * Rollup rows that differ between the rebuilt rollups and the one aggregate's (each way), and deltas left. After a
 * rebuild all three are 0: the compaction step folded deltas no source gives (1000.00 each), which the rebuild must
 * remove, and the carved pending deltas must be folded back.
 */
async function rebuildDifferences(c: Client): Promise<{ extra: number; missing: number; deltas: number }> {
  const count = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  const rollups = `SELECT ${ROLLUP_COLUMNS} FROM metric_rollup`;
  const built = `SELECT ${ROLLUP_COLUMNS} FROM ${BUILT}`;
  return {
    extra: await count(`SELECT count(*) AS n FROM (${rollups} EXCEPT ${built}) x`),
    missing: await count(`SELECT count(*) AS n FROM (${built} EXCEPT ${rollups}) x`),
    deltas: await count("SELECT count(*) AS n FROM metric_delta"),
  };
}

async function hubLatencies(url: string, token: string, vars: PilotVars, count: number, warmup: number) {
  const ask = () => askPilot(url, token, vars);
  for (let i = 0; i < warmup; i++) await ask();
  const times: number[] = [];
  let answer: PilotMetricsDto | null = null;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    answer = await ask();
    times.push(performance.now() - t0);
  }
  return { times: times.sort((a, b) => a - b), answer: answer! };
}

/** computePilotMetrics in process (no HTTP, no GraphQL): the share of the latency that is the database's. */
async function serviceLatencies(hub: Hub, vars: { from: string; to: string }, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await computePilotMetrics(hub.services, vars);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function baselineLatencies(hub: Hub, vars: { from: string; to: string }, runs: number) {
  const times: number[] = [];
  let answer: PilotMetricsDto | null = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    // The same publication rule on both sides: small cells withheld with the minimum cell size in force.
    answer = await computePilotMetricsOver(hub.services, vars, recomputedSource, await minimumCellSize(hub.services));
    times.push(performance.now() - t0);
    log(`  baseline ${vars.from}..${vars.to} run ${i + 1}/${runs}: ${(times.at(-1)! / 1000).toFixed(1)} s`);
  }
  return { times: times.sort((a, b) => a - b), answer: answer! };
}

/** pilotMetrics over HTTP, one request after another, while `goOn()` says so; the times sorted, in ms. */
async function readsWhile(base: string, token: string, vars: PilotVars, goOn: () => boolean): Promise<number[]> {
  const times: number[] = [];
  while (goOn()) {
    const t = performance.now();
    await askPilot(base, token, vars);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

/** The same reads for `ms`. */
function readsFor(base: string, token: string, vars: PilotVars, ms: number): Promise<number[]> {
  const until = performance.now() + ms;
  return readsWhile(base, token, vars, () => performance.now() < until);
}

const readSummary = (times: number[]) =>
  `${times.length} requests, p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`;

/** How long pilotMetrics is read just before the rebuild, as the control of the reads during it. */
const CONTROL_MS = 10_000;

interface RebuildRun {
  counties: CountyRebuild[];
  seconds: number;
  /** pilotMetrics (12 months) over HTTP, one request after another, while the rebuild ran; sorted ms. */
  reads: number[];
  /** The same reads in the CONTROL_MS just before the rebuild (same data, same state): the control. */
  before: number[];
  /** Live and dead rows of the metric tables before the control (the compaction step leaves dead versions). */
  tuples: string;
  load: number;
}

/**
 * The rollups rebuilt one county per transaction (what `npm run metrics:rebuild` runs) while pilotMetrics is asked
 * over HTTP, one request after another, until the rebuild ends; then the rebuilt rollups are compared with the one
 * aggregate's (they must be equal, with no delta left).
 */
async function rebuildWhileRead(
  hub: Hub,
  dbUrl: string,
  base: string,
  token: string,
  from: string,
  to: string,
): Promise<RebuildRun> {
  const load = loadavg()[0]!;
  const tuples = await admin(dbUrl, async (c) =>
    (
      await c.query<{ relname: string; live: string; dead: string }>(
        `SELECT relname, n_live_tup AS live, n_dead_tup AS dead FROM pg_stat_user_tables
         WHERE relname IN ('metric_rollup', 'metric_delta') ORDER BY relname`,
      )
    ).rows
      .map((r) => `${r.relname} ${r.live} live / ${r.dead} dead`)
      .join(", "),
  );
  const before = await readsFor(base, token, { from, to }, CONTROL_MS);
  let done = false;
  let reads: number[] = [];
  let failed: unknown;
  // A failed read ends the reader and fails the run after the rebuild (never an unhandled rejection meanwhile).
  const reader = readsWhile(base, token, { from, to }, () => !done).then(
    (times) => {
      reads = times;
    },
    (e: unknown) => {
      failed = e;
    },
  );
  const t0 = performance.now();
  const counties = await rebuildMetrics(hub.services.prisma, {
    transactionTimeoutMs: 3_600_000,
    onCounty: (c) =>
      log(
        `  rebuilt county ${c.countyCode}: ${c.rows} rows, ${c.removed} removed, ${c.deltas} deltas folded, ${(c.ms / 1000).toFixed(1)} s`,
      ),
  }).finally(() => {
    done = true;
  });
  const seconds = (performance.now() - t0) / 1000;
  await reader;
  if (failed !== undefined) throw failed;
  const differences = await admin(dbUrl, rebuildDifferences);
  if (differences.extra + differences.missing + differences.deltas > 0)
    throw new Error(
      `the rebuilt rollups differ from the one aggregate's: ${differences.extra} rows not in it, ${differences.missing} of its rows missing, ${differences.deltas} deltas left`,
    );
  return { counties, seconds, reads, before, tuples, load };
}

function rebuildReport(r: RebuildRun, aggregateSeconds: number): string {
  const each = r.counties.map((c) => c.ms / 1000).sort((a, b) => a - b);
  const sum = (f: "rows" | "removed" | "deltas") => r.counties.reduce((n, c) => n + c[f], 0);
  return [
    `rollups rebuilt by county (metrics:rebuild, decision 040): ${r.counties.length} counties in ${r.seconds.toFixed(1)} s = ${(r.seconds / aggregateSeconds).toFixed(2)}x the one aggregate (${aggregateSeconds.toFixed(1)} s, same run);`,
    `  a county's transaction ${each[0]!.toFixed(1)}-${each.at(-1)!.toFixed(1)} s; ${sum("rows")} rows written, ${sum("removed")} removed, ${sum("deltas")} deltas folded;`,
    `  the rebuilt rollups equal the one aggregate's (the sourceless 1000.00s the compaction step folded in are gone), no delta left; load average ${r.load.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after`,
    `  pilotMetrics (12 months) over HTTP, one request after another, during the rebuild: ${readSummary(r.reads)};`,
    `    in the ${CONTROL_MS / 1000} s just before it (control): ${readSummary(r.before)} (${r.tuples})`,
  ].join("\n");
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const name = `bench_metrics_${randomBytes(5).toString("hex")}`;
  const url = new URL(o.serverUrl);
  url.pathname = `/${name}`;
  await admin(o.serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  log(
    `database ${name}: ${o.workers.toLocaleString("en")} workers, ${o.entries.toLocaleString("en")} entries over ${o.months} months`,
  );
  const secret = randomBytes(32).toString("hex");
  let hub: Hub | undefined;
  try {
    hub = await createHub({
      // The ledger aggregate (the baseline) runs for minutes at tens of millions of entries: no 15 s statement cap.
      database: { url: url.toString(), poolSize: 4, timeouts: { statementMs: 1_800_000 } },
      auth: { jwtSecret: secret },
      connectors: { nationalUrl: "http://127.0.0.1:9" },
      logger: pino({ level: "silent" }),
      metricsCompactionIntervalMs: 24 * 3600 * 1000,
    });
    const shape = {
      workers: o.workers,
      postings: Math.floor(o.entries / 2),
      months: o.months,
      firstMonth: FIRST_MONTH,
      chunk: o.chunk,
    };
    await admin(url.toString(), (c) => generateData(c, shape, hub!.services.fundAccounts.BANK_SETTLEMENT, log));
    const rollupSeconds = await admin(url.toString(), (c) => buildRollups(c, o.pendingDeltas));
    log(
      `rollups built from the ledger in one aggregate (${rollupSeconds.toFixed(1)} s), ${o.pendingDeltas} pending deltas`,
    );

    const base = await hub.listen(0, "127.0.0.1");
    const token = await signDevToken(secret, { role: "CENTER_ADMIN", sub: "bench:metrics", org: "140500" });
    const last = addMonths(FIRST_MONTH, o.months - 1);
    const rows: string[][] = [];
    for (const months of [12, 36]) {
      const vars = { from: addMonths(last, 1 - months), to: last };
      const load = loadavg()[0]!;
      const served = await hubLatencies(base, token, vars, o.requests, o.warmup);
      const service = await serviceLatencies(hub, vars, o.requests);
      log(
        `hub ${months}-month window: ${o.requests} requests over HTTP and ${o.requests} in process (load average ${load.toFixed(1)})`,
      );
      const plain = await baselineLatencies(hub, vars, o.baselineRuns);
      // The fields the GraphQL query asks for, in its order, from both sides (the DTO has more fields than the
      // query asks since wave 2, so comparing whole objects failed every run).
      const a = served.answer as unknown as Record<string, unknown>;
      const b = plain.answer as unknown as Record<string, unknown>;
      const differing = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
      if (differing.length > 0)
        throw new Error(
          `answers differ for ${vars.from}..${vars.to}:\n${differing
            .map((k) => `${k}: hub ${JSON.stringify(a[k])} vs ledger ${JSON.stringify(b[k])}`)
            .join("\n")
            .slice(0, 3000)}`,
        );
      const ms = (n: number) => `${n.toFixed(n < 100 ? 2 : 0)} ms`;
      rows.push([
        `${months} months (${vars.from}..${vars.to})`,
        ms(percentile(served.times, 50)),
        ms(percentile(served.times, 99)),
        `${served.times.length}`,
        `${ms(percentile(service, 50))} / ${ms(percentile(service, 99))}`,
        ms(percentile(plain.times, 50)),
        ms(percentile(plain.times, 99)),
        `${plain.times.length}`,
        percentile(served.times, 99) < 50 ? "yes" : "NO",
        `${served.answer.activeAccounts} active, ${served.answer.depositCount} payments, ${served.answer.depositAmount}`,
        `${load.toFixed(1)} / ${loadavg()[0]!.toFixed(1)}`,
      ]);
    }
    // Compaction (decision 026): `compact-deltas` delta rows spread over every rollup key (as a day of postings
    // leaves them), folded by the hub's own compactMetrics; the figures must be the same before and after.
    const compaction = await admin(url.toString(), async (c) => {
      const sums = async () =>
        (
          await c.query<{ s: string }>(
            "SELECT (SELECT coalesce(sum(deposit_amount), 0) FROM metric_rollup) + (SELECT coalesce(sum(deposit_amount), 0) FROM metric_delta) AS s",
          )
        ).rows[0]!.s;
      const { rows: keys } = await c.query<{ n: string }>("SELECT count(*) AS n FROM metric_rollup");
      const perRow = Math.ceil(o.compactDeltas / Math.max(1, Number(keys[0]!.n)));
      await c.query(`INSERT INTO metric_delta (month, county_code, employment_form, deposit_amount, deposit_count)
        SELECT month, county_code, employment_form, 1000.00, 1 FROM metric_rollup CROSS JOIN generate_series(1, ${perRow})
        LIMIT ${o.compactDeltas}`);
      await c.query("ANALYZE metric_delta");
      const before = await sums();
      const t = performance.now();
      const result = await compactMetrics(hub!.services.prisma);
      const seconds = (performance.now() - t) / 1000;
      const after = await sums();
      const left = (await c.query<{ n: string }>("SELECT count(*) AS n FROM metric_delta")).rows[0]!.n;
      if (before !== after || left !== "0")
        throw new Error(`compaction changed the figures: ${before} before, ${after} after, ${left} deltas left`);
      return { seconds, moved: result.moved, keys: Number(keys[0]!.n), load: loadavg()[0]! };
    });
    log(
      `compaction: ${compaction.moved} deltas over ${compaction.keys} rollup keys folded in ${compaction.seconds.toFixed(2)} s (figures equal before and after; load average ${compaction.load.toFixed(1)})`,
    );
    // What the compacted rows cost a read until they are vacuumed, and the vacuum the hub's compactor runs after a
    // compaction (decision 042), timed; the reads again after it.
    const window12 = { from: addMonths(last, -11), to: last };
    const unvacuumed = await readsFor(base, token, window12, CONTROL_MS);
    const vacuumStarted = performance.now();
    await vacuumMetricTables(hub.services.prisma);
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    const vacuumed = await readsFor(base, token, window12, CONTROL_MS);
    const vacuumLine = `pilotMetrics (12 months) over HTTP after the compaction: before its vacuum ${readSummary(unvacuumed)}; vacuum (vacuumMetricTables) ${vacuumSeconds.toFixed(2)} s; after it ${readSummary(vacuumed)}`;
    log(vacuumLine);
    const rebuild = await rebuildWhileRead(hub, url.toString(), base, token, window12.from, window12.to);
    const header = [
      "window",
      "hub p50",
      "hub p99",
      "n",
      "in-process p50 / p99",
      "ledger aggregate p50",
      "ledger aggregate p99",
      "n",
      "p99 < 50 ms",
      "answer (equal on both sides)",
      "load avg before / after",
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    process.stdout.write(
      `\npilotMetrics over HTTP vs the same answer from the ledger (${o.workers.toLocaleString("en")} workers, ${o.entries.toLocaleString("en")} entries)\n`,
    );
    process.stdout.write(
      [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n") + "\n",
    );
    process.stdout.write(
      `rollup build (one aggregate): ${rollupSeconds.toFixed(1)} s; compaction of ${compaction.moved} deltas: ${compaction.seconds.toFixed(2)} s; total run ${((performance.now() - started) / 1000).toFixed(0)} s; ${o.pendingDeltas} pending deltas; 2 cores shared (load avg above)\n`,
    );
    process.stdout.write(`${vacuumLine}\n${rebuildReport(rebuild, rollupSeconds)}\n`);
  } finally {
    await hub?.close(2000);
    if (o.keepDb) log(`kept database ${name}`);
    else await admin(o.serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
