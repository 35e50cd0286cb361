// 3. `account` lookups per second over HTTP (GraphQL, CENTER_OPERATOR), random accounts among workers that
//    have deposits, against a bare node:http + pg server running the same SQL (bench/lookup-baseline-server.ts).
import { prefillSql } from "./deposits.bench";
import { ENROLLED_ON, metric, prng, type BenchContext, type Metric } from "./lib/context";
import { describeLoad, runLoad, type LoadOptions } from "./lib/load";
import { startNodeChild } from "./lib/proc";
import { seedAccountsSql } from "./lib/seed";

export const ACCOUNT = `query Account($n: String!) {
  account(accountNumber: $n) {
    accountNumber idNumber name kind status countyCode employmentForm openedOn
    balance withdrawableBalance paidMonths consecutiveMonths paidUpTo monthlyAmount hasOutstandingLoan
  }
}`;

function found(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"accountNumber":"')) return `no account: ${body.slice(0, 200)}`;
  return null;
}

export async function lookupsBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const c = opts.concurrency;
  let accounts = ctx.shared.depositWorkers;
  let monthsEach = ctx.shared.depositMonthsPaid ?? 0;
  if (!accounts || monthsEach < 1) {
    // Run on its own (--only=lookups): seed workers and give each a year of deposits.
    accounts = await seedAccountsSql(pool, { area: "140524", count: opts.workers, enrolledOn: ENROLLED_ON, monthlyAmount: "1000.00", channel: "ACTIVE_PAYMENT" });
    monthsEach = 12;
    const prefill = await prefillSql(pool, accounts, monthsEach, c, ctx.runTag);
    ctx.log(`  seeded ${accounts.length} workers with ${monthsEach} months each: ${describeLoad(prefill)}`);
  }
  await pool.query("ANALYZE");
  ctx.log(`  ${accounts.length} accounts with ~${monthsEach} paid months each`);

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
      next: () => ({ method: "POST", path: "/graphql", headers, body: JSON.stringify({ query: ACCOUNT, variables: { n: hubPick() } }) }),
    };
    const basePick = pick(42);
    const baseLoad: Omit<LoadOptions, "durationMs"> = {
      url: baseline.info.url,
      concurrency: c,
      label: "same SQL behind bare node:http + pg (baseline)",
      check: found,
      next: () => ({ method: "GET", path: `/account/${basePick()}` }),
    };
    const warm = Math.min(2, opts.warmupS) * 1000;
    await runLoad({ ...hubLoad, durationMs: warm, label: "warm-up" });
    const hubResult = await runLoad({ ...hubLoad, durationMs: opts.lookupsS * 1000 });
    ctx.log(`  ${describeLoad(hubResult)}`);
    await runLoad({ ...baseLoad, durationMs: warm, label: "warm-up" });
    const baseResult = await runLoad({ ...baseLoad, durationMs: opts.lookupsS * 1000 });
    ctx.log(`  ${describeLoad(baseResult)}`);
    ctx.details.lookups = { accounts: accounts.length, monthsEach, hub: hubResult, baseline: baseResult };
    const label = "bare http + pg, same SQL";
    return [
      metric({ bench: "lookups", metric: "account lookups/s (HTTP GraphQL)", unit: "/s", hub: hubResult.rps, baseline: baseResult.rps, baselineLabel: label, target: { op: ">=", value: 3000 }, note: hubResult.failed ? `${hubResult.failed} failed` : undefined }),
      metric({ bench: "lookups", metric: "account lookup p50 latency", unit: "ms", hub: hubResult.latencyMs.p50, baseline: baseResult.latencyMs.p50, baselineLabel: label, target: null, lowerIsBetter: true }),
      metric({ bench: "lookups", metric: "account lookup p99 latency", unit: "ms", hub: hubResult.latencyMs.p99, baseline: baseResult.latencyMs.p99, baselineLabel: label, target: null, lowerIsBetter: true }),
    ];
  } finally {
    await baseline.stop();
  }
}
