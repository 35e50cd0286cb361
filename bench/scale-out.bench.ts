// 5. Scale-out: `account` lookups/s over HTTP through 1 and then 2 hub processes behind one port (node:cluster,
//    bench/hub-cluster.ts), same database, same accounts, same load; the 1-process cluster is the baseline (the same
//    routing, one worker), so the ratio is what the second process buys on this machine. The hub CPU is the sum of
//    the workers'. On a 2-core machine that also runs PostgreSQL and the load generator, the second process can only
//    use what the first one left idle: read the idle column with the ratio.
import { topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric, prng } from "./lib/context";
import { type CpuShare, describeCpu } from "./lib/cpu";
import { analyzeAfterWarmUp } from "./lib/db";
import { describeLoad, type LoadOptions, type LoadResult, runLoad } from "./lib/load";
import { startNodeChild } from "./lib/proc";
import { ACCOUNT, seedAccountsSql } from "./lib/seed";

const LOOKUP_MONTHS = 12;

function found(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"accountNumber":"')) return `no account: ${body.slice(0, 200)}`;
  return null;
}

export async function scaleOutBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const accounts =
    ctx.shared.depositWorkers ??
    (await seedAccountsSql(pool, {
      area: "140541", // an area no other benchmark seeds (person.id_number is unique; the import uses 140529)
      count: opts.workers,
      enrolledOn: ENROLLED_ON,
      monthlyAmount: "1000.00",
      channel: "ACTIVE_PAYMENT",
    }));
  await topUpMonths(pool, accounts, Math.max(LOOKUP_MONTHS, ctx.shared.depositMonthsPaid ?? 0));
  await pool.query("ANALYZE");
  // The single hub child of the other benchmarks would compete for the CPU: it is stopped (restarted on demand).
  await ctx.stopHub();
  const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
  const measured: { processes: number; result: LoadResult; cpu: CpuShare }[] = [];
  for (const processes of [1, 2]) {
    const started = Date.now();
    const cluster = await startNodeChild(
      `hub cluster x${processes}`,
      "bench/hub-cluster.ts",
      { ...ctx.hubEnv, BENCH_HUB_WORKERS: String(processes) },
      { readyTimeoutMs: 180_000 },
    );
    const workers = (cluster.info.workers as number[]) ?? [];
    ctx.log(
      `  ${processes} hub process(es) behind ${cluster.info.url} (workers ${workers.join(", ")}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    try {
      const random = prng(42);
      const load: Omit<LoadOptions, "durationMs"> = {
        url: cluster.info.url,
        concurrency: opts.concurrency,
        label: `account query over HTTP, ${processes} hub process(es)`,
        check: found,
        next: () => ({
          method: "POST",
          path: "/graphql",
          headers,
          body: JSON.stringify({
            query: ACCOUNT,
            variables: { n: accounts[Math.floor(random() * accounts.length)]! },
          }),
        }),
      };
      await runLoad({ ...load, durationMs: Math.min(2, opts.warmupS) * 1000, label: "warm-up" });
      await analyzeAfterWarmUp(pool);
      // Subject: the first worker; the others count as "other bench". The hub's CPU is their sum.
      const { result, cpu } = await ctx.measure(workers[0]!, [cluster.pid, ...workers.slice(1)], () =>
        runLoad({ ...load, durationMs: opts.lookupsS * 1000 }),
      );
      ctx.log(`  ${describeLoad(result)}\n    ${describeCpu(cpu)}`);
      measured.push({ processes, result, cpu });
    } finally {
      await cluster.stop();
    }
  }
  const [one, two] = measured as [(typeof measured)[0], (typeof measured)[0]];
  const hubCpu = (m: (typeof measured)[0]) => m.cpu.subject + m.cpu.otherBench;
  ctx.details.scaleOut = measured.map((m) => ({ ...m, hubCpuPct: hubCpu(m) }));
  const label = "1 hub process, same load";
  const noise = { hub: two.cpu.otherProcesses, baseline: one.cpu.otherProcesses };
  return [
    metric({
      bench: "scale",
      metric: "account lookups/s, 2 hub processes (cluster)",
      unit: "/s",
      hub: two.result.rps,
      baseline: one.result.rps,
      baselineLabel: label,
      target: null,
      noise,
      note: `idle ${one.cpu.idle.toFixed(0)}% -> ${two.cpu.idle.toFixed(0)}% of one core; hub CPU ${hubCpu(one).toFixed(0)}% -> ${hubCpu(two).toFixed(0)}%`,
    }),
    metric({
      bench: "scale",
      metric: "account lookup p99, 2 hub processes",
      unit: "ms",
      hub: two.result.latencyMs.p99,
      baseline: one.result.latencyMs.p99,
      baselineLabel: label,
      target: null,
      lowerIsBetter: true,
      noise,
    }),
  ];
}
