// 6. settleInterest (积数计息 and the interest subsidy, decision 011) for --interest-accounts accounts (default
//    1,000,000) with 12 months of history in the settlement year: total seconds and the hub's peak RSS, beside ONE
//    plain `INSERT ... SELECT` computing the same 积数, interest and subsidy in the same run. Both totals must agree
//    (interest and subsidy sums, 积数 sum, accounts) before anything is reported.
//
//    Population and history (seeded set-based in SQL: POPULATION_SQL, one statement per 100,000 accounts writes the
//    accounts' rows as lib/seed.ts does and their year's postings as the hub does): settlement
//    year 2024 (2024-07-01 .. 2025-06-30, 365 days). Every account pays 12 months 2024-07 .. 2025-06 on day
//    1 + id % 28 of the month, amount 300.00 + ((7 id + 13 k) % 20) x 50.00 + (id % 100) fen (month k = 0..11), so
//    the days and the amounts differ from account to account and month to month; every tenth account (id % 10 = 0)
//    withdraws 200.00 on 2025-03-20 (its own WITHDRAWAL posting and payout, like the hub's), which also denies it
//    the year's interest subsidy. Deposits are posted one posting per (month, day) per chunk: a bank-settlement
//    debit and the workers' credits, with deposit_month rows, balance_after and ledger_account.balance as the hub
//    keeps them.
//
//    The hub: a fresh hub child (its peak RSS is the settlement's), the settleInterest mutation over HTTP as
//    CENTER_ADMIN (no finance URL in the bench: the fiscal claim is recorded and stays CLAIMED, after the hub read
//    its items). RSS is polled every 200 ms and the kernel's VmHWM read at the end, as the import bench does.
import { request as httpRequest } from "node:http";

import { signDevToken } from "../src/auth/token-verifier";
import { CURRENT_COMMITMENT } from "../src/domain/accounts/commitment";
import { type BenchContext, ENROLLED_ON, type Metric, metric } from "./lib/context";
import { type CpuShare, describeCpu } from "./lib/cpu";
import { memoryOf, sampleRss } from "./lib/proc";
import { profiled } from "./lib/profile";
import { CENTER_CODE, claimArea, COUNTY } from "./lib/seed";
import { bankSettlementId } from "./lib/sql-deposit";

const MB = 1024 * 1024;
export const SETTLEMENT_YEAR = 2024;
const FROM = "2024-07-01";
const TO = "2025-06-30";
const AS_OF = "2025-07-01";
/** Accounts (with their history) per seeding statement. */
const POPULATION_CHUNK = 100_000;
const AREA = "140531";
/** The parameter catalogue's defaults (domain.md: 1.5 % a year; subsidy 1 %), typed here, not read from the hub. */
const RATE = "0.015";
const SUBSIDY_RATE = "0.01";

/** The interest population and its settlement-year history for account ordinals [$1, $2) of the population, in ONE
 *  statement: the rows seedAccountsSql (lib/seed.ts, = createAccount in enroll-worker.ts) writes for each worker
 *  (person, worker ledger account, account, agreement, deposit plan, delivered outbox message, enrolment idempotency
 *  record), then the deposits and withdrawals as the hub posts them (posting per (month, day), the bank-settlement
 *  debit and the workers' credits with balance_after, deposit_month rows, the withdrawal's payout). Every id is drawn
 *  from its sequence up front (generate_series emits the ordinals in order), so the amounts, which depend on the
 *  account id, and each ledger account's final balance are known before anything is inserted: no lookups of the
 *  rows just written and no UPDATE of a million balances. The ID numbers are those of idNumbers() (lib/seed.ts):
 *  birth 1985-01-01 + ordinal / 1000 days, sequence ordinal % 1000, GB 11643 check character computed in SQL. */
