// 1. recordDeposit mutations per second over HTTP (GraphQL, CENTER_OPERATOR), against the same posting as
//    plain SQL through a pg Pool at the same concurrency. Each request pays a distinct (account, month):
//    month-major over the workers (month m for every worker, then m+1), paidOn the 10th of the month paid for.
import { Pool } from "pg";
import { ENROLLED_ON, metric, months, type BenchContext, type Metric } from "./lib/context";
import { describeLoad, runClosedLoop, runLoad, summarise, type LoadResult } from "./lib/load";
import { enrolOverGraphql, graphqlSuccess, seedAccountsSql, waitOutboxDrained } from "./lib/seed";
import { bankSettlementId, postDepositSql } from "./lib/sql-deposit";

export const RECORD = `mutation Record($input: RecordDepositInput!) {
  recordDeposit(input: $input) {
    account { accountNumber balance paidMonths consecutiveMonths paidUpTo }
    entries { id kind amount period balanceAfter postedOn }
    userErrors { code field message }
  }
}`;

/** Enough months that the schedule cannot run out at any plausible rate (workers x 120 slots). */
const SCHEDULE_MONTHS = 120;
const AMOUNT = "1000.00";

export interface Slot {
  accountNumber: string;
  period: string;
  paidOn: string;
  n: number;
}

/** Slot i of the month-major schedule, or null past its end. */
export function scheduler(accounts: readonly string[], periods = months(SCHEDULE_MONTHS)): () => Slot | null {
  let i = 0;
  return () => {
    const period = periods[Math.floor(i / accounts.length)];
    if (period === undefined) return null;
    const slot = { accountNumber: accounts[i % accounts.length]!, period, paidOn: `${period}-10`, n: i };
    i++;
    return slot;
  };
}

/** Pays `monthsEach` months to every account through the SQL poster (used to give lookup accounts a history). */
export async function prefillSql(pool: Pool, accounts: readonly string[], monthsEach: number, concurrency: number, tag: string): Promise<LoadResult> {
  const bankId = await bankSettlementId(pool);
  const next = scheduler(accounts, months(monthsEach));
  const loop = await runClosedLoop(concurrency, {}, () => {
    const s = next();
    if (!s) return null;
    return postDepositSql(pool, bankId, { ...s, amount: AMOUNT, paymentRef: `PF${tag}${s.n}`, idempotencyKey: `bench-prefill-${tag}-${s.n}` }).then(() => null);
  });
  return summarise("prefill (SQL)", concurrency, loop);
}

