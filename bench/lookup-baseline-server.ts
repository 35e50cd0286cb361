// Baseline for `account` lookups: a bare node:http server that runs the same SQL as
// src/services/accounts/account-view.ts (copied) through a pg Pool and answers JSON. No GraphQL, no auth,
// no Prisma: the floor for "one indexed query per request over HTTP" on this machine.
// GET /account/<accountNumber>  ->  200 {"data":{"account":{...}}}
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Pool } from "pg";

import { depositHistory } from "../src/domain/deposits/deposit-history";

// Copied from account-view.ts (SELECT ... WHERE a.account_number = ANY($1::text[])).
export const ACCOUNT_VIEW_SQL = `
  SELECT a.account_number, p.id_number, p.name, a.kind, a.status, a.county_code, a.employment_form, a.opened_on,
         la.balance, a.transferred_in_months,
         (SELECT array_agg(dm.period::text) FROM deposit_month dm WHERE dm.account_id = a.id) AS periods,
         (SELECT dp.monthly_amount FROM deposit_plan dp WHERE dp.account_id = a.id
           ORDER BY dp.effective_from DESC, dp.id DESC LIMIT 1) AS monthly_amount
  FROM account a
  JOIN person p ON p.id = a.person_id
  JOIN ledger_account la ON la.id = a.ledger_account_id
  WHERE a.account_number = ANY($1::text[])`;

interface Row {
  account_number: string;
  id_number: string;
  name: string;
  kind: string;
  status: string;
  county_code: string;
  employment_form: string | null;
  opened_on: string;
  balance: string;
  transferred_in_months: number;
  periods: string[] | null;
  monthly_amount: string | null;
}

async function main(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  if (!url) throw new Error("BENCH_HUB_DATABASE_URL is required");
  const pool = new Pool({ connectionString: url, max: Number(process.env.BENCH_HUB_POOL ?? 20) });
  const server = createServer((req, res) => {
    const m = /^\/account\/([0-9]{1,32})$/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    pool.query<Row>(ACCOUNT_VIEW_SQL, [[m[1]]]).then(
      (result) => {
        const row = result.rows[0];
        const account = row
          ? (() => {
              const h = depositHistory(row.periods ?? [], row.transferred_in_months);
              return {
                accountNumber: row.account_number,
                idNumber: row.id_number,
                name: row.name,
                kind: row.kind,
                status: row.status,
                countyCode: row.county_code,
                employmentForm: row.employment_form,
                openedOn: row.opened_on,
                balance: row.balance,
                paidMonths: h.paidMonths,
                consecutiveMonths: h.consecutiveMonths,
                paidUpTo: h.paidUpTo,
                monthlyAmount: row.monthly_amount,
              };
            })()
          : null;
        const text = JSON.stringify({ data: { account } });
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
    `${JSON.stringify({ ready: true, url: `http://127.0.0.1:${address.port}`, pid: process.pid })}\n`,
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
  process.stderr.write(`lookup baseline failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
