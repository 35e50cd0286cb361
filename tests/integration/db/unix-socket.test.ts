// A PostgreSQL on the hub's own machine is reached through its Unix socket (docs/operations.md, decision 060):
// DATABASE_URL=postgresql://user@localhost/db?host=/var/run/postgresql. Every connection of the hub (pool, read
// lanes, the exchange log's writer and chainer, the listeners) must then use the socket, and the hub must work as it
// does over TCP: a deposit posted, the account read back, a bureau's read answered and recorded. Figures by hand.
import { Client } from "pg";

import {
  enrolWorker,
  lastExchangeRecordFor,
  payMonth,
  TAX_DEDUCTIONS,
  type TaxDeductionView,
} from "../../factories/agency-exchange";
import { serverUrl } from "../../helpers/test-database";
import { startTestHub, type TestHub } from "../../helpers/test-hub";

// The socket belongs to a PostgreSQL server; PGlite runs inside the process. CI runs the db project again on
// PostgreSQL (DATABASE_URL), on the same machine as its server, where this file runs.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

jest.setTimeout(60_000);

async function adminQuery<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const admin = new Client({ connectionString: serverUrl() });
  admin.on("error", () => undefined);
  await admin.connect();
  try {
    return (await admin.query<T>(text, values)).rows;
  } finally {
    await admin.end();
  }
}

/** The URL of the same database through the server's socket directory `dir` (the form docs/operations.md gives). */
function throughSocket(tcpUrl: string, dir: string): string {
  const url = new URL(tcpUrl);
  url.hostname = "localhost";
  url.port = "";
  url.searchParams.set("host", dir);
  return url.toString();
}

onPostgres("a hub on a PostgreSQL of the same machine, through its Unix socket", () => {
  let t: TestHub;
  let database: string;

  beforeAll(async () => {
    // The server says where its sockets are (Debian: /var/run/postgresql); the first one is used.
    const [shown] = await adminQuery<{ unix_socket_directories: string }>("SHOW unix_socket_directories");
    const dir = shown!.unix_socket_directories.split(",")[0]!.trim();
    expect(dir).toMatch(/^\//); // a server without a socket directory cannot be reached this way: say so here
    t = await startTestHub({ database: (options) => ({ ...options, url: throughSocket(options.url!, dir) }) });
    database = new URL(t.database.options.url!).pathname.slice(1);
  });

  afterAll(async () => {
    await t?.close();
  });

  it("posts, reads and records over the socket, and opens no TCP connection", async () => {
    const worker = await enrolWorker(t, { enrolledOn: "2026-01-05" });
    await payMonth(t, worker.accountNumber, "2026-01", "1500.00", "2026-01-10");
    await payMonth(t, worker.accountNumber, "2026-02", "1500.00", "2026-02-10");

    const account = await t.gql<{ account: { balance: string; paidMonths: number } }>(
      `query A($n: String!) { account(accountNumber: $n) { balance paidMonths } }`,
      { n: worker.accountNumber },
    );
    expect(account.body.errors).toBeUndefined();
    expect(account.body.data!.account).toEqual({ balance: "3000.00", paidMonths: 2 });

    const tax = await t.gql<{ taxDeductions: TaxDeductionView[] }>(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: [worker.idNumber] },
      { as: "TAX_BUREAU" },
    );
    expect(tax.body.errors).toBeUndefined();
    expect(tax.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "3000.00", deductibleAmount: "3000.00" });
    const record = await lastExchangeRecordFor(t, worker.idNumber);
    expect(record).toMatchObject({ consumerRole: "TAX_BUREAU", subjectCount: 1, outcome: "OK" });

    // The hub's connections to its database, as the server sees them: a socket client has no address and port -1.
    const seen = await adminQuery<{ socket: number; tcp: number }>(
      `SELECT count(*) FILTER (WHERE client_port = -1)::int AS socket, count(*) FILTER (WHERE client_port <> -1)::int AS tcp
         FROM pg_stat_activity WHERE datname = $1`,
      [database],
    );
    expect(seen[0]!.tcp).toBe(0);
    expect(seen[0]!.socket).toBeGreaterThan(0);
  });
});
