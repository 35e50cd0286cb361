// Baseline for `loanQuota`: a bare node:http server that runs the same SQL as src/services/loans/loan-quota.ts
// (copied), asks the same credit reference simulator for the report over HTTP (as the hub's credit connector does),
// takes the policy parameters in force on asOf from the policy_parameter table (held in memory, as the hub's policy
// service does) and applies the same rule code (loanQuota, monthsPaidAsOf, stabilityAsOf, actionBanned). No GraphQL,
// no auth, no Prisma, no exchange log, no circuit breaker.
// GET /quota/<accountNumber>?asOf=YYYY-MM-DD&income=..&price=..&term=..&first=true|false
//   -> 200 {"data":{"loanQuota":{eligible, quota, reasons, factors}}}
import { AccountStatus } from "../src/domain/accounts/account-vocabulary";
import { monthsPaidAsOf, stabilityAsOf } from "../src/domain/deposits/deposit-history";
import { loanQuota } from "../src/domain/loans/loan-quota.rule";
import { formatMoney, toMoney } from "../src/domain/money/money";
import { actionBanned } from "../src/domain/risk/fraud-ban.rule";
import { loanQuotaParameters } from "../src/services/loans/loan-parameters";
import { type ParameterRow, ParametersOn } from "../src/services/policy/policy-parameters.service";
import { runBareServer } from "./lib/bare-server";

// Copied from loan-quota.ts readFacts ($1 account number, $2 asOf).
export const LOAN_QUOTA_SQL = `
    SELECT p.id_number::text AS id_number, a.status, to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on,
           a.transferred_in_months,
           (SELECT COALESCE(SUM(e.credit - e.debit), 0) FROM ledger_entry e
             WHERE e.ledger_account_id = a.ledger_account_id AND e.posted_on <= $2::date) AS balance,
           paid.periods, paid.paid_on, ban.ban_kinds, ban.ban_from, ban.ban_until
      FROM account a
      JOIN person p ON p.id = a.person_id
      LEFT JOIN LATERAL (
        SELECT array_agg(dm.period::text ORDER BY dm.period) AS periods,
               array_agg(to_char(dm.paid_on, 'YYYY-MM-DD') ORDER BY dm.period) AS paid_on
          FROM deposit_month dm
         WHERE dm.account_id = a.id AND dm.paid_on <= $2::date) paid ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(b.kind) AS ban_kinds, array_agg(to_char(b.decided_on, 'YYYY-MM-DD')) AS ban_from,
               array_agg(to_char(b.until, 'YYYY-MM-DD')) AS ban_until
          FROM fraud_ban b
         WHERE b.person_id = a.person_id AND b.decided_on <= $2::date AND b.until > $2::date) ban ON true
     WHERE a.account_number = $1`;

interface Row {
  id_number: string;
  status: string;
  opened_on: string;
  transferred_in_months: number;
  balance: string;
  periods: string[] | null;
  paid_on: string[] | null;
  ban_kinds: string[] | null;
  ban_from: string[] | null;
  ban_until: string[] | null;
}

runBareServer(
  "loan quota baseline",
  async (pool, env) => {
    const creditUrl = env.BENCH_CREDIT_URL!;
    const { rows: params } = await pool.query<{ key: string; value: string; unit: string | null; from: string }>(
      `SELECT key, value, unit, to_char(effective_from, 'YYYY-MM-DD') AS from FROM policy_parameter
       ORDER BY key, effective_from, id`,
    );
    const paramsOn = new Map<string, ParametersOn>();
    const parametersOn = (date: string): ParametersOn => {
      let found = paramsOn.get(date);
      if (!found) {
        const inForce = new Map<string, ParameterRow>();
        for (const r of params)
          if (r.from <= date)
            inForce.set(r.key, {
              key: r.key,
              value: r.value,
              unit: r.unit,
              effectiveFrom: r.from,
              source: null,
              recordedAt: new Date(0),
            });
        found = new ParametersOn(date, inForce);
        paramsOn.set(date, found);
      }
      return found;
    };
    const creditReport = async (idNumber: string) => {
      const res = await fetch(`${creditUrl}/v1/credit/report`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ idNumber, purpose: "HPF_LOAN" }),
      });
      if (res.status !== 200) throw new Error(`credit answered ${res.status}`);
      return (await res.json()) as { level: "CLEAN" | "MINOR_OVERDUE" | "SERIOUS"; dishonestList: boolean };
    };
    const answer = async (accountNumber: string, q: URLSearchParams) => {
      const asOf = q.get("asOf")!;
      const { rows } = await pool.query<Row>(LOAN_QUOTA_SQL, [accountNumber, asOf]);
      const row = rows[0];
      if (!row) return null;
      const report = await creditReport(row.id_number);
      const paidOn = row.paid_on ?? [];
      const months = (row.periods ?? []).map((period, i) => ({ period, paidOn: paidOn[i]! }));
      const bans = (row.ban_kinds ?? []).map((kind, i) => ({
        kind,
        decidedOn: row.ban_from![i]!,
        until: row.ban_until![i]!,
      }));
      const quota = loanQuota(
        {
          idNumber: row.id_number,
          balance: toMoney(row.balance),
          paidMonths: monthsPaidAsOf(months, asOf).size + row.transferred_in_months,
          stability: stabilityAsOf(months, asOf, row.opened_on),
          credit: { level: report.level, dishonestList: report.dishonestList },
          fraudBanInForce: actionBanned(bans, "BORROW", asOf),
          accountActive: row.status === AccountStatus.ACTIVE,
        },
        {
          asOf,
          monthlyIncome: toMoney(q.get("income")!),
          housePrice: toMoney(q.get("price")!),
          termYears: Number(q.get("term")),
          firstHome: q.get("first") !== "false",
        },
        loanQuotaParameters(parametersOn(asOf)),
      );
      return {
        eligible: quota.eligible,
        quota: formatMoney(quota.quota),
        reasons: quota.reasons,
        factors: quota.factors.map((f) => ({ name: f.name, value: f.value, explanation: f.explanation })),
      };
    };
    return {
      pattern: /^\/quota\/([0-9A-Za-z]{1,32})\?(.*)$/,
      async answer(m) {
        const quota = await answer(m[1]!, new URLSearchParams(m[2]!));
        return quota ? { data: { loanQuota: quota } } : { errors: [{ message: "NOT_FOUND" }] };
      },
    };
  },
  ["BENCH_CREDIT_URL"],
);
