// 5. runLoanRepayments over HTTP (CENTER_ADMIN) for `--loans` (100,000) SQL-seeded offset loans, each with one
//    instalment due in the period and a balance that covers it, against a plain-SQL version of the same offset (one
//    statement over copies of the same rows: take min(balance, owed), interest first, move the balances, mark the
//    instalments, write three ledger lines per loan into a scratch table). Both sides are checked after the run.
//    (The loanQuota requests/s pair is not built yet: see docs/decisions/016.)
import { signDevToken } from "../src/auth/token-verifier";
import { type StatementCounts, statementCounts, topUpMonths } from "./deposits.bench";
import { type BenchContext, ENROLLED_ON, type Metric, metric } from "./lib/context";
import { profiled } from "./lib/profile";
import { seedAccountsSql } from "./lib/seed";

const PERIOD = "2024-08";
/** 120,000.00 at 2.6 % over 240 months: payment 641.75 (0.4 × 1,604.36), #1 interest 260.00, principal 381.75. */
const SEED_LOANS = `
  WITH a AS (SELECT id, person_id FROM account WHERE account_number = ANY($1::text[])),
  l AS (
    INSERT INTO loan (loan_number, account_id, person_id, status, amount, annual_rate, term_months, method,
      offset_from_balance, applied_on, monthly_income, house_price, first_home, quota, disbursed_on, level_amount,
      outstanding_principal)
    SELECT '140500LB' || lpad(a.id::text, 12, '0'), a.id, a.person_id, 'DISBURSED', 120000, 0.026, 240,
      'EQUAL_INSTALMENT', true, '2024-07-01', 10000, 500000, true, '{}'::jsonb, '2024-07-05', 641.75, 120000
    FROM a RETURNING id)
  INSERT INTO loan_instalment (loan_id, number, period, principal, interest, status)
  SELECT id, 1, '${PERIOD}', 381.75, 260.00, 'DUE' FROM l`;

const COPY = `
  DROP TABLE IF EXISTS bench_offset_balance, bench_offset_instalment, bench_offset_entry;
  CREATE TABLE bench_offset_balance AS
    SELECT la.id, la.balance FROM loan l JOIN account a ON a.id = l.account_id JOIN ledger_account la ON la.id = a.ledger_account_id
    WHERE l.loan_number LIKE '140500LB%';
  CREATE TABLE bench_offset_instalment AS
    SELECT i.*, a.ledger_account_id FROM loan_instalment i JOIN loan l ON l.id = i.loan_id JOIN account a ON a.id = l.account_id
    WHERE l.loan_number LIKE '140500LB%';
  CREATE TABLE bench_offset_entry (ledger_account_id bigint, loan_id bigint, side char(1), amount numeric(18,2));
  ALTER TABLE bench_offset_balance ADD PRIMARY KEY (id);
  ANALYZE bench_offset_balance, bench_offset_instalment`;

/** The same offset in one statement: take = least(balance, owed), interest first, then principal. */
const PLAIN_OFFSET = `
  WITH due AS (
    SELECT i.loan_id, i.number, i.ledger_account_id, b.balance,
      i.interest - i.paid_interest AS interest_owed, i.principal - i.paid_principal AS principal_owed
    FROM bench_offset_instalment i JOIN bench_offset_balance b ON b.id = i.ledger_account_id
    WHERE i.period <= '${PERIOD}' AND i.status <> 'PAID' AND b.balance > 0),
  take AS (
    SELECT *, least(balance, interest_owed + principal_owed) AS amount,
      least(balance, interest_owed) AS to_interest,
      least(balance, interest_owed + principal_owed) - least(balance, interest_owed) AS to_principal FROM due),
  bal AS (UPDATE bench_offset_balance b SET balance = b.balance - t.amount FROM take t WHERE b.id = t.ledger_account_id RETURNING 1),
  ins AS (UPDATE bench_offset_instalment i SET paid_interest = i.paid_interest + t.to_interest,
      paid_principal = i.paid_principal + t.to_principal,
      status = CASE WHEN t.amount = t.interest_owed + t.principal_owed THEN 'PAID' ELSE i.status END
    FROM take t WHERE i.loan_id = t.loan_id AND i.number = t.number RETURNING 1),
  ent AS (INSERT INTO bench_offset_entry
    SELECT ledger_account_id, loan_id, 'D', amount FROM take
    UNION ALL SELECT NULL, loan_id, 'C', to_principal FROM take WHERE to_principal > 0
    UNION ALL SELECT NULL, loan_id, 'C', to_interest FROM take WHERE to_interest > 0 RETURNING 1)
  SELECT (SELECT count(*) FROM take) AS loans, (SELECT sum(amount) FROM take) AS amount,
    (SELECT count(*) FROM bal) + (SELECT count(*) FROM ins) + (SELECT count(*) FROM ent) AS touched`;

