// Baseline of the peer bench (bench/peer.bench.ts): a bare node:http server answering the three reads with one
// SQL statement each through a pg Pool, already in the canonical shape the bench compares (no GraphQL, no auth).
//   GET /flat/<accountNumber>     account, flat fields (number, ID number, name, kind, status, county, opened, balance)
//   GET /entries/<accountNumber>  the same and its 12 latest ledger entries (newest first)
//   GET /row/<accountNumber>      one row of one table (account number and status)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Pool } from "pg";

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

async function main(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  if (!url) throw new Error("BENCH_HUB_DATABASE_URL is required");
  const pool = new Pool({ connectionString: url, max: Number(process.env.BENCH_HUB_POOL ?? 20) });
  const server = createServer((req, res) => {
    const m = /^\/(flat|entries|row)\/([0-9]{1,32})$/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    pool.query(PEER_BASELINE_SQL[m[1] as keyof typeof PEER_BASELINE_SQL], [m[2]]).then(
      (result) => {
        const row = result.rows[0] as Record<string, unknown> | undefined;
        if (row && Array.isArray(row.entries))
          row.entries = (row.entries as Record<string, unknown>[]).map(({ n: _n, ...e }) => e);
        const text = JSON.stringify({ data: { account: row ?? null } });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      },
      (e: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String((e as Error).message));
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: `http://127.0.0.1:${address.port}`, pid: process.pid, node: process.version })}\n`,
  );
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    pool.end().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`peer baseline failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
