// 9. loanQuota requests/s over HTTP (CENTER_OPERATOR token), one account per request, random (seeded) among
//    --quota-accounts SQL-seeded accounts with 6, 12, 18 or 24 paid months (so the duration and stability factors
//    vary), against a bare node:http + pg server running the same SQL, the same credit call (the same credit
//    reference simulator, over HTTP) and the same rule code (bench/loan-quota-baseline-server.ts). A sample of
//    accounts is answered by both first and must agree (eligible, quota, reasons, every factor).
import { signDevToken } from "../src/auth/token-verifier";
import { topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric, prng } from "./lib/context";
import { describeCpu } from "./lib/cpu";
import { analyzeAfterWarmUp } from "./lib/db";
import { describeLoad, type LoadOptions, runLoad } from "./lib/load";
import { startNodeChild } from "./lib/proc";
import { profiled } from "./lib/profile";
import { seedAccountsSql } from "./lib/seed";

const QUOTA = `query Q($input: LoanQuotaInput!) {
  loanQuota(input: $input) { eligible quota reasons factors { name value explanation } } }`;
/** After the longest payers' last month (24 months from 2023-07 = through 2025-06). */
const AS_OF = "2025-08-01";
const ASK = { monthlyIncome: "12000.00", housePrice: "900000.00", termYears: 25, firstHome: true };
const MONTH_GROUPS = [6, 12, 18, 24];

function quotaFound(status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 200)}`;
  if (body.includes('"errors":')) return `errors: ${body.slice(0, 300)}`;
  if (!body.includes('"eligible":')) return `no answer: ${body.slice(0, 200)}`;
  return null;
}

export async function loanQuotaBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  if (!ctx.hubEnv.BENCH_CREDIT_URL) throw new Error("the quota bench needs the credit simulator (BENCH_CREDIT_URL)");
  const t0 = Date.now();
  const accounts = await seedAccountsSql(pool, {
    area: "140538", // its own area (bench/lib/seed.ts claimArea; pilotload has 140537)
    count: opts.quotaAccounts,
    enrolledOn: ENROLLED_ON,
    monthlyAmount: "1000.00",
    channel: "ACTIVE_PAYMENT",
  });
  let months = 0;
  for (const [g, n] of MONTH_GROUPS.entries())
    months += await topUpMonths(
      pool,
      accounts.filter((_, i) => i % MONTH_GROUPS.length === g),
      n,
    );
  await pool.query("VACUUM ANALYZE");
  ctx.log(
    `  ${accounts.length} accounts seeded with ${months} paid months (6/12/18/24 each) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const hub = await ctx.hub();
  const baseline = await startNodeChild("loan quota baseline", "bench/loan-quota-baseline-server.ts", ctx.hubEnv);
  const token = await signDevToken(
    ctx.hubEnv.BENCH_JWT_SECRET!,
    { role: "CENTER_OPERATOR", sub: "bench-quota", org: "140500" },
    "4h",
  );
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const body = (accountNumber: string) =>
    JSON.stringify({ query: QUOTA, variables: { input: { accountNumber, asOf: AS_OF, ...ASK } } });
  const basePath = (accountNumber: string) =>
    `/quota/${accountNumber}?asOf=${AS_OF}&income=${ASK.monthlyIncome}&price=${ASK.housePrice}&term=${ASK.termYears}&first=${ASK.firstHome}`;
  try {
    // Hub and baseline agree on a sample (every 50th account, all four history groups).
    const sample = accounts.filter((_, i) => i % 50 === 0 || i < MONTH_GROUPS.length);
    const quotas = new Set<string>();
    let eligible = 0;
    for (const n of sample) {
      const viaHub = (await (
        await fetch(`${hub.info.url}/graphql`, { method: "POST", headers, body: body(n) })
      ).json()) as {
        data?: { loanQuota?: Record<string, unknown> };
      };
      const viaBase = (await (await fetch(`${baseline.info.url}${basePath(n)}`)).json()) as {
        data?: { loanQuota?: Record<string, unknown> };
      };
      const h = viaHub.data?.loanQuota;
      const b = viaBase.data?.loanQuota;
      if (!h || !b || JSON.stringify(h) !== JSON.stringify(b))
        throw new Error(
          `hub and baseline disagree on ${n}: hub ${JSON.stringify(viaHub)} baseline ${JSON.stringify(viaBase)}`,
        );
      quotas.add(String(h.quota));
      if (h.eligible) eligible++;
    }
    ctx.log(
      `  ${sample.length} sampled accounts answered alike by hub and baseline (${eligible} eligible, ${quotas.size} distinct quotas)`,
    );

    const c = opts.concurrency;
    const pick = (seed: number) => {
      const random = prng(seed);
      return () => accounts[Math.floor(random() * accounts.length)]!;
    };
    const hubNext = pick(9);
    const baseNext = pick(9);
    const loads: Record<"hub" | "base", Omit<LoadOptions, "durationMs">> = {
      hub: {
        url: hub.info.url,
        concurrency: c,
        label: "loanQuota over HTTP (hub, CENTER_OPERATOR, exchange log on)",
        check: quotaFound,
        next: () => ({ method: "POST", path: "/graphql", headers, body: body(hubNext()) }),
      },
      base: {
        url: baseline.info.url,
        concurrency: c,
        label: "same SQL + credit call + rule behind bare node:http + pg",
        check: quotaFound,
        next: () => ({ method: "GET", path: basePath(baseNext()) }),
      },
    };
    const warm = Math.min(2, opts.warmupS) * 1000;
    const window = opts.lookupsS * 1000;
    const runOne = async (which: "hub" | "base") => {
      const child = which === "hub" ? hub : baseline;
      const other = which === "hub" ? baseline.pid : hub.pid;
      await runLoad({ ...loads[which], durationMs: warm, label: "warm-up" });
      await analyzeAfterWarmUp(pool);
      const { result: measured, summary } = await profiled(
        which === "hub" && opts.profile,
        child,
        `${ctx.runTag}-quota-${which}`,
        () => ctx.measure(child.pid, [other], () => runLoad({ ...loads[which], durationMs: window })),
      );
      ctx.log(`  ${describeLoad(measured.result)}\n    ${describeCpu(measured.cpu)}${summary ? `\n${summary}` : ""}`);
      return measured;
    };
    const h = await runOne("hub");
    const b = await runOne("base");
    ctx.details.quota = { accounts: accounts.length, hub: h.result, baseline: b.result };
    const label = "bare http + pg, same SQL, credit call and rule";
    const failed = (r: typeof h) => (r.result.failed ? `${r.result.failed} failed` : undefined);
    return [
      metric({
        bench: "quota",
        metric: "loanQuota/s (CENTER_OPERATOR)",
        unit: "/s",
        hub: h.result.rps,
        baseline: b.result.rps,
        baselineLabel: label,
        target: null,
        noise: { hub: h.cpu.otherProcesses, baseline: b.cpu.otherProcesses },
        note: failed(h) ?? failed(b),
      }),
      metric({
        bench: "quota",
        metric: "loanQuota p50",
        unit: "ms",
        hub: h.result.latencyMs.p50,
        baseline: b.result.latencyMs.p50,
        baselineLabel: label,
        target: null,
        lowerIsBetter: true,
      }),
      metric({
        bench: "quota",
        metric: "loanQuota p99",
        unit: "ms",
        hub: h.result.latencyMs.p99,
        baseline: b.result.latencyMs.p99,
        baselineLabel: label,
        target: null,
        lowerIsBetter: true,
      }),
    ];
  } finally {
    await baseline.stop();
  }
}