/**
 * The same offset by plain SQL into the REAL tables, with their indexes, constraints, foreign keys and triggers: the
 * writes the hub makes (worker balances, one LOAN_OFFSET posting per loan, its three ledger entries with the worker
 * entry's balance after, the loan_posting link, the loan metric deltas, the instalments paid, the loans' outstanding
 * principal), in one statement. Run in a transaction that is rolled back (the hub then runs on the same rows).
 * Data-modifying CTEs see no one another's rows, so the posting ids are drawn once in `take` (materialised) and the
 * metric deltas are grouped from `take`, not read back from ledger_entry.
 */
const PLAIN_OFFSET_REAL = `
  WITH fund AS (
    SELECT (SELECT id FROM ledger_account WHERE code = 'FUND:LOAN_RECEIVABLE') AS receivable,
      (SELECT id FROM ledger_account WHERE code = 'FUND:LOAN_INTEREST_INCOME') AS income),
  due AS (
    SELECT l.id AS loan_id, i.number, la.id AS ledger_account_id, la.balance, a.county_code,
      coalesce(a.employment_form, 'UNKNOWN') AS employment_form, a.kind,
      i.interest - i.paid_interest AS interest_owed, i.principal - i.paid_principal AS principal_owed
    FROM loan l JOIN account a ON a.id = l.account_id JOIN ledger_account la ON la.id = a.ledger_account_id
      JOIN loan_instalment i ON i.loan_id = l.id AND i.period <= '${PERIOD}' AND i.status <> 'PAID'
    WHERE l.status = 'DISBURSED' AND l.offset_from_balance AND la.balance > 0),
  take AS MATERIALIZED (
    SELECT *, nextval('posting_id_seq') AS posting_id,
      least(balance, interest_owed + principal_owed) AS amount, least(balance, interest_owed) AS to_interest,
      least(balance, interest_owed + principal_owed) - least(balance, interest_owed) AS to_principal FROM due),
  bal AS (UPDATE ledger_account la SET balance = la.balance - t.amount FROM take t
    WHERE la.id = t.ledger_account_id AND la.balance - t.amount >= 0 RETURNING 1),
  pst AS (INSERT INTO posting (id, kind, posted_on, memo)
    SELECT posting_id, 'LOAN_OFFSET', '${PERIOD}-31', '冲还贷 ${PERIOD}' FROM take RETURNING 1),
  ent AS (INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on, balance_after)
    SELECT t.posting_id, x.account, 'LOAN_OFFSET', x.debit, x.credit, '${PERIOD}-31', x.after
    FROM take t CROSS JOIN fund f CROSS JOIN LATERAL (VALUES
      (1, t.ledger_account_id, t.amount, 0, t.balance - t.amount),
      (2, f.receivable, 0, t.to_principal, NULL), (3, f.income, 0, t.to_interest, NULL)) AS x(n, account, debit, credit, after)
    WHERE x.debit > 0 OR x.credit > 0 ORDER BY t.posting_id, x.n RETURNING 1),
  lnk AS (INSERT INTO loan_posting (posting_id, loan_id) SELECT posting_id, loan_id FROM take RETURNING 1),
  met AS (INSERT INTO metric_delta (month, county_code, employment_form, loan_outstanding_delta)
    SELECT '${PERIOD}', county_code, employment_form, coalesce(-sum(to_principal) FILTER (WHERE kind = 'FLEXIBLE'), 0) FROM take
    GROUP BY county_code, employment_form RETURNING 1),
  ins AS (UPDATE loan_instalment i SET paid_interest = i.paid_interest + t.to_interest,
      paid_principal = i.paid_principal + t.to_principal,
      status = CASE WHEN t.amount = t.interest_owed + t.principal_owed THEN 'PAID' ELSE i.status END
    FROM take t WHERE i.loan_id = t.loan_id AND i.number = t.number RETURNING 1),
  lon AS (UPDATE loan l SET outstanding_principal = l.outstanding_principal - t.to_principal FROM take t
    WHERE l.id = t.loan_id AND t.to_principal > 0 RETURNING 1)
  SELECT (SELECT count(*) FROM take) AS loans, (SELECT sum(amount) FROM take) AS amount,
    (SELECT count(*) FROM bal) AS balances, (SELECT count(*) FROM pst) AS postings, (SELECT count(*) FROM ent) AS entries,
    (SELECT count(*) FROM lnk) AS links, (SELECT count(*) FROM met) AS metrics, (SELECT count(*) FROM ins) AS instalments,
    (SELECT count(*) FROM lon) AS loans_moved`;

