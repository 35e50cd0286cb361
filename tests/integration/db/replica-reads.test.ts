// HUB_DB_REPLICA_URL (decision 057): the agency bureaus' reads (taxDeductions, rentalEligibility) are answered by a
// read-only copy of the database, while writes, exchange records and the center's reads stay on the primary. The
// "replica" here is a copy of the primary taken at one moment (CREATE DATABASE ... TEMPLATE), so it lags from then
// on exactly as a streaming replica may: a deposit recorded on the primary afterwards is in the center's answer and
// not yet in the agencies'. Figures by hand: 1,000.00 a month, each far under the 2026 monthly cap of 5,803.92.
// Decision 058: the replica answers only while it answers and its lag is shown within HUB_DB_REPLICA_MAX_LAG_MS (a
// heartbeat the hub writes on the primary and reads back from the replica); otherwise the primary does. The main hub
// here runs without a bound (0), as an operator who accepts any lag would; the copy is then read however old it is.
import pino from "pino";

import type { Hub } from "../../../src/app";
import { signDevToken } from "../../../src/auth/token-verifier";
import { openDatabase } from "../../../src/db/database";
import type { ReplicaState } from "../../../src/db/replica-guard";
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

interface LogLine {
  level: number;
  msg: string;
  replica?: { condition: string; problem?: string };
}

/** A logger whose lines (info and above) are kept in `lines`. */
function keptLogger(lines: LogLine[]) {
  return pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
}

/** What the hub told the operator about where the agency reads go: [level, message]. */
const toldOf = (lines: LogLine[]) =>
  lines.filter((l) => /^agency reads go to/.test(l.msg)).map((l) => [l.level, l.msg]);

/** Waits for the hub's replica probes (events, not a clock) until `done` holds for the replica's state. */
async function untilReplica(hub: Hub, done: (state: ReplicaState) => boolean): Promise<ReplicaState> {
  const guard = hub.db.replica!;
  let state = guard.state();
  while (!done(state)) state = await guard.nextProbe();
  return state;
}