const POPULATION_SQL = `
WITH g AS (
  SELECT i, $3::text || to_char(date '1985-01-01' + (i / 1000), 'YYYYMMDD') || lpad((i % 1000)::text, 3, '0') AS f17,
         date '1985-01-01' + (i / 1000) AS birth_date
  FROM generate_series($1::int, $2::int - 1) i
), n AS MATERIALIZED (
  SELECT i, nextval('person_id_seq') AS person_id, nextval('ledger_account_id_seq') AS ledger_account_id,
         nextval('account_id_seq') AS account_id,
         '${CENTER_CODE}' || lpad(nextval('account_number_seq')::text, 10, '0') AS account_number,
         f17 || substr('10X98765432', (SELECT sum(substr(f17, k, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[k])
                                       FROM generate_series(1, 17) k)::int % 11 + 1, 1) AS id_number,
         CASE WHEN substr(f17, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END AS sex, birth_date
  FROM g
), dep AS MATERIALIZED (
  SELECT n.account_id, n.ledger_account_id, k,
         to_char($4::date + make_interval(months => k), 'YYYY-MM') AS period,
         ($4::date + make_interval(months => k))::date + (n.account_id % 28)::int AS on_day,
         (300 + ((7 * n.account_id + 13 * k) % 20) * 50 + (n.account_id % 100) / 100.0)::numeric(18,2) AS amount
  FROM n CROSS JOIN generate_series(0, 11) k
), pd AS MATERIALIZED (
  SELECT period, on_day, nextval('posting_id_seq') AS posting_id FROM (SELECT DISTINCT period, on_day FROM dep) x
), wd AS MATERIALIZED (
  SELECT account_id, ledger_account_id, $6::date AS on_day, $7::numeric AS amount, nextval('posting_id_seq') AS posting_id
  FROM n WHERE account_id % 10 = 0
), ev AS MATERIALIZED (
  SELECT dep.account_id, dep.ledger_account_id, 'DEPOSIT' AS kind, dep.period, dep.on_day, dep.amount AS credit,
         0::numeric AS debit, pd.posting_id
  FROM dep JOIN pd ON pd.period = dep.period AND pd.on_day = dep.on_day
  UNION ALL
  SELECT account_id, ledger_account_id, 'WITHDRAWAL', NULL, on_day, 0, amount, posting_id FROM wd
), evb AS (
  SELECT ev.*, sum(credit - debit) OVER (PARTITION BY account_id ORDER BY on_day, kind ROWS UNBOUNDED PRECEDING) AS balance_after
  FROM ev
), p AS (
  INSERT INTO person (id, id_number, name, sex, birth_date) SELECT person_id, id_number, $8, sex, birth_date FROM n
), la AS (
  INSERT INTO ledger_account (id, code, type, normal_side, name, balance)
  SELECT n.ledger_account_id, 'W:' || n.account_number, 'WORKER', 'C', '个人账户 ' || n.account_number, coalesce(t.moved, 0)
  FROM n LEFT JOIN (SELECT ledger_account_id, sum(credit - debit) AS moved FROM ev GROUP BY 1) t
    ON t.ledger_account_id = n.ledger_account_id
), a AS (
  INSERT INTO account (id, account_number, person_id, ledger_account_id, kind, status, county_code, employment_form, opened_on)
  SELECT account_id, account_number, person_id, ledger_account_id, 'FLEXIBLE', 'ACTIVE', '${COUNTY}', 'NEW_FORM', $9::date FROM n
), ag AS (
  INSERT INTO agreement (account_id, signed_on, commitment_version, commitment_date, commitment_accepted)
  SELECT account_id, $9::date, $10, $11::date, true FROM n
), dp AS (
  INSERT INTO deposit_plan (account_id, monthly_amount, deposit_day, mode, channel, bank_account, effective_from)
  SELECT account_id, 1000.00, 10, 'MONTHLY', 'ACTIVE_PAYMENT', NULL, $9::date FROM n
), ob AS (
  INSERT INTO outbox_message (topic, payload, attempts, done_at)
  SELECT 'national.registerAccount',
         jsonb_build_object('idNumber', id_number, 'centerCode', '${CENTER_CODE}', 'accountNumber', account_number, 'kind', 'FLEXIBLE', 'by', 'bench-seed'),
         1, now()
  FROM n
), idem AS (
  INSERT INTO idempotency_record (key, operation, actor, request_hash, response)
  SELECT 'bench-seed-enrol-' || account_number, 'enrollWorker', 'bench-seed', md5(account_number) || md5(account_number), jsonb_build_object('accountNumber', account_number)
  FROM n
), po AS (
  INSERT INTO posting (id, kind, posted_on, memo)
  SELECT posting_id, 'DEPOSIT', on_day, 'ACTIVE_PAYMENT bench-interest-history' FROM pd
  UNION ALL
  SELECT posting_id, 'WITHDRAWAL', on_day, '提取 withdrawal' FROM wd
), e AS (
  INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
  SELECT posting_id, ledger_account_id, kind, debit, credit, period, on_day, balance_after FROM evb
  UNION ALL
  SELECT posting_id, $5::bigint, 'DEPOSIT', sum(credit), 0, min(period), min(on_day), NULL FROM ev
  WHERE kind = 'DEPOSIT' GROUP BY posting_id
  UNION ALL
  SELECT posting_id, $5::bigint, 'WITHDRAWAL', 0, amount, NULL, on_day, NULL FROM wd
), d AS (
  INSERT INTO deposit_month (account_id, period, amount, paid_on, source, channel, payment_ref, posting_id)
  SELECT dep.account_id, dep.period, dep.amount, dep.on_day, 'MONTHLY', 'ACTIVE_PAYMENT',
         'IH' || pd.posting_id || '-' || dep.account_id, pd.posting_id
  FROM dep JOIN pd ON pd.period = dep.period AND pd.on_day = dep.on_day
), pay AS (
  INSERT INTO payout (payout_ref, account_id, kind, amount, requested_on, posting_id, status)
  SELECT 'WD-' || posting_id, account_id, 'WITHDRAWAL', amount, on_day, posting_id, 'PENDING' FROM wd
)
SELECT (SELECT count(*) FROM n) AS accounts, (SELECT count(*) FROM ev) AS entries`;

