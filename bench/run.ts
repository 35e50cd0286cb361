// `npm run bench [-- --only=deposits,lookups,import --rows=100000 ...]`: the hub's throughput figures, each
// beside a baseline measured in the same run on the same fresh database (bench_<random>, dropped at the end).
// The hub under test runs in a child process (bench/hub-process.ts); this process generates the load.
import "reflect-metadata";

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";

import { Pool } from "pg";

import { startCreditSimulator, startNationalPlatformSimulator } from "../simulators";
import { signDevToken } from "../src/auth/token-verifier";
import { agencyBench } from "./agency.bench";
import { bankImportBench } from "./bank-import.bench";
import { depositsBench } from "./deposits.bench";
import { interestBench } from "./interest.bench";
import { type BenchName, parseArgs } from "./lib/args";
import type { BenchContext, Metric } from "./lib/context";
import { waitForQuiet, withCpu } from "./lib/cpu";
import { type BenchDatabase, createBenchDatabase, transportOf } from "./lib/db";
import { node22Path } from "./lib/node22";
import { killAllChildrenSync, type NodeChild, REPO_ROOT, startNodeChild, stopAllChildren } from "./lib/proc";
import { table, TABLE_LEGEND, writeResults } from "./lib/report";
import { loanQuotaBench } from "./loan-quota.bench";
import { loansBench } from "./loans.bench";
import { lookupsBench } from "./lookups.bench";
import { peerBench } from "./peer.bench";
import { pilotLoadBench } from "./pilot-load.bench";
import { scaleOutBench } from "./scale-out.bench";
import { withdrawalsBench } from "./withdrawals.bench";

const BENCHES: Record<BenchName, { title: string; run: (ctx: BenchContext) => Promise<Metric[]> }> = {
  deposits: { title: "1. recordDeposit over HTTP vs plain SQL", run: depositsBench },
  import: { title: "2. bank file import (streamed CSV) vs raw COPY", run: bankImportBench },
  lookups: { title: "3. account lookups over HTTP vs bare http + pg", run: lookupsBench },
  peer: {
    title:
      "3p. peer: three reads, hub (CENTER_OPERATOR, WORKER; Node 20, 22) vs PostGraphile 5 (+JWT) vs bare http + pg",
    run: peerBench,
  },
  pilotload: {
    title: "3m. pilotMetrics p99 at a steady rate, alone and under recordDeposit load with compaction every 1 s",
    run: pilotLoadBench,
  },
  agency: {
    title:
      "4. agency reads: rentalEligibility (exchange log on/off, bare http + pg) and taxDeductions for 100,000 persons",
    run: agencyBench,
  },
  withdrawals: { title: "5. withdraw over HTTP vs plain SQL (beside the deposit figure)", run: withdrawalsBench },
  scale: { title: "6. scale-out: account lookups through 1 vs 2 hub processes behind one port", run: scaleOutBench },
  loans: { title: "7. runLoanRepayments (offsets) vs one plain-SQL statement", run: loansBench },
  quota: {
    title: "9. loanQuota over HTTP vs the same SQL, credit call and rule behind bare http + pg",
    run: loanQuotaBench,
  },
  interest: {
    title: "8. settleInterest for --interest-accounts accounts x 12 months vs one plain INSERT ... SELECT",
    run: interestBench,
  },
};
// Lookups reuse the deposit workers (who have deposits by then); the import restarts the hub, so it goes late.
// The agency bench seeds its own populations and starts its own second hub; it runs before the import.
// The scale-out bench stops the single hub child and runs its own clusters (after lookups: it reuses their accounts).
// Interest seeds the largest history (12 entries per account), so it goes after the import, whose rate falls as
// history grows; it restarts the hub too (its peak RSS is the settlement's).
const ORDER: BenchName[] = [
  "deposits",
  "lookups",
  "peer",
  "pilotload",
  "withdrawals",
  "scale",
  "agency",
  "loans",
  "quota",
  "import",
  "interest",
];

/** The code under test: HEAD and how many files under src/ and prisma/ differ from it (others edit them meanwhile). */
function gitState(): { commit: string; dirtySrc: number } {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "prisma"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean).length;
    return { commit, dirtySrc: dirty };
  } catch {
    return { commit: "unknown", dirtySrc: 0 };
  }
}

/**
 * The server's version and whether autovacuum runs, printed before any figure: on a server with autovacuum off (as
 * this workplace's CI server is set), dead row versions and statistics are left to whoever vacuums, so tables that
 * churn (metric_delta, exchange_record) grow through a run as they would not on a production server.
 */
