// 5. withdraw mutations per second over HTTP (GraphQL, CENTER_OPERATOR) at the deposits' concurrency, against the
//    same posting as plain SQL through a pg Pool (lib/sql-withdrawal.ts), and beside the recordDeposit figure of the
//    same run. Each side has its own SQL-seeded workers with 12 paid months (12,000.00 each); each request withdraws
//    10.00 from the next worker in turn (requestedOn 2024-07-15, after the last deposit), so no request is refused.
import { Pool } from "pg";

import { statementCounts, statementsDelta, topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric } from "./lib/context";
import { type CpuShare, describeCpu } from "./lib/cpu";
import { analyzeAfterWarmUp } from "./lib/db";
import { describeLoad, type LoadResult, runClosedLoop, runLoad, summarise } from "./lib/load";
import { profiled } from "./lib/profile";
import { graphqlSuccess, seedAccountsSql } from "./lib/seed";
import { bankSettlementId } from "./lib/sql-deposit";
import { postWithdrawalSql } from "./lib/sql-withdrawal";

/** Statements one baseline withdrawal sends (lib/sql-withdrawal.ts): BEGIN, lock, guarded balance, posting, entries,
 *  payout, idempotency record, COMMIT. */
const SQL_WITHDRAWAL_STATEMENTS = 8;

export const WITHDRAW = `mutation Withdraw($input: WithdrawInput!) {
  withdraw(input: $input) {
    account { accountNumber balance withdrawableBalance }
    entry { id kind amount balanceAfter postedOn paymentRef }
    entries { id kind amount balanceAfter postedOn paymentRef }
    userErrors { code field message }
  }
}`;

const PAID_MONTHS = 12;
const BALANCE = 12_000; // 12 months x 1,000.00 (topUpMonths)
const AMOUNT = "10.00";
const REQUESTED_ON = "2024-07-15";

/** Round robin over the workers; null once every worker would be emptied (never at plausible rates). */
function roundRobin(accounts: readonly string[]): () => { accountNumber: string; n: number } | null {
  const limit = accounts.length * Math.floor(BALANCE / Number(AMOUNT));
  let i = 0;
  return () => (i >= limit ? null : { accountNumber: accounts[i % accounts.length]!, n: i++ });
}