/** Kinds that use the deposits (domain.md: no subsidy for a year with one in the unused window); a relative transfer
 *  uses them on the giver's side only (its debit), as in the hub. The bench seeds no loans, so the loan rule is moot. */
const USE_KINDS = `'WITHDRAWAL', 'EXIT_PAYOUT', 'TRANSFER_OUT', 'LOAN_OFFSET'`;

/** The baseline: the same 积数 (Σ end-of-day balances = Σ amount x days from max(entry date, 1 July) to 30 June),
 *  interest and subsidy, in one INSERT ... SELECT into a table shaped like interest_credit. No postings. */
const BASELINE_SQL = `
INSERT INTO bench_interest_baseline (account_id, accumulated, interest, subsidy)
SELECT account_id, acc, round(acc * ${RATE} / 360, 2),
       CASE WHEN opened_on <= '${FROM}'::date AND NOT used THEN round(acc * ${SUBSIDY_RATE} / 360, 2) ELSE 0 END
FROM (
  SELECT a.id AS account_id, a.opened_on,
         sum((e.credit - e.debit) * (('${TO}'::date - greatest(e.posted_on, '${FROM}'::date)) + 1)) AS acc,
         bool_or((e.kind IN (${USE_KINDS}) OR (e.kind = 'RELATIVE_TRANSFER' AND e.debit > 0))
                 AND e.posted_on >= '${FROM}'::date) AS used
  FROM account a JOIN ledger_entry e ON e.ledger_account_id = a.ledger_account_id
  WHERE e.posted_on <= '${TO}'::date
  GROUP BY a.id, a.opened_on
) x
WHERE acc > 0`;

const SETTLE = `mutation Settle($year: Int!, $asOf: Date!, $key: String!) {
  settleInterest(settlementYear: $year, asOf: $asOf, idempotencyKey: $key) {
    settlement { settlementYear settledOn accounts interestAmount subsidyAmount }
    userErrors { code field message }
  }
}`;

interface Settlement {
  settlementYear: number;
  settledOn: string;
  accounts: number;
  interestAmount: string;
  subsidyAmount: string;
}

