// HUB_DB_REPLICA_URL (decision 057): the agency bureaus' reads (taxDeductions, rentalEligibility) are answered by a
// read-only copy of the database, while writes, exchange records and the center's reads stay on the primary. The
// "replica" here is a copy of the primary taken at one moment (CREATE DATABASE ... TEMPLATE), so it lags from then
// on exactly as a streaming replica may: a deposit recorded on the primary afterwards is in the center's answer and
// not yet in the agencies'. Figures by hand: 1,000.00 a month, each far under the 2026 monthly cap of 5,803.92.
import { signDevToken } from "../../../src/auth/token-verifier";
import { openDatabase } from "../../../src/db/database";
import {
  enrolWorker,
  payMonth,
  RENTAL_ELIGIBILITY,
  type RentalEligibilityView,
  TAX_DEDUCTIONS,
  type TaxDeductionView,
  type Worker,
} from "../../factories/agency-exchange";
import { killHubs, spawnHub } from "../../helpers/hub-process";
import { serverUrl, testClient } from "../../helpers/test-database";
import { type GqlResponse, startTestHub, TEST_SECRET, type TestHub } from "../../helpers/test-hub";

// A replica is a second PostgreSQL database: PGlite is one in-process database. CI runs the db project again on
// PostgreSQL (DATABASE_URL), where this file runs.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

// One hub process's cold start (SWC compiling src/) takes 10-40 s on a 2-core machine (multi-process.test.ts).
jest.setTimeout(120_000);

const ACCOUNT = `query A($n: String!) { account(accountNumber: $n) { balance paidMonths } }`;
/** Nothing listens on port 1: the replica is down. */
const DOWN_REPLICA = "postgresql://postgres@127.0.0.1:1/replica_down";

it("refuses a replica beside PGlite: it has no primary to be a copy of", async () => {
  await expect(openDatabase({ dataDir: "memory://", replicaUrl: "postgresql://127.0.0.1/x" })).rejects.toThrow(
    /PostgreSQL primary/,
  );
});

