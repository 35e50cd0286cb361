// Baseline of the peer bench (bench/peer.bench.ts): a bare node:http server answering the three reads with one
// SQL statement each through a pg Pool, already in the canonical shape the bench compares (no GraphQL, no auth).
//   GET /flat/<accountNumber>     account, flat fields (number, ID number, name, kind, status, county, opened, balance)
//   GET /entries/<accountNumber>  the same and its 12 latest ledger entries (newest first)
//   GET /row/<accountNumber>      one row of one table (account number and status)
import { runBareServer } from "./lib/bare-server";

const FLAT = `a.account_number AS "accountNumber", p.id_number AS "idNumber", p.name, a.kind, a.status,
  a.county_code AS "countyCode", a.opened_on::text AS "openedOn", la.balance::text AS balance`;

export const PEER_BASELINE_SQL = {
  flat: `SELECT ${FLAT} FROM account a JOIN person p ON p.id = a.person_id
         JOIN ledger_account la ON la.id = a.ledger_account_id WHERE a.account_number = $1`,
  entries: `SELECT ${FLAT},
    (SELECT coalesce(json_agg(e ORDER BY e.n DESC), '[]'::json) FROM (
       SELECT le.id AS n, le.id::text AS id, le.posted_on::text AS "postedOn", le.kind,
              (le.credit - le.debit)::text AS amount, le.period, coalesce(le.balance_after, 0)::text AS "balanceAfter"
       FROM ledger_entry le WHERE le.ledger_account_id = la.id ORDER BY le.id DESC LIMIT 12) e) AS entries
    FROM account a JOIN person p ON p.id = a.person_id
    JOIN ledger_account la ON la.id = a.ledger_account_id WHERE a.account_number = $1`,
  row: `SELECT account_number AS "accountNumber", status FROM account WHERE account_number = $1`,
} as const;

runBareServer("peer baseline", (pool) => ({
  pattern: /^\/(flat|entries|row)\/([0-9]{1,32})$/,
  async answer(m) {
    const result = await pool.query(PEER_BASELINE_SQL[m[1] as keyof typeof PEER_BASELINE_SQL], [m[2]]);
    const row = result.rows[0] as Record<string, unknown> | undefined;
    if (row && Array.isArray(row.entries))
      row.entries = (row.entries as Record<string, unknown>[]).map(({ n: _n, ...e }) => e);
    return { data: { account: row ?? null } };
  },
}));
