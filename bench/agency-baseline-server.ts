// Baseline for `rentalEligibility` of one person: a bare node:http server that runs the same SQL as
// src/services/housing/rental-eligibility.ts (copied) through a pg Pool, applies the same rule with the catalog's
// default housing parameters, and answers JSON. No GraphQL, no auth, no Prisma, no exchange log.
// GET /rental/<idNumber>?asOf=YYYY-MM-DD  ->  200 {"data":{"rentalEligibility":[{...}]}}
import { monthOf } from "../src/domain/calendar/calendar";
import { type HousingParameters, rentalEligibility } from "../src/domain/housing/rental-eligibility.rule";
import { runBareServer } from "./lib/bare-server";

// Copied from rental-eligibility.ts (one statement whatever the number of persons; $1 ids, $2 asOf, $3 month of asOf).
export const RENTAL_ELIGIBILITY_SQL = `
    SELECT DISTINCT ON (p.id) p.id_number::text AS id_number, a.kind, a.status, to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on,
           plan.deposit_day, paid.periods, paid.paid_on, ban.ban_kinds, ban.ban_from, ban.ban_until
      FROM person p
      JOIN account a ON a.person_id = p.id
      LEFT JOIN LATERAL (
        SELECT dp.deposit_day FROM deposit_plan dp
         WHERE dp.account_id = a.id AND dp.effective_from <= $2::date
         ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) plan ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(dm.period::text ORDER BY dm.period) AS periods,
               array_agg(to_char(dm.paid_on, 'YYYY-MM-DD') ORDER BY dm.period) AS paid_on
          FROM deposit_month dm
         WHERE dm.account_id = a.id AND dm.period <= $3::bpchar AND dm.paid_on <= $2::date) paid ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(b.kind) AS ban_kinds, array_agg(to_char(b.decided_on, 'YYYY-MM-DD')) AS ban_from,
               array_agg(to_char(b.until, 'YYYY-MM-DD')) AS ban_until
          FROM fraud_ban b
         WHERE b.person_id = p.id AND b.decided_on <= $2::date AND b.until > $2::date) ban ON true
     WHERE p.id_number = ANY($1::bpchar[])
     ORDER BY p.id, (a.status = 'ACTIVE') DESC, a.id DESC`;

/** The catalog defaults (src/domain/policy/parameter-catalog.ts), in force from the pilot's start. */
const PARAMS: HousingParameters = {
  priorityMinConsecutiveMonths: 6,
  depositWaiverMinConsecutiveMonths: 12,
  noUnpaidInLastMonths: 3,
};

interface Row {
  id_number: string;
  kind: string;
  status: string;
  opened_on: string;
  deposit_day: number | null;
  periods: string[] | null;
  paid_on: string[] | null;
  ban_kinds: string[] | null;
  ban_from: string[] | null;
  ban_until: string[] | null;
}

runBareServer("agency baseline", (pool) => ({
  pattern: /^\/rental\/([0-9]{17}[0-9X])\?asOf=(\d{4}-\d{2}-\d{2})$/,
  async answer(m) {
    const idNumber = m[1]!;
    const asOf = m[2]!;
    const row = (await pool.query<Row>(RENTAL_ELIGIBILITY_SQL, [[idNumber], asOf, monthOf(asOf)])).rows[0];
    const paidOn = row?.paid_on ?? [];
    const facts = row
      ? {
          kind: row.kind,
          status: row.status,
          openedOn: row.opened_on,
          depositDay: row.deposit_day,
          paidMonths: (row.periods ?? []).map((period, i) => ({ period, paidOn: paidOn[i]! })),
          bans: (row.ban_kinds ?? []).map((kind, i) => ({
            kind,
            decidedOn: row.ban_from![i]!,
            until: row.ban_until![i]!,
          })),
        }
      : null;
    return { data: { rentalEligibility: [{ idNumber, ...rentalEligibility(facts, asOf, PARAMS) }] } };
  },
}));