async function sqlOn<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []) {
  const c = testClient(url);
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** The URL of database `name` on the test server. */
function urlOf(name: string): string {
  const url = new URL(serverUrl()!);
  url.pathname = `/${name}`;
  return url.toString();
}

onPostgres("agency reads on a replica", () => {
  let seeder: TestHub; // writes the history, then closes so that its database can be copied
  let hub: TestHub; // the hub under test: the seeder's database as primary, the copy as replica
  let primaryUrl: string;
  let replicaName: string;
  let worker: Worker;

  beforeAll(async () => {
    seeder = await startTestHub();
    primaryUrl = seeder.database.options.url!;
    worker = await enrolWorker(seeder, { enrolledOn: "2026-01-05" });
    for (const m of ["01", "02", "03", "04", "05"])
      await payMonth(seeder, worker.accountNumber, `2026-${m}`, "1000.00", `2026-${m}-10`);
    await seeder.hub.close(2000);
    // A template must have no other session: the seeder's pool may still be ending its connections.
    const primaryName = new URL(primaryUrl).pathname.slice(1);
    replicaName = `${primaryName}_replica`;
    for (let attempt = 0; ; attempt++) {
      try {
        await sqlOn(serverUrl()!, `CREATE DATABASE "${replicaName}" TEMPLATE "${primaryName}"`);
        break;
      } catch (e) {
        if (attempt >= 200 || !/being accessed by other users/.test(String(e))) throw e;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    hub = await startTestHub({ database: () => ({ url: primaryUrl, replicaUrl: urlOf(replicaName), poolSize: 20 }) });
    // After the copy: on the primary only, paid early for June (before asOf 2026-06-05 below).
    await payMonth(hub, worker.accountNumber, "2026-06", "1000.00", "2026-06-03");
  });

  afterAll(async () => {
    await hub?.close(); // drops the database startTestHub made for it, unused
    await seeder?.national.close();
    await seeder?.finance.close();
    await seeder?.credit.close();
    await seeder?.database.drop(); // the primary
    await sqlOn(serverUrl()!, `DROP DATABASE IF EXISTS "${replicaName}" WITH (FORCE)`);
  });

  it("answers taxDeductions from the replica and writes the read's exchange record on the primary", async () => {
    const res = await hub.gql<{ taxDeductions: TaxDeductionView[] }>(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: [worker.idNumber] },
      { as: "TAX_BUREAU" },
    );
    expect(res.body.errors).toBeUndefined();
    // The replica's five months; the primary holds six (6,000.00).
    expect(res.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "5000.00", deductibleAmount: "5000.00" });
    expect(res.body.data!.taxDeductions[0]!.months.map((m) => m.period)).toEqual([
      "2026-01",
      "2026-02",
      "2026-03",
      "2026-04",
      "2026-05",
    ]);
    const recordsIn = (url: string) =>
      sqlOn<{ consumer_role: string; subject_count: number }>(
        url,
        "SELECT consumer_role, subject_count FROM exchange_record WHERE request_id = $1",
        [res.requestId],
      );
    expect(await recordsIn(primaryUrl)).toEqual([{ consumer_role: "TAX_BUREAU", subject_count: 1 }]);
    expect(await recordsIn(urlOf(replicaName))).toEqual([]);
  });

  it("answers rentalEligibility from the replica", async () => {
    const res = await hub.gql<{ rentalEligibility: RentalEligibilityView[] }>(
      RENTAL_ELIGIBILITY,
      { idNumbers: [worker.idNumber], asOf: "2026-06-05" },
      { as: "HOUSING_BUREAU" },
    );
    expect(res.body.errors).toBeUndefined();
    // June is not due yet on 06-05 (deposit day 10), so the count starts in May: five months on the replica, short
    // of the six priority needs; the primary's early June payment would make it six and eligible.
    expect(res.body.data!.rentalEligibility[0]).toMatchObject({ consecutiveMonths: 5, priorityEligible: false });
  });

  it("keeps the center's reads on the primary: staff see the deposit they just recorded", async () => {
    const res = await hub.gql<{ account: { balance: string; paidMonths: number } }>(ACCOUNT, {
      n: worker.accountNumber,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.account).toEqual({ balance: "6000.00", paidMonths: 6 });
  });

  it("shows the replica's pool to the operator on /metrics", async () => {
    const res = await fetch(`${hub.url}/metrics`, {
      headers: { authorization: `Bearer ${await hub.token("CENTER_ADMIN")}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('hub_db_replica_pool_connections{state="max"} 20');
    expect(text).toMatch(/^hub_db_replica_pool_connections\{state="waiting"\} 0$/m);
  });

  it("fails agency reads with a typed, retryable error while the replica is down, and nothing else", async () => {
    // A real hub process, configured as an operator configures one: the refused connection's error is made by Node
    // itself, outside jest's module sandbox, and only a separate process sees it as production does.
    const cut = await spawnHub({
      DATABASE_URL: primaryUrl,
      HUB_DB_REPLICA_URL: DOWN_REPLICA,
      NODE_ENV: "development",
      HUB_DEMO_DATA: "0",
      HUB_JWT_SECRET: TEST_SECRET,
      HUB_LOG_LEVEL: "silent",
      HUB_DB_POOL_SIZE: "4",
      HUB_NATIONAL_URL: seeder.national.url,
      HUB_FINANCE_URL: seeder.finance.url,
      HUB_CREDIT_URL: seeder.credit.url,
    });
    const ask = async <T>(
      query: string,
      variables: Record<string, unknown>,
      role: "TAX_BUREAU" | "CENTER_OPERATOR",
    ) => {
      const token = await signDevToken(TEST_SECRET, { role, sub: "replica-test", org: "test-org", purpose: "测试" });
      const res = await fetch(`${cut.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return { requestId: res.headers.get("x-request-id")!, body: (await res.json()) as GqlResponse<T>["body"] };
    };
    try {
      const tax = await ask(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: [worker.idNumber] }, "TAX_BUREAU");
      expect(tax.body.data ?? null).toBeNull();
      expect(tax.body.errors!.map((e) => e.extensions)).toEqual([
        { code: "CONNECTOR_UNAVAILABLE", connector: "database" },
      ]);
      // The record went ahead of the read (outcome OK), and the failed answer's record follows it.
      const records = await sqlOn<{ outcome: string }>(
        primaryUrl,
        "SELECT outcome FROM exchange_record WHERE request_id = $1 ORDER BY id",
        [tax.requestId],
      );
      expect(records.map((r) => r.outcome)).toEqual(["OK", "ERROR"]);
      const account = await ask<{ account: { balance: string } }>(
        ACCOUNT,
        { n: worker.accountNumber },
        "CENTER_OPERATOR",
      );
      expect(account.body.data!.account.balance).toBe("6000.00");
    } finally {
      await killHubs([cut]);
    }
  });
});