/** What a run left: LOAN_OFFSET postings and entries, instalments paid, principal still out, the loan-outstanding
 *  metric (deltas plus rollups: the hub's compaction job may fold deltas meanwhile). Both sides must agree. */
const OFFSET_STATE = `
  SELECT (SELECT count(*) FROM posting WHERE kind = 'LOAN_OFFSET') AS postings,
    (SELECT count(*) FROM ledger_entry WHERE kind = 'LOAN_OFFSET') AS entries,
    (SELECT coalesce(sum(debit), 0) FROM ledger_entry WHERE kind = 'LOAN_OFFSET') AS debits,
    (SELECT coalesce(sum(credit), 0) FROM ledger_entry WHERE kind = 'LOAN_OFFSET') AS credits,
    (SELECT count(*) FROM loan_instalment i JOIN loan l ON l.id = i.loan_id
      WHERE l.loan_number LIKE '140500LB%' AND i.status = 'PAID') AS paid,
    (SELECT sum(outstanding_principal) FROM loan WHERE loan_number LIKE '140500LB%') AS outstanding,
    (SELECT count(*) FROM loan_posting) AS links,
    (SELECT coalesce(sum(loan_outstanding_delta), 0) FROM metric_delta)
      + (SELECT coalesce(sum(loan_outstanding_delta), 0) FROM metric_rollup) AS outstanding_delta`;

const RUN = `mutation Run($period: YearMonth!, $key: String!) {
  runLoanRepayments(period: $period, idempotencyKey: $key) { run { offsets offsetAmount due overdue } userErrors { code } } }`;

/** The statements the hub sent over one window, by first words: count and summed wall time, most time first. */
export function statementsTable(before: StatementCounts, after: StatementCounts): string {
  const heads = new Set([...Object.keys(after.byText), ...Object.keys(after.msByText ?? {})]);
  const rows = [...heads]
    .map((h) => ({
      h,
      n: (after.byText[h] ?? 0) - (before.byText[h] ?? 0),
      ms: (after.msByText?.[h] ?? 0) - (before.msByText?.[h] ?? 0),
    }))
    .filter((r) => r.n > 0)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 16)
    .map((r) => `      ${String(r.n).padStart(6)} ${(r.ms / 1000).toFixed(2).padStart(8)} s  ${r.h}`);
  return `    statements: ${after.total - before.total} (transactions ${after.transactions - before.transactions}), by statement (count, summed wall time):\n${rows.join("\n")}`;
}

