// 3. `account` lookups per second over HTTP (GraphQL, CENTER_OPERATOR), random accounts among workers that
//    have deposits, against a bare node:http + pg server running the same read (bench/lookup-baseline-server.ts:
//    the hub's own statement and view code), checked to answer alike first.
import { isDeepStrictEqual } from "node:util";

import { topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric, prng } from "./lib/context";
import { describeCpu } from "./lib/cpu";
import { analyzeAfterWarmUp, baselineRecords } from "./lib/db";
import { describeLoad, type LoadOptions, runLoad } from "./lib/load";
import { startNodeChild } from "./lib/proc";
import { profiled } from "./lib/profile";
import { ACCOUNT, seedAccountsSql } from "./lib/seed";

/** Each looked-up account has at least this many paid months (the query aggregates them). */
const LOOKUP_MONTHS = 12;

function found(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"accountNumber":"')) return `no account: ${body.slice(0, 200)}`;
  return null;
}

/** Exchange records the lookup baseline wrote (its consumer_sub), to check the recorded window did the work. */
export async function lookupsBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const c = opts.concurrency;
  // The deposit bench's workers (or, run alone, freshly seeded ones), each topped up to at least a year of deposits.
  const accounts =
    ctx.shared.depositWorkers ??
    (await seedAccountsSql(pool, {
      area: "140524",
      count: opts.workers,
      enrolledOn: ENROLLED_ON,
      monthlyAmount: "1000.00",
      channel: "ACTIVE_PAYMENT",
    }));
  const monthsEach = Math.max(LOOKUP_MONTHS, ctx.shared.depositMonthsPaid ?? 0);
  const t = Date.now();
  const added = await topUpMonths(pool, accounts, monthsEach);
  await pool.query("ANALYZE");
  ctx.log(
    `  ${accounts.length} accounts with >= ${monthsEach} paid months each (${added} months topped up in SQL in ${((Date.now() - t) / 1000).toFixed(1)} s)`,
  );
  ctx.details.lookupsSetup = { accounts: accounts.length, monthsEach, toppedUp: added };

  const hub = await ctx.hub();
  const baseline = await startNodeChild("lookup baseline", "bench/lookup-baseline-server.ts", ctx.hubEnv);
  try {
    const pick = (seed: number) => {
      const random = prng(seed);
      return () => accounts[Math.floor(random() * accounts.length)]!;
    };
    const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
    const hubPick = pick(42);
    const hubLoad: Omit<LoadOptions, "durationMs"> = {
      url: hub.info.url,
      concurrency: c,
      label: "account query over HTTP (hub)",
      check: found,
      next: () => ({
        method: "POST",
        path: "/graphql",
        headers,
        body: JSON.stringify({ query: ACCOUNT, variables: { n: hubPick() } }),
      }),
    };
    // The bare server's routes, same accounts in the same order as the hub's: the read alone, and the same read plus its
    // exchange record committed before the answer (decision 038: the work the hub does for a CENTER_OPERATOR read that
    // the read-only baseline does not).
    const bareLoad = (route: "account" | "account-recorded", label: string): Omit<LoadOptions, "durationMs"> => {
      const next = pick(42);
      return {
        url: baseline.info.url,
        concurrency: c,
        label,
        check: found,
        next: () => ({ method: "GET", path: `/${route}/${next()}` }),
      };
    };
    const baseLoad = bareLoad("account", "same SQL behind bare node:http + pg (baseline)");
    const recordedLoad = bareLoad(
      "account-recorded",
      "same SQL + its exchange record (one insert per read) behind bare node:http + pg",
    );
    // Hub and baseline answer alike (every field of the query) on a sample of accounts before anything is timed.
    const sample = accounts.filter((_, i) => i % Math.max(1, Math.floor(accounts.length / 25)) === 0);
    for (const n of sample) {
      const viaHub = (await (
        await fetch(`${hub.info.url}/graphql`, {
          method: "POST",
          headers,
          body: JSON.stringify({ query: ACCOUNT, variables: { n } }),
        })
      ).json()) as { data?: { account?: unknown } };
      const viaBase = (await (await fetch(`${baseline.info.url}/account/${n}`)).json()) as {
        data: { account: unknown };
      };
      const viaRecorded = (await (await fetch(`${baseline.info.url}/account-recorded/${n}`)).json()) as {
        data: { account: unknown };
      };
      if (
        !viaHub.data?.account ||
        !isDeepStrictEqual(viaHub.data.account, viaBase.data.account) ||
        !isDeepStrictEqual(viaHub.data.account, viaRecorded.data.account)
      )
        throw new Error(
          `hub and baseline disagree on account ${n}: hub ${JSON.stringify(viaHub)} baseline ${JSON.stringify(viaBase)}`,
        );
    }
    ctx.log(`  ${sample.length} sampled accounts answered alike (every field) by hub and baseline`);
    const warm = Math.min(2, opts.warmupS) * 1000;
    await runLoad({ ...hubLoad, durationMs: warm, label: "warm-up" });
    await analyzeAfterWarmUp(pool);
    const { result: measured, summary } = await profiled(opts.profile, hub, `${ctx.runTag}-lookups-hub`, () =>
      ctx.measure(hub.pid, [baseline.pid], () => runLoad({ ...hubLoad, durationMs: opts.lookupsS * 1000 })),
    );
    const { result: hubResult, cpu: hubCpu } = measured;
    ctx.log(`  ${describeLoad(hubResult)}\n    ${describeCpu(hubCpu)}${summary ? `\n${summary}` : ""}`);
    await runLoad({ ...baseLoad, durationMs: warm, label: "warm-up" });
    await analyzeAfterWarmUp(pool);
    const { result: baseResult, cpu: baseCpu } = await ctx.measure(baseline.pid, [hub.pid], () =>
      runLoad({ ...baseLoad, durationMs: opts.lookupsS * 1000 }),
    );
    ctx.log(`  ${describeLoad(baseResult)}\n    ${describeCpu(baseCpu)}`);
    const recordsBefore = await baselineRecords(pool);
    await runLoad({ ...recordedLoad, durationMs: warm, label: "warm-up" });
    const { result: recResult, cpu: recCpu } = await ctx.measure(baseline.pid, [hub.pid], () =>
      runLoad({ ...recordedLoad, durationMs: opts.lookupsS * 1000 }),
    );
    const recordsWritten = (await baselineRecords(pool)) - recordsBefore;
    ctx.log(
      `  ${describeLoad(recResult)}\n    ${describeCpu(recCpu)}\n    ${recordsWritten} exchange records written by the baseline (warm-up included)`,
    );
    // Every answered read of the window (and of its warm-up) has its record: else the baseline skipped the work.
    if (recordsWritten < recResult.ok)
      throw new Error(`the recorded baseline wrote ${recordsWritten} records for ${recResult.ok} reads`);
    ctx.details.lookups = {
      hub: hubResult,
      hubCpu,
      baseline: baseResult,
      baselineCpu: baseCpu,
      recordedBaseline: recResult,
      recordedBaselineCpu: recCpu,
      recordsWritten,
    };
    const label = "bare http + pg, same SQL";
    const noise = { hub: hubCpu.otherProcesses, baseline: baseCpu.otherProcesses };
    return [
      metric({
        bench: "lookups",
        metric: "account lookups/s (HTTP GraphQL)",
        unit: "/s",
        hub: hubResult.rps,
        baseline: baseResult.rps,
        baselineLabel: label,
        // Issue 12: at least 0.8x the bare node:http + pg server running the same SQL, same run.
        target: { op: ">=", value: 0.8, of: "ratio" },
        noise,
        note: hubResult.failed ? `${hubResult.failed} failed` : undefined,
      }),
      metric({
        bench: "lookups",
        metric: "account lookups/s vs the read + its exchange record",
        unit: "/s",
        hub: hubResult.rps,
        baseline: recResult.rps,
        baselineLabel: "bare http + pg, same SQL + one record insert per read",
        // Reported beside row 3, not instead of it: the issue's target is against the read-only baseline above.
        target: null,
        noise: { hub: hubCpu.otherProcesses, baseline: recCpu.otherProcesses },
      }),
      metric({
        bench: "lookups",
        metric: "account lookup p50 latency",
        unit: "ms",
        hub: hubResult.latencyMs.p50,
        baseline: baseResult.latencyMs.p50,
        baselineLabel: label,
        target: null,
        lowerIsBetter: true,
        noise,
      }),
      metric({
        bench: "lookups",
        metric: "account lookup p99 latency",
        unit: "ms",
        hub: hubResult.latencyMs.p99,
        baseline: baseResult.latencyMs.p99,
        baselineLabel: label,
        target: null,
        lowerIsBetter: true,
        noise,
      }),
      metric({
        bench: "lookups",
        metric: "account lookup CPU/request (server process)",
        unit: "ms",
        hub: (10 * hubCpu.subject) / Math.max(hubResult.rps, 1e-9),
        baseline: (10 * baseCpu.subject) / Math.max(baseResult.rps, 1e-9),
        baselineLabel: label,
        target: null,
        lowerIsBetter: true,
        noise,
      }),
    ];
  } finally {
    await baseline.stop();
  }
}
