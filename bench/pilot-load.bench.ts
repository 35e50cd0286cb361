// pilotMetrics under write load (issue 12): the leadership dashboard's read, asked at a steady rate over HTTP
// (open loop: one request every 1000 / --pilot-rate ms, whatever the answers do), first alone and then while
// recordDeposit mutations run through the same hub at c = --concurrency and metric compaction folds the deltas
// every second (a hub child of its own with BENCH_METRICS_COMPACTION_MS=1000; the default is 15 s). Reported: the
// read p50/p99 without and with the write load (same run, same hub) and the deposit rate meanwhile; target p99 <= 20 ms.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";

import { signDevToken } from "../src/auth/token-verifier";
import { depositRequest, scheduler, statementCounts, statementsDelta } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric } from "./lib/context";
import { describeCpu, withCpu } from "./lib/cpu";
import { describeLoad, runLoad } from "./lib/load";
import { type OpenLoop, openLoop } from "./lib/open-loop";
import { startNodeChild } from "./lib/proc";
import { profiled } from "./lib/profile";
import { graphqlSuccess, seedAccountsSql } from "./lib/seed";

const PILOT = `query Pilot($from: YearMonth!, $to: YearMonth!) { pilotMetrics(from: $from, to: $to) {
  enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount suppressed
  monthly { period enrolled depositAmount withdrawalAmount } byCounty { key activeAccounts depositAmount } } }`;

/** Samples what the hub's backends are doing every 100 ms until `stop` resolves: active backends by wait event
 *  (no wait = on CPU), and lock requests not granted. */