async function metricsOf(hub: TestHub): Promise<string> {
  const res = await fetch(`${hub.url}/metrics`, {
    headers: { authorization: `Bearer ${await hub.token("CENTER_ADMIN")}` },
  });
  expect(res.status).toBe(200);
  return res.text();
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
  const hubLog: LogLine[] = [];

  /** The worker's 2026 tax deduction, asked of `h` by the tax bureau. */
  const askTax = (h: TestHub) =>
    h.gql<{ taxDeductions: TaxDeductionView[] }>(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: [worker.idNumber] },
      { as: "TAX_BUREAU" },
    );
  /** The outcomes of a request's exchange records on the primary, in order. */
  const outcomesOf = async (requestId: string) =>
    (
      await sqlOn<{ outcome: string }>(
        primaryUrl,
        "SELECT outcome FROM exchange_record WHERE request_id = $1 ORDER BY id",
        [requestId],
      )
    ).map((r) => r.outcome);

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
    hub = await startTestHub({
      logger: keptLogger(hubLog),
      database: () => ({
        url: primaryUrl,
        replicaUrl: urlOf(replicaName),
        poolSize: 20,
        replicaGuard: { maxLagMs: 0 },
      }),
    });
    await untilReplica(hub.hub, (s) => s.inUse);
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
    const res = await askTax(hub);
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

  it("shows the replica's pool, whether it is in use and where the agency reads went on /metrics", async () => {
    const text = await metricsOf(hub);
    expect(text).toContain('hub_db_replica_pool_connections{state="max"} 20');
    expect(text).toMatch(/^hub_db_replica_pool_connections\{state="waiting"\} 0$/m);
    expect(text).toMatch(/^hub_db_replica_in_use 1$/m);
    // The two reads above (tax, rental); none went to the primary.
    expect(text).toMatch(/^hub_db_agency_reads_total\{server="replica"\} 2$/m);
    expect(text).toMatch(/^hub_db_agency_reads_total\{server="primary"\} 0$/m);
    expect(text).toMatch(/^hub_db_replica_fallbacks_total 0$/m);
  });

  it("sends a read the replica cancels for a conflict with recovery (40001) to the primary", async () => {
    // On the copy, reading `person` now fails as a hot standby's query does when replay must remove rows it may still
    // need (SQLSTATE 40001, PostgreSQL's own message), inside the server, through the real driver and lanes.
    const replicaUrl = urlOf(replicaName);
    await sqlOn(
      replicaUrl,
      `CREATE FUNCTION conflict_with_recovery() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN
         RAISE EXCEPTION 'canceling statement due to conflict with recovery' USING ERRCODE = '40001',
           DETAIL = 'User query might have needed to see row versions that must be removed.'; END $$;
       ALTER TABLE person RENAME TO person_kept;
       CREATE VIEW person AS SELECT * FROM person_kept WHERE conflict_with_recovery();`,
    );
    try {
      const res = await askTax(hub);
      expect(res.body.errors).toBeUndefined();
      // The primary's six months.
      expect(res.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "6000.00", deductibleAmount: "6000.00" });
      expect(await outcomesOf(res.requestId)).toEqual(["OK"]);
      expect(hub.hub.db.replica!.state().reads).toEqual({ replica: 2, primary: 1, fellBack: 1 });
      // Told at the failure (the next probe may already have put the replica back).
      expect(toldOf(hubLog).slice(-1)).toEqual([[40, "agency reads go to the primary (replica failed-read)"]]);
    } finally {
      await sqlOn(
        replicaUrl,
        `DROP VIEW person; ALTER TABLE person_kept RENAME TO person; DROP FUNCTION conflict_with_recovery();`,
      );
    }
    // The next probe finds the replica answering, and it takes the agency reads again.
    await untilReplica(hub.hub, (s) => s.inUse);
    const again = await askTax(hub);
    expect(again.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "5000.00" });
  });

  it("makes the heartbeat row again when someone deleted it", async () => {
    await sqlOn(primaryUrl, "DELETE FROM replica_heartbeat");
    await hub.hub.db.replica!.nextProbe();
    await hub.hub.db.replica!.nextProbe(); // a probe under way during the delete may have found the row still there
    const rows = await sqlOn<{ id: number; beat: string }>(
      primaryUrl,
      "SELECT id, beat::text AS beat FROM replica_heartbeat",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(1);
    expect(BigInt(rows[0]!.beat)).toBeGreaterThanOrEqual(1n);
  });

  describe("with a lag bound", () => {
    let bounded: TestHub | undefined;
    afterEach(async () => {
      await bounded?.close();
      bounded = undefined;
    });

    it("keeps the agency reads on the primary while the replica shows none of this process's heartbeats", async () => {
      // The copy was taken before this hub started: it can show none of its beats, so its lag is unknown.
      bounded = await startTestHub({
        database: () => ({ url: primaryUrl, replicaUrl: urlOf(replicaName), replicaGuard: { maxLagMs: 10_000 } }),
      });
      const state = await untilReplica(bounded.hub, (s) => s.condition !== "starting");
      expect(state).toMatchObject({ inUse: false, condition: "lag-unknown", lagMs: null });
      const res = await askTax(bounded);
      expect(res.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "6000.00" });
      const text = await metricsOf(bounded);
      expect(text).toMatch(/^hub_db_replica_in_use 0$/m);
      // prom-client spells it "Nan"; Prometheus reads NaN in any case.
      expect(text).toMatch(/^hub_db_replica_lag_seconds nan$/im);
      expect(text).toMatch(/^hub_db_agency_reads_total\{server="primary"\} 1$/m);
      expect(text).toMatch(/^hub_db_agency_reads_total\{server="replica"\} 0$/m);
    });

    it("reads the replica while it follows the primary, and the primary once it falls behind", async () => {
      // This test is the replication, for the heartbeat only: it copies the primary's beat to the copy, over and over,
      // from before the hub starts (as a streaming replica would).
      const from = testClient(primaryUrl);
      const to = testClient(urlOf(replicaName));
      await from.connect();
      await to.connect();
      let replicating = true;
      const replication = (async () => {
        while (replicating) {
          const { rows } = await from.query<{ beat: string }>("SELECT beat::text AS beat FROM replica_heartbeat");
          await to.query("UPDATE replica_heartbeat SET beat = $1::bigint", [rows[0]!.beat]);
        }
      })();
      const lines: LogLine[] = [];
      try {
        bounded = await startTestHub({
          database: () => ({ url: primaryUrl, replicaUrl: urlOf(replicaName), replicaGuard: { maxLagMs: 2000 } }),
          logger: keptLogger(lines),
        });
        const following = await untilReplica(bounded.hub, (s) => s.inUse);
        expect(following.condition).toBe("fresh");
        expect(following.lagMs).toBeLessThanOrEqual(2000);
        // The copy's five months: the replica answered.
        expect((await askTax(bounded)).body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "5000.00" });
        replicating = false;
        await replication;
        const behind = await untilReplica(bounded.hub, (s) => !s.inUse);
        expect(behind.condition).toBe("lagging");
        expect(behind.lagMs).toBeGreaterThan(2000);
        // The primary's six months.
        expect((await askTax(bounded)).body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "6000.00" });
        expect(bounded.hub.db.replica!.state().reads).toMatchObject({ replica: 1, fellBack: 0 });
      } finally {
        replicating = false;
        await replication.catch(() => undefined);
        await from.end();
        await to.end();
      }
      // The operator is told both ways, in the hub's log.
      expect(toldOf(lines)).toEqual([
        [30, "agency reads go to the replica"],
        [40, "agency reads go to the primary (replica lagging)"],
      ]);
    });

    it("tells the operator, with the database's reason, when the replica is never used", async () => {
      // A replica that does not replicate the heartbeat (a logical replica whose publication left it out, say).
      const replicaUrl = urlOf(replicaName);
      await sqlOn(replicaUrl, "ALTER TABLE replica_heartbeat RENAME TO replica_heartbeat_hidden");
      try {
        const lines: LogLine[] = [];
        bounded = await startTestHub({
          database: () => ({ url: primaryUrl, replicaUrl, replicaGuard: { maxLagMs: 400 } }),
          logger: keptLogger(lines),
        });
        // Told once the replica has had the time a healthy one needs (the bound, or four probes), not before.
        while (toldOf(lines).length === 0) await bounded.hub.db.replica!.nextProbe();
        expect(toldOf(lines)).toEqual([[40, "agency reads go to the primary (replica unreachable)"]]);
        const told = lines.find((l) => /^agency reads go to/.test(l.msg))!;
        expect(told.replica).toMatchObject({
          condition: "unreachable",
          problem: 'relation "replica_heartbeat" does not exist',
        });
        expect((await askTax(bounded)).body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "6000.00" });
      } finally {
        await sqlOn(replicaUrl, "ALTER TABLE replica_heartbeat_hidden RENAME TO replica_heartbeat");
      }
    });
  });

  it("answers agency reads from the primary while the replica is down", async () => {
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
      const tax = await ask<{ taxDeductions: TaxDeductionView[] }>(
        TAX_DEDUCTIONS,
        { taxYear: 2026, idNumbers: [worker.idNumber] },
        "TAX_BUREAU",
      );
      expect(tax.body.errors).toBeUndefined();
      // The primary's six months, and the read's one record.
      expect(tax.body.data!.taxDeductions[0]).toMatchObject({ paidAmount: "6000.00", deductibleAmount: "6000.00" });
      expect(await outcomesOf(tax.requestId)).toEqual(["OK"]);
      const admin = await signDevToken(TEST_SECRET, { role: "CENTER_ADMIN", sub: "replica-test", org: "test-org" });
      const metrics = await (
        await fetch(`${cut.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
      ).text();
      expect(metrics).toMatch(/^hub_db_replica_in_use 0$/m);
      expect(metrics).toMatch(/^hub_db_agency_reads_total\{server="primary"\} 1$/m);
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
