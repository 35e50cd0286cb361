// pilotMetrics under write load (issue 12): the leadership dashboard's read, asked at a steady rate over HTTP
// (open loop: one request every 1000 / --pilot-rate ms, whatever the answers do), first alone and then while
// recordDeposit mutations run through the same hub at c = --concurrency and metric compaction folds the deltas
// every second (a hub child of its own with BENCH_METRICS_COMPACTION_MS=1000; the default is 15 s). Reported: the
// read p50/p99 without and with the write load (same run, same hub) and the deposit rate meanwhile; target p99 <= 20 ms.
import { signDevToken } from "../src/auth/token-verifier";
import { RECORD, scheduler } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric } from "./lib/context";
import { describeCpu, withCpu } from "./lib/cpu";
import { describeLoad, runLoad } from "./lib/load";
import { startNodeChild } from "./lib/proc";
import { graphqlSuccess, seedAccountsSql } from "./lib/seed";

const PILOT = `query Pilot($from: YearMonth!, $to: YearMonth!) { pilotMetrics(from: $from, to: $to) {
  enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount suppressed
  monthly { period enrolled depositAmount withdrawalAmount } byCounty { key activeAccounts depositAmount } } }`;

interface OpenLoop {
  sent: number;
  ok: number;
  failed: number;
  failureSamples: string[];
  p50: number;
  p99: number;
  max: number;
}

/** Sends one request every `intervalMs` for `durationMs` without waiting for answers; latencies of the good ones. */
async function openLoop(
  url: string,
  body: string,
  token: string,
  intervalMs: number,
  durationMs: number,
): Promise<OpenLoop> {
  const latencies: number[] = [];
  const failureSamples: string[] = [];
  let failed = 0;
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; ; i++) {
    const due = start + i * intervalMs;
    if (due - start >= durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent++;
    const t0 = performance.now();
    pending.push(
      fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      })
        .then(async (res) => {
          const text = await res.text();
          if (res.status !== 200 || text.includes('"errors":') || !text.includes('"depositAmount"'))
            throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
          latencies.push(performance.now() - t0);
        })
        .catch((e: unknown) => {
          failed++;
          if (failureSamples.length < 3) failureSamples.push((e as Error).message);
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    sent,
    ok: latencies.length,
    failed,
    failureSamples,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies.at(-1) ?? NaN,
  };
}

const describe = (label: string, r: OpenLoop) =>
  `${label}: ${r.ok} ok / ${r.failed} failed of ${r.sent} sent; p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms max ${r.max.toFixed(1)} ms` +
  (r.failureSamples.length ? ` (e.g. ${r.failureSamples.join(" | ")})` : "");

export async function pilotLoadBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
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
  // Its own hub child: compaction every second instead of every 15 s, so that the reads meet compaction often.
  const hub = await startNodeChild(
    "hub (compaction every 1 s)",
    "bench/hub-process.ts",
    { ...ctx.hubEnv, BENCH_METRICS_COMPACTION_MS: "1000" },
    { readyTimeoutMs: 120_000, nodeArgs: ["--expose-gc"] },
  );
  try {
    const body = JSON.stringify({ query: PILOT, variables: { from: "2023-07", to: "2026-06" } });
    const intervalMs = 1000 / opts.pilotRate;
    const windowMs = opts.pilotS * 1000;
    await openLoop(hub.info.url, body, admin, intervalMs, 2000); // warm-up
    const { result: quiet, cpu: quietCpu } = await withCpu(pool, hub.pid, [], () =>
      openLoop(hub.info.url, body, admin, intervalMs, windowMs),
    );
    ctx.log(`  ${describe(`pilotMetrics at ${opts.pilotRate}/s, no write load`, quiet)}\n    ${describeCpu(quietCpu)}`);
    const next = scheduler(accounts);
    const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
    const deposits = runLoad({
      url: hub.info.url,
      concurrency: opts.concurrency,
      durationMs: windowMs + 1000,
      label: "recordDeposit over HTTP meanwhile",
      check: graphqlSuccess,
      next: () => {
        const s = next();
        if (!s) return null;
        return {
          method: "POST",
          path: "/graphql",
          headers,
          body: JSON.stringify({
            query: RECORD,
            variables: {
              input: {
                accountNumber: s.accountNumber,
                period: s.period,
                amount: "1000.00",
                channel: "ACTIVE_PAYMENT",
                paymentRef: `BP${ctx.runTag}${s.n}`,
                paidOn: s.paidOn,
                idempotencyKey: `bench-pilot-dep-${ctx.runTag}-${s.n}`,
              },
            },
          }),
        };
      },
    });
    const { result: loaded, cpu: loadedCpu } = await withCpu(pool, hub.pid, [], async () => {
      await new Promise((r) => setTimeout(r, 500)); // the writers are running before the first measured read
      return openLoop(hub.info.url, body, admin, intervalMs, windowMs);
    });
    const dep = await deposits;
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM metric_delta");
    ctx.log(
      `  ${describe(`pilotMetrics at ${opts.pilotRate}/s, with deposits and compaction`, loaded)}\n    ${describeLoad(dep)}\n    ${describeCpu(loadedCpu)}\n    metric deltas not yet compacted at the end: ${rows[0]!.n}`,
    );
    ctx.details.pilotLoad = { quiet, loaded, deposits: dep, quietCpu, loadedCpu };
    const noise = { hub: loadedCpu.otherProcesses, baseline: quietCpu.otherProcesses };
    return [
      metric({
        bench: "pilot-load",
        metric: `pilotMetrics p99 at ${opts.pilotRate}/s with ${dep.rps.toFixed(0)} deposits/s and compaction every 1 s`,
        unit: "ms",
        hub: loaded.p99,
        baseline: quiet.p99,
        baselineLabel: "same reads, no write load",
        target: { op: "<=", value: 20 },
        lowerIsBetter: true,
        noise,
        note: loaded.failed || dep.failed ? `${loaded.failed} reads, ${dep.failed} deposits failed` : undefined,
      }),
      metric({
        bench: "pilot-load",
        metric: "recordDeposit/s while pilotMetrics is read",
        unit: "/s",
        hub: dep.rps,
        baseline: null,
        baselineLabel: "-",
        target: null,
        noise,
      }),
    ];
  } finally {
    await hub.stop();
  }
}