async function sampleActivity(pool: BenchContext["pool"], until: Promise<unknown>): Promise<string> {
  const waits = new Map<string, number>();
  const waitedKeys = new Map<string, number>();
  let samples = 0;
  let ungranted = 0;
  let running = true;
  void until.finally(() => (running = false));
  while (running) {
    const { rows } = await pool.query<{ w: string; n: string; blocked: string }>(`
      SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*) AS n,
        (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE NOT l.granted AND a.datname = current_database()) AS blocked
      FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
      GROUP BY 1`);
    samples++;
    for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + Number(r.n));
    ungranted += Number(rows[0]?.blocked ?? 0);
    // Which locks the waiting requests want (advisory: the key, e.g. 7140500 = the exchange chainer's), in this
    // database only: the requests of sessions on other databases of the server (other benches, tests) do not wait on ours.
    const { rows: keys } = await pool.query<{ k: string; n: string }>(`
      SELECT CASE WHEN locktype = 'advisory' THEN 'advisory ' || CASE WHEN objsubid = 1 THEN objid::text
        ELSE classid::text || ':' || objid::text END ELSE locktype END AS k, count(*) AS n
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE NOT l.granted AND a.datname = current_database() GROUP BY 1`);
    for (const r of keys) waitedKeys.set(r.k, (waitedKeys.get(r.k) ?? 0) + Number(r.n));
    await new Promise((r) => setTimeout(r, 100));
  }
  const mean = (n: number) => (n / Math.max(1, samples)).toFixed(2);
  return (
    `backends active (mean of ${samples} samples): ` +
    [...waits]
      .sort((a, b) => b[1] - a[1])
      .map(([w, n]) => `${w} ${mean(n)}`)
      .join(", ") +
    `; lock requests waiting: ${mean(ungranted)}` +
    (waitedKeys.size
      ? ` (${[...waitedKeys]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${mean(n)}`)
          .join(", ")})`
      : "")
  );
}

interface Diag {
  poolWait: { n: number; p50: number; p99: number; max: number };
  pilotStatement: { n: number; p50: number; p99: number; max: number };
  eventLoopDelay: { p50: number; p99: number; max: number };
}
const f = (x: number) => x.toFixed(1);
const describeDiag = (d: Diag | null) =>
  d
    ? `hub child: pool checkout wait p50 ${f(d.poolWait.p50)} p99 ${f(d.poolWait.p99)} max ${f(d.poolWait.max)} ms (${d.poolWait.n} checkouts); ` +
      `pilotMetrics statement p50 ${f(d.pilotStatement.p50)} p99 ${f(d.pilotStatement.p99)} max ${f(d.pilotStatement.max)} ms (${d.pilotStatement.n}); ` +
      `event-loop delay p50 ${f(d.eventLoopDelay.p50)} p99 ${f(d.eventLoopDelay.p99)} max ${f(d.eventLoopDelay.max)} ms`
    : "hub child diagnostics unavailable";

const describe = (label: string, r: OpenLoop) =>
  `${label}: ${r.ok} ok / ${r.failed} failed of ${r.sent} sent; p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms max ${r.max.toFixed(1)} ms` +
  (r.failureSamples.length ? ` (e.g. ${r.failureSamples.join(" | ")})` : "");

/** Sets the nice value of every thread of a process (Linux: a priority is per thread; `renice -p` sets one). */
/**
 * Every thread of `pid` at `nice`, and its autogroup too (decision 043). With the kernel's autogroup scheduling on
 * (`/proc/sys/kernel/sched_autogroup_enabled`, on here), a nice value ranks a thread only against the threads of its
 * own autogroup (its session); between autogroups the CPU is shared by the autogroups' own nice values. The child is
 * started in a session of its own, so its autogroup holds it alone, and the autogroup's nice gives it the priority
 * over PostgreSQL's backends and the deposit hub that a nice value alone does not. Returns what was set.
 */
function reniceProcess(pid: number, nice: number): string {
  for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), nice);
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return `nice ${nice}; ${readFileSync(`/proc/${pid}/autogroup`, "utf8").trim()}`;
  } catch (e) {
    return `nice ${nice}; autogroup not set (${(e as Error).message})`;
  }
}

export async function pilotLoadBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  /** Row 1's deposit rates in this run (hub and plain-SQL baseline), when it ran before. */
  const rowOne = ctx.shared.depositRates;
  // The nine windows in their order (bench/README.md, row 3m); a flag that turns a window off leaves its number unused.
  const nice = opts.pilotReaderNice;
  const stale = opts.pilotStalenessMs;
  const windows: { n: number; off: string | null; run: () => Promise<Metric[]> }[] = [
    { n: 1, off: null, run: () => measure("reads share the pool of 20", 0) },
    {
      n: 2,
      off: null,
      run: () => measure(`reads on ${opts.pilotReadPool} reserved connections`, opts.pilotReadPool),
    },
    {
      n: 3,
      off: opts.pilotMutationCap ? null : "--pilot-mutation-cap=0",
      run: () =>
        measure(
          `one hub, at most ${opts.pilotMutationCap} mutations at once`,
          opts.pilotReadPool,
          false,
          opts.pilotMutationCap,
        ),
    },
    {
      n: 4,
      off: stale ? null : "--pilot-staleness=0",
      run: () =>
        measure(`one hub, pilotMetrics answers shared for ${stale} ms`, opts.pilotReadPool, false, 0, {
          stalenessMs: stale,
        }),
    },
    {
      n: 5,
      off: stale ? null : "--pilot-staleness=0",
      run: () =>
        measure(
          `two hubs, half the deposits each, one sharing pilotMetrics answers for ${stale} ms`,
          opts.pilotReadPool,
          false,
          0,
          { stalenessMs: stale, sharedVsNot: true },
        ),
    },
    {
      n: 6,
      off: null,
      run: () => measure("reads on a second hub process, deposits on the first", opts.pilotReadPool, true),
    },
    {
      n: 7,
      off: nice ? null : "--pilot-reader-nice=0",
      run: () =>
        measure(`reads on a second hub process at nice ${nice}, deposits on the first`, opts.pilotReadPool, true, 0, {
          readerNice: nice,
        }),
    },
    {
      n: 8,
      off: !nice ? "--pilot-reader-nice=0" : !stale ? "--pilot-staleness=0" : null,
      run: () =>
        measure(
          `reads on a second hub process at nice ${nice} sharing answers for ${stale} ms, deposits on the first`,
          opts.pilotReadPool,
          true,
          0,
          { readerNice: nice, stalenessMs: stale },
        ),
    },
    {
      n: 9,
      off: !nice ? "--pilot-reader-nice=0" : !stale ? "--pilot-staleness=0" : null,
      run: () =>
        measure(
          `reads on a second hub process at nice ${nice} sharing answers for ${stale} ms, deposits on the first; reads sent by a client process of their own at nice ${nice}`,
          opts.pilotReadPool,
          true,
          0,
          { readerNice: nice, stalenessMs: stale, clientProcess: true },
        ),
    },
  ];
  for (const n of opts.pilotWindows ?? []) {
    const off = windows.find((w) => w.n === n)?.off;
    if (off) throw new Error(`--pilot-windows: window ${n} is turned off by ${off}`);
  }
  const accounts = await seedAccountsSql(pool, {
    area: "140537",
    count: opts.workers,
    enrolledOn: ENROLLED_ON,
    monthlyAmount: "1000.00",
    channel: "ACTIVE_PAYMENT",
  });
  await pool.query("ANALYZE");
  const secret = ctx.hubEnv.BENCH_JWT_SECRET!;
  const admin = await signDevToken(secret, { role: "CENTER_ADMIN", sub: "bench-admin", org: "140500" }, "4h");
  const body = JSON.stringify({ query: PILOT, variables: { from: "2023-07", to: "2026-06" } });
  const intervalMs = 1000 / opts.pilotRate;
  const windowMs = opts.pilotS * 1000;
  // One deposit schedule for both hubs: the second continues where the first stopped (distinct months, new keys).
  const next = scheduler(accounts);
  const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
  const pilotRuns: Record<string, object> = {};

  const startHub = (name: string, env: Record<string, string>, ownSession = false) =>
    startNodeChild(
      `${name}, compaction every 1 s`,
      "bench/hub-process.ts",
      { ...ctx.hubEnv, BENCH_METRICS_COMPACTION_MS: "1000", ...env },
      { readyTimeoutMs: 120_000, nodeArgs: ["--expose-gc"], ownSession },
    );

  /** A hub child of its own (compaction every second instead of every 15 s, so that the reads meet compaction
   *  often): pilotMetrics alone, then under deposits; `readPool` 0 = reads share the main pool (before decision 026).
   *  `split`: two identical hub children on the database (decision 029), the deposits sent to one and the reads to
   *  the other (what a load balancer routing the dashboard's host name to a reader process does); both compact
   *  every second, one at a time (advisory lock 140504), as N hubs do. */
  async function measure(
    label: string,
    readPool: number,
    split = false,
    mutationCap = 0,
    variant: { stalenessMs?: number; readerNice?: number; sharedVsNot?: boolean; clientProcess?: boolean } = {},
  ) {
    // sharedVsNot (decision 033): two single hubs, each taking half the deposits; the measured reads go to the one
    // sharing pilotMetrics answers for `stalenessMs`, the control reads (same window) to the one that does not.
    const ab = variant.sharedVsNot === true;
    const hub = await startHub(`hub (${label}${ab ? ": answers not shared" : split ? ": deposits" : ""})`, {
      BENCH_HUB_READ_POOL: String(readPool),
      ...(mutationCap ? { BENCH_HUB_MAX_MUTATIONS: String(mutationCap) } : {}),
      ...(variant.stalenessMs && !ab && !split ? { BENCH_HUB_METRICS_STALENESS_MS: String(variant.stalenessMs) } : {}),
    });
    // The reader needs few connections of its own: 2 reserved for the aggregate + a small main pool.
    const reader = ab
      ? await startHub(`hub (${label}: answers shared)`, {
          BENCH_HUB_READ_POOL: String(readPool),
          BENCH_HUB_METRICS_STALENESS_MS: String(variant.stalenessMs),
        }).catch(async (e: unknown) => {
          await hub.stop();
          throw e;
        })
      : split
        ? await startHub(
            `hub (${label}: dashboard reads)`,
            {
              BENCH_HUB_READ_POOL: String(readPool),
              BENCH_HUB_POOL: "4",
              ...(variant.stalenessMs ? { BENCH_HUB_METRICS_STALENESS_MS: String(variant.stalenessMs) } : {}),
            },
            variant.readerNice !== undefined,
          ).catch(async (e: unknown) => {
            await hub.stop();
            throw e;
          })
        : hub;
    // The reader's every thread (main, libuv pool, V8's) at the nice value: what `nice -n` at its start does.
    if (split && variant.readerNice) ctx.log(`  reader hub: ${reniceProcess(reader.pid, variant.readerNice)}`);
    // decision 043: the measured reads sent from a client process of their own, at the reader's nice value.
    const client = variant.clientProcess
      ? await startNodeChild("read client", "bench/read-client.ts", {}, { ownSession: true }).catch(
          async (e: unknown) => {
            await Promise.all([hub.stop(), reader === hub ? undefined : reader.stop()]);
            throw e;
          },
        )
      : null;
    if (client && variant.readerNice) ctx.log(`  read client: ${reniceProcess(client.pid, variant.readerNice)}`);
    const hubs = split || ab ? [hub, reader] : [hub];
    const askAll = (cmd: string) => Promise.all(hubs.map((h) => h.ask({ cmd })));
    /** The measured reads (to the reader); split: the same reads at the same rate to the deposit hub in the same
     *  window, half an interval later: a control that meets the same machine and the same deposits, the only
     *  difference being whether the read shares its process with the writers. */
    /** The reads sent from the bench's own process, `delayMs` after now. */
    const fromHere = (url: string, delayMs: number, durationMs = windowMs): Promise<OpenLoop> =>
      delayMs
        ? new Promise((r) => setTimeout(r, delayMs)).then(() => openLoop(url, body, admin, intervalMs, durationMs))
        : openLoop(url, body, admin, intervalMs, durationMs);
    /** The measured reads: from the read client when the window has one, else from here. */
    const loopAt = (url: string, delayMs: number, durationMs = windowMs): Promise<OpenLoop> =>
      client
        ? client
            .ask({ cmd: "open-loop", url, body, token: admin, intervalMs, durationMs, delayMs }, durationMs + 120_000)
            .then((answer) => {
              if (!answer || !answer.result) throw new Error(`read client: ${String(answer?.error ?? "no answer")}`);
              return answer.result as OpenLoop;
            })
        : fromHere(url, delayMs, durationMs);
    // With a read client, the control is the same reads to the same reader sent from the bench's own process (which
    // drives the deposits), half an interval later: what the client's process changes, same window, same deposits.
    const controlRun = (): Promise<OpenLoop | null> =>
      client
        ? fromHere(reader.info.url, intervalMs / 2)
        : split || ab
          ? loopAt(hub.info.url, intervalMs / 2)
          : Promise.resolve(null);
    const controlTarget = ab
      ? "hub that does not share answers"
      : client
        ? "reader hub from the bench's own process"
        : "deposit hub";
    const readWindow = () => {
      const reads = loopAt(reader.info.url, 0);
      const onWriter = controlRun();
      return Promise.all([reads, sampleActivity(pool, reads), onWriter]);
    };
    const control = (r: OpenLoop | null) =>
      r ? `\n    ${describe(`same window, the same reads sent to the ${controlTarget} (control)`, r)}` : "";
    try {
      ctx.log(`  -- ${label}`);
      // Warm-up (first requests compile the documents, open connections): every hub that will be read, from the
      // process that will read it (a read client's own first requests compile its HTTP client).
      await Promise.all([
        ...hubs.map((h) => loopAt(h.info.url, 0, 2000)),
        ...(client ? [fromHere(reader.info.url, 0, 2000)] : []),
      ]);
      await askAll("diag-reset");
      const others = [...(split || ab ? [reader.pid] : []), ...(client ? [client.pid] : [])];
      const { result: quietPair, cpu: quietCpu } = await withCpu(pool, hub.pid, others, readWindow);
      const [quietDiag, quietWriterDiag] = (await askAll("diag")).reverse() as (Diag | null)[];
      const [quiet, quietActivity, quietOnWriter] = quietPair;
      ctx.log(
        `  ${describe(`pilotMetrics at ${opts.pilotRate}/s, no write load`, quiet)}${control(quietOnWriter)}\n    ${describeCpu(quietCpu)}${split ? " (server under test: the deposit hub; other bench: the reader hub)" : ab ? " (server under test: the hub not sharing answers; other bench: the hub sharing them)" : ""}\n    ${describeDiag(quietDiag ?? null)}${split || ab ? `\n    ${ab ? "hub not sharing answers" : "deposit hub"}: ${describeDiag(quietWriterDiag ?? null)}` : ""}\n    ${quietActivity}`,
      );
      const depositLoad = (url: string, concurrency: number) =>
        runLoad({
          url,
          concurrency,
          durationMs: windowMs + 1000,
          label: "recordDeposit over HTTP meanwhile",
          check: graphqlSuccess,
          next: () => {
            const s = next();
            return s && depositRequest(s, headers, `BP${ctx.runTag}${s.n}`, `bench-pilot-dep-${ctx.runTag}-${s.n}`);
          },
        });
      // The first hub's statements per request and group-commit batches over the loaded window (row 1 prints the
      // same for its hub): what a deposit costs here beside what it costs there.
      const countsBefore = await statementCounts(hub);
      const deposits = ab
        ? Promise.all([
            depositLoad(hub.info.url, Math.ceil(opts.concurrency / 2)),
            depositLoad(reader.info.url, Math.floor(opts.concurrency / 2)),
          ])
        : depositLoad(hub.info.url, opts.concurrency).then((d) => [d]);
      const { result: loadedPair, cpu: loadedCpu } = await withCpu(pool, hub.pid, others, async () => {
        await new Promise((r) => setTimeout(r, 500)); // the writers are running before the first measured read
        await askAll("diag-reset");
        const tag = `${ctx.runTag}-pilotload-${readPool}${split ? "-split" : ""}${variant.stalenessMs ? "-shared" : ""}${variant.readerNice ? "-nice" : ""}${ab ? "-ab" : ""}${mutationCap ? "-cap" : ""}${client ? "-client" : ""}`;
        const { result, summary } = await profiled(opts.profile, reader, tag, readWindow);
        if (summary) ctx.log(summary);
        return result;
      });
      const [loadedDiag, loadedWriterDiag] = (await askAll("diag")).reverse() as (Diag | null)[];
      const [loaded, loadedActivity, loadedOnWriter] = loadedPair;
      const depParts = await deposits;
      const countsAfter = await statementCounts(hub);
      const perRequest =
        countsBefore && countsAfter
          ? `\n    ${ab ? "hub not sharing answers" : split ? "deposit hub" : "hub (its pilotMetrics reads included)"}: ${statementsDelta(countsBefore, countsAfter, depParts[0]!.ok).headline.replace("per request", "per deposit")}`
          : "";
      const dep = {
        ...depParts[0]!,
        rps: depParts.reduce((n, d) => n + d.rps, 0),
        failed: depParts.reduce((n, d) => n + d.failed, 0),
      };
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM metric_delta");
      ctx.log(
        `  ${describe(`pilotMetrics at ${opts.pilotRate}/s, with deposits and compaction`, loaded)}${control(loadedOnWriter)}\n    ${depParts.map(describeLoad).join("\n    ")}${perRequest}\n    ${describeCpu(loadedCpu)}${split ? " (server under test: the deposit hub; other bench: the reader hub)" : ab ? " (server under test: the hub not sharing answers; other bench: the hub sharing them)" : ""}\n    metric deltas not yet compacted at the end: ${rows[0]!.n}\n    ${describeDiag(loadedDiag ?? null)}${split || ab ? `\n    ${ab ? "hub not sharing answers" : "deposit hub"}: ${describeDiag(loadedWriterDiag ?? null)}` : ""}\n    ${loadedActivity}`,
      );
      pilotRuns[label] = {
        quiet,
        loaded,
        deposits: dep,
        quietCpu,
        loadedCpu,
        quietDiag,
        loadedDiag,
        ...(split || ab ? { quietWriterDiag, loadedWriterDiag, quietOnWriter, loadedOnWriter } : {}),
      };
      if (rowOne)
        ctx.log(
          `    deposits meanwhile ${dep.rps.toFixed(0)}/s: ${(dep.rps / rowOne.baseline).toFixed(2)}x row 1's plain-SQL baseline (${rowOne.baseline.toFixed(0)}/s), ${((100 * dep.rps) / rowOne.hub).toFixed(0)} % of row 1's hub (${rowOne.hub.toFixed(0)}/s)`,
        );
      const noise = { hub: loadedCpu.otherProcesses, baseline: quietCpu.otherProcesses };
      return [
        metric({
          bench: "pilot-load",
          metric: `pilotMetrics p99 at ${opts.pilotRate}/s with ${dep.rps.toFixed(0)} deposits/s and compaction every 1 s (${label})`,
          unit: "ms",
          hub: loaded.p99,
          baseline: quiet.p99,
          baselineLabel: "same reads, no write load",
          target: { op: "<=", value: 20 },
          lowerIsBetter: true,
          noise,
          note: loaded.failed || dep.failed ? `${loaded.failed} reads, ${dep.failed} deposits failed` : undefined,
        }),
        ...(loadedOnWriter && quietOnWriter
          ? [
              metric({
                bench: "pilot-load",
                metric: `pilotMetrics p99, same windows, the same reads sent to the ${ab ? "hub not sharing answers" : controlTarget} (control of the row above)`,
                unit: "ms",
                hub: loadedOnWriter.p99,
                baseline: quietOnWriter.p99,
                baselineLabel: "same reads, no write load",
                target: { op: "<=", value: 20 },
                lowerIsBetter: true,
                noise,
              }),
            ]
          : []),
        metric({
          bench: "pilot-load",
          metric: `recordDeposit/s while pilotMetrics is read (${label})`,
          unit: "/s",
          hub: dep.rps,
          // Row 1's plain-SQL baseline, when row 1 ran in this run: the deposit target's rate (issue 12: "keep p99
          // <= 20 ms while deposits are being posted at the rate above"). The share of row 1's own hub rate is
          // logged with the window; neither is a target of this row.
          baseline: rowOne?.baseline ?? null,
          baselineLabel: rowOne ? "row 1's plain SQL txn via pg, same run" : "-",
          target: null,
          noise,
        }),
      ];
    } finally {
      await Promise.all([...hubs, ...(client ? [client] : [])].map((h) => h.stop()));
    }
  }

  const metrics: Metric[] = [];
  for (const w of windows)
    if (!w.off && (opts.pilotWindows === null || opts.pilotWindows.includes(w.n))) metrics.push(...(await w.run()));
  ctx.details.pilotLoad = pilotRuns;
  return metrics;
}