export async function withdrawalsBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const c = opts.concurrency;
  const hub = await ctx.hub();

  const t = Date.now();
  const seed = (area: string) =>
    seedAccountsSql(pool, {
      area,
      count: opts.workers,
      enrolledOn: ENROLLED_ON,
      monthlyAmount: "1000.00",
      channel: "ACTIVE_PAYMENT",
    });
  const hubWorkers = await seed("140532");
  const baselineWorkers = await seed("140533");
  const topped = await topUpMonths(pool, [...hubWorkers, ...baselineWorkers], PAID_MONTHS);
  await pool.query("VACUUM ANALYZE");
  ctx.log(
    `  seeded ${hubWorkers.length} hub-side and ${baselineWorkers.length} baseline-side workers with ${PAID_MONTHS} paid months each (${topped} deposit months) in SQL in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );

  const next = roundRobin(hubWorkers);
  const headers = { "content-type": "application/json", authorization: `Bearer ${ctx.token}` };
  const hubLoad = {
    url: hub.info.url,
    concurrency: c,
    label: "withdraw over HTTP (hub)",
    check: graphqlSuccess,
    next: () => {
      const s = next();
      if (!s) return null;
      return {
        method: "POST" as const,
        path: "/graphql",
        headers,
        body: JSON.stringify({
          query: WITHDRAW,
          variables: {
            input: {
              accountNumber: s.accountNumber,
              amount: AMOUNT,
              requestedOn: REQUESTED_ON,
              idempotencyKey: `bench-wd-${ctx.runTag}-${s.n}`,
            },
          },
        }),
      };
    },
  };
  await runLoad({ ...hubLoad, durationMs: opts.warmupS * 1000, label: "warm-up" });
  await analyzeAfterWarmUp(pool);
  const countsBefore = await statementCounts(hub);
  const { result: measured, summary } = await profiled(opts.profile, hub, `${ctx.runTag}-withdrawals-hub`, () =>
    ctx.measure(hub.pid, [], () => runLoad({ ...hubLoad, durationMs: opts.depositsS * 1000 })),
  );
  const countsAfter = await statementCounts(hub);
  const { result: hubResult, cpu: hubCpu } = measured;
  // Every statement the hub sent per withdrawal (the exchange chainer's rounds included), as row 1 prints per deposit.
  const perWithdrawal =
    countsBefore && countsAfter
      ? statementsDelta(countsBefore, countsAfter, Math.max(hubResult.ok + hubResult.failed, 1), {
          of: "withdrawalBatches",
          item: "withdrawal",
        })
      : null;
  ctx.log(
    `  ${describeLoad(hubResult)}\n    ${describeCpu(hubCpu)}${perWithdrawal ? `\n${perWithdrawal.text}` : ""}${summary ? `\n${summary}` : ""}`,
  );

  const sqlPool = new Pool({ connectionString: ctx.db.url, max: c });
  let baseResult: LoadResult;
  let baseCpu: CpuShare;
  try {
    const bankId = await bankSettlementId(sqlPool);
    const nextBase = roundRobin(baselineWorkers);
    const op = () => {
      const s = nextBase();
      if (!s) return null;
      return postWithdrawalSql(sqlPool, bankId, {
        accountNumber: s.accountNumber,
        amount: AMOUNT,
        requestedOn: REQUESTED_ON,
        idempotencyKey: `bench-sqlwd-${ctx.runTag}-${s.n}`,
      }).then(() => null);
    };
    await runClosedLoop(c, { durationMs: opts.warmupS * 1000 }, op);
    await analyzeAfterWarmUp(pool);
    const base = await ctx.measure(process.pid, [hub.pid], () =>
      runClosedLoop(c, { durationMs: opts.depositsS * 1000 }, op),
    );
    baseCpu = base.cpu;
    baseResult = summarise(`same posting as plain SQL (pg Pool max=${c})`, c, base.result);
  } finally {
    await sqlPool.end();
  }
  ctx.log(
    `  ${describeLoad(baseResult)}\n    ${describeCpu(baseCpu)} (server under test = this process, the pg client)`,
  );

  // Sanity: every withdrawal the hub acknowledged is stored (entry, payout), and no balance went negative.
  const { rows } = await pool.query<{ payouts: string; entries: string; withdrawn: string; negative: string }>(
    `SELECT
       (SELECT count(*) FROM payout p JOIN account a ON a.id = p.account_id WHERE a.account_number = ANY($1::text[])) AS payouts,
       (SELECT count(*) FROM ledger_entry e JOIN account a ON a.ledger_account_id = e.ledger_account_id
         WHERE a.account_number = ANY($1::text[]) AND e.kind = 'WITHDRAWAL') AS entries,
       (SELECT coalesce(sum(e.debit), 0) FROM ledger_entry e JOIN account a ON a.ledger_account_id = e.ledger_account_id
         WHERE a.account_number = ANY($1::text[]) AND e.kind = 'WITHDRAWAL') AS withdrawn,
       (SELECT count(*) FROM ledger_account WHERE type = 'WORKER' AND balance < 0) AS negative`,
    [hubWorkers],
  );
  const stored = Number(rows[0]!.payouts);
  const acknowledged = hubResult.ok;
  if (stored < acknowledged || Number(rows[0]!.entries) !== stored)
    throw new Error(
      `hub acknowledged ${acknowledged} withdrawals; stored ${stored} payouts and ${rows[0]!.entries} WITHDRAWAL entries`,
    );
  if (rows[0]!.withdrawn !== (stored * Number(AMOUNT)).toFixed(2))
    throw new Error(`withdrawn ${rows[0]!.withdrawn}, expected ${stored} x ${AMOUNT}`);
  if (Number(rows[0]!.negative) !== 0) throw new Error(`${rows[0]!.negative} worker balances are negative`);

  const deposits = (ctx.details.deposits as { hub?: LoadResult } | undefined)?.hub;
  ctx.details.withdrawals = {
    workers: opts.workers,
    amount: AMOUNT,
    requestedOn: REQUESTED_ON,
    hub: hubResult,
    hubCpu,
    baseline: baseResult,
    baselineCpu: baseCpu,
    storedHubWithdrawals: stored,
    depositsSameRun: deposits?.rps ?? null,
  };

  const noise = { hub: hubCpu.otherProcesses, baseline: baseCpu.otherProcesses };
  const label = "plain SQL txn via pg";
  const none = "measured, no target (issue 7 gives none)";
  const out = [
    metric({
      bench: "withdrawals",
      metric: "withdraw/s (HTTP GraphQL)",
      unit: "/s",
      hub: hubResult.rps,
      baseline: baseResult.rps,
      baselineLabel: label,
      target: null,
      noise,
      note: hubResult.failed ? `${hubResult.failed} failed; ${none}` : none,
    }),
    metric({
      bench: "withdrawals",
      metric: "withdraw p50 latency",
      unit: "ms",
      hub: hubResult.latencyMs.p50,
      baseline: baseResult.latencyMs.p50,
      baselineLabel: label,
      target: null,
      lowerIsBetter: true,
      noise,
    }),
    metric({
      bench: "withdrawals",
      metric: "withdraw p99 latency",
      unit: "ms",
      hub: hubResult.latencyMs.p99,
      baseline: baseResult.latencyMs.p99,
      baselineLabel: label,
      target: null,
      lowerIsBetter: true,
      noise,
    }),
    metric({
      bench: "withdrawals",
      metric: "withdraw CPU/request (hub; base: pg client)",
      unit: "ms",
      hub: (10 * hubCpu.subject) / Math.max(hubResult.rps, 1e-9),
      baseline: (10 * baseCpu.subject) / Math.max(baseResult.rps, 1e-9),
      baselineLabel: "bench process running the SQL",
      target: null,
      lowerIsBetter: true,
      noise,
    }),
    metric({
      bench: "withdrawals",
      metric: "withdraw statements/request (hub: every pg query incl. BEGIN/COMMIT)",
      unit: "",
      hub: perWithdrawal?.statements ?? NaN,
      baseline: SQL_WITHDRAWAL_STATEMENTS,
      baselineLabel: "plain SQL txn (BEGIN, 6 statements, COMMIT)",
      target: null,
      lowerIsBetter: true,
      noise,
    }),
    metric({
      bench: "withdrawals",
      metric: "withdraw PostgreSQL CPU/request",
      unit: "ms",
      hub: (10 * hubCpu.postgres) / Math.max(hubResult.rps, 1e-9),
      baseline: (10 * baseCpu.postgres) / Math.max(baseResult.rps, 1e-9),
      baselineLabel: label,
      target: null,
      lowerIsBetter: true,
      noise,
    }),
  ];
  if (deposits)
    out.push(
      metric({
        bench: "withdrawals",
        metric: "withdraw/s beside recordDeposit/s (hub, same run)",
        unit: "/s",
        hub: hubResult.rps,
        baseline: deposits.rps,
        baselineLabel: "recordDeposit/s over HTTP",
        target: null,
        noise: { hub: hubCpu.otherProcesses, baseline: null },
      }),
    );
  return out;
}