/** One GraphQL POST without a client-side timeout (a million-account year takes minutes). */
function postGraphql(url: string, token: string, body: string): Promise<{ status: number; body: string }> {
  const target = new URL("/graphql", url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function interestBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const n = opts.interestAccounts;

  // ---- Seeding (SQL, set-based): POPULATION_SQL, one statement per POPULATION_CHUNK accounts ----
  // On one connection with session_replication_role = replica: the rows are consistent by construction (every id is
  // drawn from its sequence in the statement that writes the rows referring to it), so the per-row foreign-key
  // triggers are skipped as a bulk load (pg_dump --disable-triggers) skips them; the totals check below still has
  // the hub and the baseline agree on every account's 积数.
  claimArea(AREA, `${n} interest accounts`);
  let t = Date.now();
  const bankId = await bankSettlementId(pool);
  let entries = 0;
  const seeder = await pool.connect();
  try {
    await seeder.query("SET session_replication_role = replica");
    for (let lo = 0; lo < n; lo += POPULATION_CHUNK) {
      const hi = Math.min(n, lo + POPULATION_CHUNK);
      const { rows } = await seeder.query<{ accounts: string; entries: string }>(POPULATION_SQL, [
        lo,
        hi,
        AREA,
        FROM,
        bankId,
        "2025-03-20",
        "200.00",
        "压测人员",
        ENROLLED_ON,
        CURRENT_COMMITMENT.version,
        CURRENT_COMMITMENT.date,
      ]);
      if (Number(rows[0]!.accounts) !== hi - lo) throw new Error(`seeded ${rows[0]!.accounts} of ${hi - lo} accounts`);
      entries += Number(rows[0]!.entries);
      if (n > POPULATION_CHUNK)
        ctx.log(
          `    ... ${hi.toLocaleString("en")} accounts with their history after ${((Date.now() - t) / 1000).toFixed(0)} s`,
        );
    }
  } finally {
    await seeder.query("RESET session_replication_role").catch(() => undefined);
    seeder.release();
  }
  const seedS = (Date.now() - t) / 1000;
  t = Date.now();
  await pool.query("VACUUM ANALYZE");
  const { rows: sizeRows } = await pool.query<{ entries: string; size: string }>(
    `SELECT (SELECT count(*) FROM ledger_entry) AS entries, pg_size_pretty(pg_total_relation_size('ledger_entry')) AS size`,
  );
  ctx.log(
    `  seeded ${n.toLocaleString("en")} accounts with their settlement-year history (${entries.toLocaleString("en")} worker entries: 12 deposits each, a withdrawal for every tenth) in ${seedS.toFixed(1)} s; VACUUM ANALYZE ${((Date.now() - t) / 1000).toFixed(1)} s; ledger_entry now ${Number(sizeRows[0]!.entries).toLocaleString("en")} rows, ${sizeRows[0]!.size}`,
  );

  // ---- Baseline: one INSERT ... SELECT (before the hub posts its interest entries dated 30 June) ----
  await pool.query(`DROP TABLE IF EXISTS bench_interest_baseline`);
  await pool.query(
    `CREATE TABLE bench_interest_baseline (account_id bigint PRIMARY KEY, accumulated numeric NOT NULL, interest numeric(18,2) NOT NULL, subsidy numeric(18,2) NOT NULL)`,
  );
  await pool.query("CHECKPOINT");
  const base = await ctx.measure(process.pid, [], () => pool.query(BASELINE_SQL));
  const baseSeconds = base.seconds;
  const baseCpu: CpuShare = base.cpu;
  const { rows: baseRows } = await pool.query<{ accounts: string; acc: string; interest: string; subsidy: string }>(
    `SELECT count(*) FILTER (WHERE interest > 0 OR subsidy > 0) AS accounts, sum(accumulated)::text AS acc,
            coalesce(sum(interest), 0)::numeric(18,2)::text AS interest, coalesce(sum(subsidy), 0)::numeric(18,2)::text AS subsidy
     FROM bench_interest_baseline`,
  );
  const baseline = baseRows[0]!;
  ctx.log(
    `  baseline INSERT ... SELECT: ${Number(base.result.rowCount).toLocaleString("en")} rows in ${baseSeconds.toFixed(1)} s; ` +
      `积数 ${baseline.acc}, interest ${baseline.interest}, subsidy ${baseline.subsidy}\n    ${describeCpu(baseCpu)} (server under test = this process)`,
  );
  await pool.query("CHECKPOINT");

  // ---- The hub: a fresh process, settleInterest over HTTP ----
  const hub = await ctx.restartHub();
  const adminToken = await signDevToken(
    ctx.hubEnv.BENCH_JWT_SECRET!,
    { role: "CENTER_ADMIN", sub: "bench-admin", org: "140500" },
    "4h",
  );
  const idle = memoryOf(hub.pid);
  const rss = sampleRss(hub.pid, 200);
  ctx.log(
    `  settleInterest(${SETTLEMENT_YEAR}, ${AS_OF}) on ${hub.info.url} (hub pid ${hub.pid}, idle RSS ${idle ? (idle.rss / MB).toFixed(0) : "?"} MB)`,
  );
  const body = JSON.stringify({
    query: SETTLE,
    variables: { year: SETTLEMENT_YEAR, asOf: AS_OF, key: `bench-interest-${ctx.runTag}` },
  });
  const { result: measured, summary } = await profiled(opts.profile, hub, `${ctx.runTag}-interest-hub`, () =>
    ctx.measure(hub.pid, [], () => postGraphql(hub.info.url, adminToken, body)),
  );
  const hubSeconds = measured.seconds;
  const memory = rss.stop();
  const inner = await hub.ask({ cmd: "memory" });
  const { result: answer, cpu: hubCpu } = measured;
  const peak = Math.max(memory.peakRss, Number.isFinite(memory.hwm) ? memory.hwm : 0);
  let parsed: {
    data?: { settleInterest?: { settlement: Settlement | null; userErrors: unknown[] } };
    errors?: unknown;
  };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    parsed = {};
  }
  const settlement = parsed.data?.settleInterest?.settlement;
  if (answer.status !== 200 || !settlement)
    throw new Error(
      `settleInterest failed after ${hubSeconds.toFixed(1)} s: HTTP ${answer.status} ${answer.body.slice(0, 800)}`,
    );

  // ---- Both must give the same totals before anything is reported ----
  const { rows: hubRows } = await pool.query<{ acc: string; postings: string; chunks: string }>(
    `SELECT (SELECT sum(accumulated)::text FROM interest_credit WHERE settlement_year = $1 AND source = 'YEAR') AS acc,
            (SELECT count(*) FROM posting WHERE kind IN ('INTEREST', 'INTEREST_SUBSIDY') AND posted_on = $2::date) AS postings,
            (SELECT count(*) FROM posting WHERE kind = 'INTEREST' AND posted_on = $2::date) AS chunks`,
    [SETTLEMENT_YEAR, TO],
  );
  const hubAcc = hubRows[0]!;
  const same =
    settlement.interestAmount === baseline.interest &&
    settlement.subsidyAmount === baseline.subsidy &&
    String(settlement.accounts) === baseline.accounts &&
    hubAcc.acc === baseline.acc;
  ctx.log(
    `  hub: HTTP ${answer.status} after ${hubSeconds.toFixed(1)} s: ${JSON.stringify(settlement)}; 积数 ${hubAcc.acc}; ${hubAcc.postings} postings (${hubAcc.chunks} INTEREST chunks); ` +
      `peak RSS ${(peak / MB).toFixed(0)} MB (VmHWM ${(memory.hwm / MB).toFixed(0)} MB, polled max ${(memory.peakRss / MB).toFixed(0)} MB)\n` +
      `    hub's own peaks (MB): ${
        inner
          ? Object.entries(inner.memoryPeaks as Record<string, number>)
              .map(([k, v]) => `${k} ${(v / MB).toFixed(0)}`)
              .join(", ")
          : "n/a"
      }\n    ${describeCpu(hubCpu)}${summary ? `\n${summary}` : ""}\n` +
      `  totals ${same ? "AGREE" : "DIFFER"}: interest ${settlement.interestAmount} vs ${baseline.interest}, subsidy ${settlement.subsidyAmount} vs ${baseline.subsidy}, accounts ${settlement.accounts} vs ${baseline.accounts}, 积数 ${hubAcc.acc} vs ${baseline.acc}`,
  );
  if (!same) throw new Error("settleInterest and the plain-SQL baseline disagree (see above): no figures reported");
  await pool.query(`DROP TABLE bench_interest_baseline`);

  ctx.details.interest = {
    accounts: n,
    settlementYear: SETTLEMENT_YEAR,
    asOf: AS_OF,
    seeding: { seconds: seedS, workerEntries: entries },
    settlement,
    accumulated: hubAcc.acc,
    postings: Number(hubAcc.postings),
    hubSeconds,
    peakRssBytes: peak,
    vmHwmBytes: memory.hwm,
    polledPeakRssBytes: memory.peakRss,
    idleRssBytes: idle?.rss ?? null,
    hubMemory: inner,
    cpu: hubCpu,
    baseline: { seconds: baseSeconds, rows: base.result.rowCount, cpu: baseCpu, ...baseline },
  };
  const none = "measured, no target (issue 7 gives none)";
  const noise = { hub: hubCpu.otherProcesses, baseline: baseCpu.otherProcesses };
  // The hub settles every account of the database: the other benchmarks' accounts with entries too (so does the baseline).
  const scale = `${(n / 1e6).toFixed(n < 1e6 ? 2 : 0)}M seeded x 12 months, ${settlement.accounts.toLocaleString("en")} settled`;
  return [
    metric({
      bench: "interest",
      metric: `settleInterest total time (${scale})`,
      unit: "s",
      hub: hubSeconds,
      baseline: baseSeconds,
      baselineLabel: "one INSERT ... SELECT of the same 积数",
      target: null,
      lowerIsBetter: true,
      noise,
      note: none,
    }),
    metric({
      bench: "interest",
      metric: "settleInterest accounts/s",
      unit: "/s",
      hub: settlement.accounts / hubSeconds,
      baseline: Number(baseline.accounts) / baseSeconds,
      baselineLabel: "one INSERT ... SELECT of the same 积数",
      target: null,
      noise,
      note: none,
    }),
    metric({
      bench: "interest",
      metric: "settleInterest hub peak RSS",
      unit: "MB",
      hub: peak / MB,
      baseline: idle ? idle.rss / MB : null,
      baselineLabel: "hub idle RSS before the run",
      target: null,
      note: none,
    }),
  ];
}
