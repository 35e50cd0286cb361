// Two hubs on one PostgreSQL database, as when two hub processes start together behind a load balancer: they
// migrate one fresh database at the same moment (each migration applied once, both end up ready, the seed data
// written once), then both append to the exchange log at once. The log's cross-process advisory lock must keep one
// chain: verifyExchangeLog is ok and no two records claim the same predecessor.
import "reflect-metadata";

import pino from "pino";

import { startNationalPlatformSimulator } from "../../../simulators";
import { createHub, type Hub } from "../../../src/app";
import { signDevToken } from "../../../src/auth/token-verifier";
import { openDatabase } from "../../../src/db/database";
import { readMigrations } from "../../../src/db/migrator";
import { PARAMETER_CATALOG } from "../../../src/domain/policy/parameter-catalog";
import { seedPolicyParameters } from "../../../src/services/policy/policy-parameters.service";
import { freshIdNumber } from "../../factories/workers";
import { createTestDatabase, serverUrl, type TestDatabase } from "../../helpers/test-database";
import { TEST_SECRET } from "../../helpers/test-hub";

// PGlite is one process with one data folder (a second hub is refused by the data-folder lock): two hubs sharing
// a database need a PostgreSQL server (DATABASE_URL; CI's second pass sets it).
const onPostgres = serverUrl() ? describe : describe.skip;

type National = Awaited<ReturnType<typeof startNationalPlatformSimulator>>;

onPostgres("two hubs on one PostgreSQL database", () => {
  let database: TestDatabase;
  let national: National;
  const hubs: Hub[] = [];
  const urls: string[] = [];

  const startHub = () =>
    createHub({
      database: database.options,
      auth: { jwtSecret: TEST_SECRET },
      connectors: { nationalUrl: national.url, timeoutMs: 5000, retryBaseMs: 5 },
      logger: pino({ level: "silent" }),
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    national = await startNationalPlatformSimulator({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    for (const h of hubs) await h.close(2000);
    await national.close();
    await database.drop();
  }, 60_000);

  it("both migrate one fresh database at once: each migration applied once, both ready", async () => {
    hubs.push(...(await Promise.all([startHub(), startHub()])));
    for (const h of hubs) expect(await h.db.ready()).toBe(true);
    const applied = await hubs[0]!.db.prisma.$queryRaw<{ migration_name: string; n: bigint }[]>`
      SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`;
    expect(applied.map((r) => [r.migration_name, Number(r.n)])).toEqual(readMigrations().map((m) => [m.name, 1]));
    // The fund's nine book accounts exist once each: six come with the first migration, the legacy clearing
    // account with the accounts-that-move migration, loan interest income and the risk-compensation receivable with
    // the loan-book migration.
    const [fund] = await hubs[0]!.db.prisma.$queryRaw<{ n: bigint; codes: bigint }[]>`
      SELECT count(*) AS n, count(DISTINCT code) AS codes FROM ledger_account WHERE type = 'FUND'`;
    expect({ n: Number(fund!.n), codes: Number(fund!.codes) }).toEqual({ n: 9, codes: 9 });
  });

  it("both seed the policy parameters and the subject-key salt once", async () => {
    const seeded = await hubs[0]!.db.prisma.$queryRaw<{ key: string; n: bigint }[]>`
      SELECT key, count(*) AS n FROM policy_parameter WHERE recorded_by = 'system:seed' GROUP BY key HAVING count(*) > 1`;
    expect(seeded.map((r) => r.key)).toEqual([]);
    const salts = await hubs[0]!.db.prisma.hubSetting.count();
    expect(salts).toBe(1);
  });

  it("keeps one exchange chain when both hubs log agency reads at once", async () => {
    for (const h of hubs) urls.push(await h.listen(0, "127.0.0.1"));
    const token = (role: "TAX_BUREAU" | "AUDITOR") =>
      signDevToken(TEST_SECRET, { role, sub: `${role.toLowerCase()}-race`, org: "race-org", purpose: "race test" });
    const tax = await token("TAX_BUREAU");
    const read = (url: string) =>
      fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tax}` },
        body: JSON.stringify({
          query: `query T($ids: [IdNumber!]!) { taxDeductions(taxYear: 2026, idNumbers: $ids) { idNumber } }`,
          variables: { ids: [freshIdNumber("1985-02-03")] },
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { errors?: unknown } }));
    const before = await hubs[0]!.db.prisma.exchangeRecord.count();
    // Forty reads on each hub at the same time: each hub batches its own, and the two batchers contend for the tip.
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => read(urls[i % 2]!)));
    for (const a of answers) expect(a).toEqual({ status: 200, body: { data: expect.any(Object) } });
    expect(await hubs[0]!.db.prisma.exchangeRecord.count()).toBe(before + 80);
    const auditor = await token("AUDITOR");
    for (const url of urls) {
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${auditor}` },
        body: JSON.stringify({ query: `{ verifyExchangeLog { ok checked firstBrokenId } }` }),
      });
      const body = (await res.json()) as { data: { verifyExchangeLog: unknown } };
      expect(body.data.verifyExchangeLog).toEqual({ ok: true, checked: before + 80, firstBrokenId: null });
    }
    // Every record is linked now (reading the log chains what is pending): no two share a predecessor.
    const forks = await hubs[0]!.db.prisma.$queryRaw<{ prev_hash: string }[]>`
      SELECT prev_hash FROM exchange_record GROUP BY prev_hash HAVING count(*) > 1`;
    expect(forks).toEqual([]);
    const unchained = await hubs[0]!.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM exchange_record WHERE hash IS NULL`;
    expect(Number(unchained[0]!.n)).toBe(0);
  });
});

onPostgres("two hubs seeding one fresh database at the same moment", () => {
  it("write the policy catalog once (each hub seeded its own copy before the seed took a lock)", async () => {
    const database = await createTestDatabase();
    const [a, b] = [await openDatabase(database.options), await openDatabase(database.options)];
    try {
      const seeded = await Promise.all([seedPolicyParameters(a.prisma), seedPolicyParameters(b.prisma)]);
      expect(seeded.sort((x, y) => x - y)).toEqual([0, PARAMETER_CATALOG.length]);
      expect(await a.prisma.policyParameter.count()).toBe(PARAMETER_CATALOG.length);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