async function describeServer(url: string): Promise<string> {
  const c = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await c.query<{ version: string; autovacuum: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('autovacuum') AS autovacuum",
    );
    const { version, autovacuum } = rows[0]!;
    return `PostgreSQL ${version}, autovacuum ${autovacuum}${autovacuum === "on" ? "" : " (nothing is vacuumed or analyzed in the background: the bench ANALYZEs after warm-ups, the hub vacuums its metric tables after each compaction; a production server runs with it on)"}`;
  } finally {
    await c.end();
  }
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const runTag = randomBytes(3).toString("hex");
  const log = (m: string) => process.stdout.write(`${m}\n`);
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;
  const git = gitState();
  log(
    `hpf-hub bench ${runTag} at ${git.commit}${git.dirtySrc ? ` (+${git.dirtySrc} uncommitted src/ changes)` : ""}: ${opts.only.join(", ")} | concurrency ${opts.concurrency} | ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GB | node ${process.version}, hub on Node ${opts.node}`,
  );

  let db: BenchDatabase | null = null;
  let pool: Pool | null = null;
  let national: Awaited<ReturnType<typeof startNationalPlatformSimulator>> | null = null;
  let credit: Awaited<ReturnType<typeof startCreditSimulator>> | null = null;
  let hub: NodeChild | null = null;
  const metrics: Metric[] = [];
  const failures: { bench: string; error: string }[] = [];
  const details: Record<string, unknown> = {};
  let exitCode = 0;
  const cleanup = async () => {
    await stopAllChildren();
    await pool?.end().catch(() => undefined);
    await national?.close().catch(() => undefined);
    await credit?.close().catch(() => undefined);
    if (db && !opts.keepDb)
      await db.drop().catch((e: unknown) => log(`could not drop ${db?.name}: ${(e as Error).message}`));
    else if (db) log(`kept database ${db.name} (--keep-db)`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping children and dropping the bench database`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", killAllChildrenSync);

  try {
    db = await createBenchDatabase(opts.serverUrl);
    log(`database ${db.name} created, reached over ${transportOf(opts.serverUrl)}`);
    log(await describeServer(db.url));
    national = await startNationalPlatformSimulator({ port: 0, host: "127.0.0.1" });
    credit = await startCreditSimulator({ port: 0, host: "127.0.0.1" });
    const secret = randomBytes(32).toString("hex");
    const token = await signDevToken(secret, { role: "CENTER_OPERATOR", sub: "bench-operator", org: "140500" }, "4h");
    const hubEnv: Record<string, string> = {
      BENCH_HUB_DATABASE_URL: db.url,
      BENCH_JWT_SECRET: secret,
      BENCH_NATIONAL_URL: national.url,
      BENCH_CREDIT_URL: credit.url,
      NODE_ENV: "development",
      ...(opts.hubPool ? { BENCH_HUB_POOL: String(opts.hubPool) } : {}),
      ...(opts.importLanes ? { BENCH_HUB_IMPORT_LANES: String(opts.importLanes) } : {}),
    };
    const startHub = async (nodeArgs: string[] = []) => {
      const started = Date.now();
      const child = await startNodeChild("hub", "bench/hub-process.ts", hubEnv, {
        readyTimeoutMs: 120_000,
        ...(opts.node === "22" ? { execPath: node22Path() } : {}),
        nodeArgs: ["--expose-gc", ...(opts.hubHeapMb ? [`--max-old-space-size=${opts.hubHeapMb}`] : []), ...nodeArgs],
      });
      log(`  hub child pid ${child.pid} ready at ${child.info.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return child;
    };
    const stopHub = async () => {
      await hub?.stop();
      hub = null;
    };
    // The first hub migrates the empty database (as a hub does at start); the bench pool opens afterwards.
    hub = await startHub();
    pool = new Pool({ connectionString: db.url, max: Math.max(8, opts.concurrency + 2) });
    // An idle connection the database ends (the bench database dropped WITH (FORCE) at the end) must not crash the run.
    pool.on("error", (e) => console.error(`bench pool: ${e.message}`));
    const quietBudgetMs = opts.quietWaitS * 1000;
    let quietWaitedMs = 0;
    const ctx: BenchContext = {
      opts,
      db,
      pool,
      token,
      runTag,
      hubEnv,
      log,
      shared: {},
      details,
      hub: async () => (hub ??= await startHub()),
      restartHub: async (nodeArgs = []) => {
        await stopHub();
        hub = await startHub(nodeArgs);
        return hub;
      },
      stopHub,
      measure: async (subjectPid, otherPids, fn) => {
        const left = quietBudgetMs - quietWaitedMs;
        if (left > 0) {
          const quiet = await waitForQuiet([process.pid, subjectPid, ...otherPids], left);
          quietWaitedMs += quiet.waitedMs;
          if (quiet.waitedMs > 1500 || quiet.otherPct >= 30)
            log(
              `    (waited ${(quiet.waitedMs / 1000).toFixed(0)} s for other processes to calm down: now ${quiet.otherPct.toFixed(0)}% of a core)`,
            );
        }
        return withCpu(pool!, subjectPid, otherPids, fn);
      },
    };
    for (const name of ORDER.filter((n) => opts.only.includes(n))) {
      log(`\n[${since()}] ${BENCHES[name].title}`);
      try {
        const got = await BENCHES[name].run(ctx);
        metrics.push(...got);
      } catch (e) {
        exitCode = 1;
        failures.push({ bench: name, error: (e as Error).stack ?? String(e) });
        log(`  FAILED: ${(e as Error).stack ?? String(e)}`);
        if (hub) log(`  hub stderr tail:\n${hub.stderrTail()}`);
      }
    }
    // The ledger still balances after everything the run posted.
    const { rows } = await pool.query<{ debit: string; credit: string }>(
      `SELECT coalesce(sum(debit), 0) AS debit, coalesce(sum(credit), 0) AS credit FROM ledger_entry`,
    );
    const balanced = rows[0]!.debit === rows[0]!.credit;
    log(
      `\n[${since()}] ledger check: total debit ${rows[0]!.debit} = total credit ${rows[0]!.credit}: ${balanced ? "balanced" : "NOT BALANCED"}`,
    );
    if (!balanced) exitCode = 1;
    details.ledgerBalanced = balanced;
  } finally {
    await cleanup();
  }

  const file = writeResults(
    {
      startedAt: startedAt.toISOString(),
      runTag,
      git,
      seconds: (Date.now() - t0) / 1000,
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memBytes: totalmem(), node: process.version },
      options: { ...opts, serverUrl: undefined },
      database: { transport: transportOf(opts.serverUrl) },
      metrics,
      failures,
      details,
    },
    startedAt,
  );
  log(`\nResults (${since()} total; JSON: ${file})\n`);
  log(table(metrics));
  log(`\n${TABLE_LEGEND}`);
  if (failures.length) log(`\nFailed: ${failures.map((f) => f.bench).join(", ")}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