export async function loansBench(ctx: BenchContext): Promise<Metric[]> {
  const { opts, pool } = ctx;
  const n = opts.loans;
  const t0 = Date.now();
  const accounts = await seedAccountsSql(pool, {
    area: "140535", // its own area (bench/lib/seed.ts claimArea: person.id_number is unique)
    count: n,
    enrolledOn: ENROLLED_ON,
    monthlyAmount: "1000.00",
    channel: "ACTIVE_PAYMENT",
  });
  await topUpMonths(pool, accounts, 12);
  await pool.query(SEED_LOANS, [accounts]);
  await pool.query("ANALYZE");
  ctx.log(`  ${n} offset loans seeded with 12 paid months each in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const expectedAmount = (641.75 * n).toFixed(2);
  const check = (what: string, loans: string, amount: string) => {
    if (Number(loans) !== n || Number(amount).toFixed(2) !== expectedAmount)
      throw new Error(`${what} took ${loans} loans / ${amount}, expected ${n} / ${expectedAmount}`);
  };

  // Baseline 1: the plain-SQL offset into the real tables, in a transaction rolled back (the hub's rows stay as seeded).
  const client = await pool.connect();
  let realS: number;
  let baselineState: Record<string, string>;
  try {
    await client.query("BEGIN");
    const r0 = process.hrtime.bigint();
    const { rows: real } = await client.query<Record<string, string>>(PLAIN_OFFSET_REAL);
    realS = Number(process.hrtime.bigint() - r0) / 1e9;
    const w = real[0]!;
    check("plain SQL offset (real tables)", w.loans!, w.amount!);
    for (const [k, want] of Object.entries({
      balances: n,
      postings: n,
      entries: 3 * n,
      links: n,
      instalments: n,
      loans_moved: n,
    }))
      if (Number(w[k]) !== want) throw new Error(`plain SQL offset (real tables) wrote ${w[k]} ${k}, expected ${want}`);
    baselineState = (await client.query<Record<string, string>>(OFFSET_STATE)).rows[0]!;
  } finally {
    await client.query("ROLLBACK");
    client.release();
  }
  await pool.query(
    "VACUUM ANALYZE ledger_account, posting, ledger_entry, loan_posting, metric_delta, loan_instalment, loan",
  );

  // Baseline 2 (the first one, decision 022): one statement over unindexed scratch copies (no postings, no links, no
  // metrics; the ledger lines into a table with no index).
  await pool.query(COPY);
  const b0 = process.hrtime.bigint();
  const { rows } = await pool.query<{ loans: string; amount: string }>(PLAIN_OFFSET);
  const baselineS = Number(process.hrtime.bigint() - b0) / 1e9;
  check("plain SQL offset (scratch tables)", rows[0]!.loans, rows[0]!.amount);

  const hub = await ctx.hub();
  const admin = await signDevToken(
    ctx.hubEnv.BENCH_JWT_SECRET!,
    { role: "CENTER_ADMIN", sub: "bench-admin", org: "140500" },
    "4h",
  );
  const before = await statementCounts(hub);
  const { result: measured, summary } = await profiled(opts.profile, hub, `${ctx.runTag}-loans-hub`, () =>
    ctx.measure(hub.pid, [], async () => {
      const h0 = process.hrtime.bigint();
      const res = await fetch(`${hub.info.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query: RUN, variables: { period: PERIOD, key: `bench-loan-run-${ctx.runTag}` } }),
        signal: AbortSignal.timeout(3_600_000),
      });
      const body = (await res.json()) as {
        data?: { runLoanRepayments: { run: { offsets: number; offsetAmount: string } | null } };
      };
      return {
        seconds: Number(process.hrtime.bigint() - h0) / 1e9,
        run: body.data?.runLoanRepayments.run ?? null,
        body,
      };
    }),
  );
  const { result, cpu } = measured;
  const after = await statementCounts(hub);
  if (before && after) ctx.log(statementsTable(before, after));
  if (summary) ctx.log(summary);
  if (!result.run || result.run.offsets !== n || result.run.offsetAmount !== expectedAmount)
    throw new Error(`runLoanRepayments answered ${JSON.stringify(result.body).slice(0, 300)}`);
  // both sides moved the same: the hub's run left exactly what the real-tables baseline left before its rollback
  const hubState = (await pool.query<Record<string, string>>(OFFSET_STATE)).rows[0]!;
  if (JSON.stringify(hubState) !== JSON.stringify(baselineState))
    throw new Error(
      `hub and plain SQL differ: hub ${JSON.stringify(hubState)}, plain SQL ${JSON.stringify(baselineState)}`,
    );
  ctx.details.loans = {
    loans: n,
    hubSeconds: result.seconds,
    baselineRealSeconds: realS,
    baselineSeconds: baselineS,
    hubCpu: cpu,
  };
  ctx.log(
    `  runLoanRepayments: ${result.seconds.toFixed(1)} s; plain SQL offset into the real tables: ${realS.toFixed(1)} s; ` +
      `into scratch tables: ${baselineS.toFixed(1)} s`,
  );
  return [
    metric({
      bench: "loans",
      metric: `runLoanRepayments, ${n} offset loans (vs the real tables)`,
      unit: "s",
      hub: result.seconds,
      baseline: realS,
      baselineLabel: "one plain-SQL statement, same writes into the real tables (rolled back)",
      target: null,
      lowerIsBetter: true,
    }),
    metric({
      bench: "loans",
      metric: `runLoanRepayments, ${n} offset loans (vs scratch tables)`,
      unit: "s",
      hub: result.seconds,
      baseline: baselineS,
      baselineLabel: "one plain-SQL statement over unindexed scratch copies",
      target: null,
      lowerIsBetter: true,
    }),
  ];
}