export async function depositsBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const c = opts.concurrency;
  const hub = await ctx.hub();

  // Hub side: workers enrolled over GraphQL (the real enrolment path), then the outbox left to drain.
  let t = Date.now();
  const enrolled = await enrolOverGraphql(hub.info.url, ctx.token, pool, {
    area: "140502", count: opts.workers, enrolledOn: ENROLLED_ON, monthlyAmount: AMOUNT, concurrency: Math.min(32, c), runTag: ctx.runTag,
  });
  ctx.log(`  ${describeLoad(enrolled.load)}`);
  const pending = await waitOutboxDrained(pool);
  ctx.log(`  enrolment + outbox drain: ${((Date.now() - t) / 1000).toFixed(1)} s${pending ? ` (${pending} outbox messages still pending!)` : ""}`);
  // Baseline side: the same number of workers, seeded in SQL.
  t = Date.now();
  const baselineWorkers = await seedAccountsSql(pool, { area: "140521", count: opts.workers, enrolledOn: ENROLLED_ON, monthlyAmount: AMOUNT, channel: "ACTIVE_PAYMENT" });
  ctx.log(`  seeded ${baselineWorkers.length} baseline workers in SQL in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await pool.query("VACUUM ANALYZE");

  const next = scheduler(enrolled.accounts);
  const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
  const hubLoad = {
    url: hub.info.url,
    concurrency: c,
    label: "recordDeposit over HTTP (hub)",
    check: graphqlSuccess,
    next: () => {
      const s = next();
      if (!s) return null;
      return {
        method: "POST" as const,
        path: "/graphql",
        headers,
        body: JSON.stringify({
          query: RECORD,
          variables: {
            input: { accountNumber: s.accountNumber, period: s.period, amount: AMOUNT, channel: "ACTIVE_PAYMENT", paymentRef: `BD${ctx.runTag}${s.n}`, paidOn: s.paidOn, idempotencyKey: `bench-dep-${ctx.runTag}-${s.n}` },
          },
        }),
      };
    },
  };
  await runLoad({ ...hubLoad, durationMs: opts.warmupS * 1000, label: "warm-up" });
  const hubResult = await runLoad({ ...hubLoad, durationMs: opts.depositsS * 1000 });
  ctx.log(`  ${describeLoad(hubResult)}`);

  const sqlPool = new Pool({ connectionString: ctx.db.url, max: c });
  let baseResult: LoadResult;
  try {
    const bankId = await bankSettlementId(sqlPool);
    const nextBase = scheduler(baselineWorkers);
    const op = () => {
      const s = nextBase();
      if (!s) return null;
      return postDepositSql(sqlPool, bankId, { ...s, amount: AMOUNT, paymentRef: `BS${ctx.runTag}${s.n}`, idempotencyKey: `bench-sql-${ctx.runTag}-${s.n}` }).then(() => null);
    };
    await runClosedLoop(c, { durationMs: opts.warmupS * 1000 }, op);
    baseResult = summarise(`same posting as plain SQL (pg Pool max=${c})`, c, await runClosedLoop(c, { durationMs: opts.depositsS * 1000 }, op));
  } finally {
    await sqlPool.end();
  }
  ctx.log(`  ${describeLoad(baseResult)}`);

  // Sanity: what the hub acknowledged is in the ledger.
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM deposit_month WHERE payment_ref LIKE $1`, [`BD${ctx.runTag}%`]);
  const stored = Number(rows[0]!.n);
  const acknowledged = hubResult.ok;
  if (stored < acknowledged) throw new Error(`hub acknowledged ${acknowledged} deposits but only ${stored} are stored`);
  const monthsPaid = Math.floor(stored / enrolled.accounts.length);
  ctx.shared.depositWorkers = enrolled.accounts;
  ctx.shared.depositMonthsPaid = monthsPaid;
  ctx.details.deposits = { workers: opts.workers, enrolment: enrolled.load, hub: hubResult, baseline: baseResult, storedHubDeposits: stored, monthsPaidPerWorker: monthsPaid };

  return [
    metric({
      bench: "deposits",
      metric: "recordDeposit/s (HTTP GraphQL)",
      unit: "/s",
      hub: hubResult.rps,
      baseline: baseResult.rps,
      baselineLabel: "plain SQL txn via pg",
      target: { op: ">=", value: 1500 },
      note: hubResult.failed ? `${hubResult.failed} failed` : undefined,
    }),
    metric({
      bench: "deposits",
      metric: "recordDeposit p50 latency",
      unit: "ms",
      hub: hubResult.latencyMs.p50,
      baseline: baseResult.latencyMs.p50,
      baselineLabel: "plain SQL txn via pg",
      target: null,
      lowerIsBetter: true,
    }),
    metric({
      bench: "deposits",
      metric: "recordDeposit p99 latency",
      unit: "ms",
      hub: hubResult.latencyMs.p99,
      baseline: baseResult.latencyMs.p99,
      baselineLabel: "plain SQL txn via pg",
      target: null,
      lowerIsBetter: true,
    }),
    metric({
      bench: "deposits",
      metric: "enrollWorker/s (setup, info)",
      unit: "/s",
      hub: enrolled.load.rps,
      baseline: null,
      baselineLabel: "",
      target: null,
    }),
  ];
}
