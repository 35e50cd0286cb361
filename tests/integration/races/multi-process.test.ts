// N identical hub processes on one PostgreSQL database (issue 12, docs/operations.md "Running N hubs"): three real
// `src/main.ts` processes, started together, share one database, one checkpoint folder and the agency simulators
// of this test. Their background work runs on short timers so that the three contend all the time. The test proves
// that what must happen once happens once: the interest run and the graduate-subsidy run started on two processes
// at once credit each account once; every outbox message is sent to the national platform once; one idempotency
// key sent to all three at once has one effect; deposits posted on all three while all three compact the metric
// deltas leave metrics:check exact; and the exchange log stays one chain (no forks) that verifies, checkpoints of
// all three processes included.
import "reflect-metadata";

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startCreditSimulator, startFinanceSimulator, startNationalPlatformSimulator } from "../../../simulators";
import { signDevToken } from "../../../src/auth/token-verifier";
import { type Database, openDatabase } from "../../../src/db/database";
import { checkLedger } from "../../../src/ledger/ledger-check";
import { ExchangeAnchor } from "../../../src/services/audit/exchange-anchor";
import { verifyExchangeLog } from "../../../src/services/audit/exchange-log.verify";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { ACCOUNT_MONEY, SETTLE as SETTLE_INTEREST } from "../../factories/money";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { type HubProcess, killHubs, spawnHub } from "../../helpers/hub-process";
import { createTestDatabase, serverUrl, type TestDatabase } from "../../helpers/test-database";
import { CLAIM, SETTLE as SETTLE_SUBSIDIES } from "../subsidies/subsidy-steps";

// PGlite is one process with one data folder (a second process is refused by the folder lock): processes sharing a
// database need a PostgreSQL server (DATABASE_URL; CI's second pass sets it).
const onPostgres = serverUrl() ? describe : describe.skip;

// Three cold starts at once (SWC compiling src/ in each) take 20-40 s on a 2-core machine, and up to 100 s when
// the machine is shared with other heavy jobs (measured at load average 25); the tests themselves take 5-15 s each.
jest.setTimeout(120_000);

const SECRET = "multi-process-test-secret-0123456789abcdef";
const ANCHOR_KEY = "multi-process-anchor-key-0123456789abcdef";
const HUBS = 3;

type Role = "CENTER_OPERATOR" | "CENTER_ADMIN" | "TAX_BUREAU" | "AUDITOR";
type Gql<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
type UserError = { code: string; field: string | null };

onPostgres("three hub processes on one PostgreSQL database", () => {
  let database: TestDatabase;
  let db: Database;
  let national: Awaited<ReturnType<typeof startNationalPlatformSimulator>>;
  let finance: Awaited<ReturnType<typeof startFinanceSimulator>>;
  let credit: Awaited<ReturnType<typeof startCreditSimulator>>;
  const checkpointDir = mkdtempSync(join(tmpdir(), "hpf-hub-multi-process-"));
  const hubs: HubProcess[] = [];

  const startHub = (): Promise<HubProcess> =>
    spawnHub({
      DATABASE_URL: database.options.url,
      NODE_ENV: "development",
      HUB_DEMO_DATA: "0",
      HUB_JWT_SECRET: SECRET,
      HUB_AUDIT_ANCHOR_KEY: ANCHOR_KEY,
      HUB_AUDIT_CHECKPOINT_DIR: checkpointDir,
      HUB_NATIONAL_URL: national.url,
      HUB_FINANCE_URL: finance.url,
      HUB_CREDIT_URL: credit.url,
      HUB_LOG_LEVEL: "silent",
      HUB_DB_POOL_SIZE: "8",
      // Every process polls the outbox and compacts the metric deltas all the time: they contend on purpose.
      HUB_OUTBOX_INTERVAL_MS: "50",
      HUB_METRICS_COMPACTION_INTERVAL_MS: "100",
      HUB_SHUTDOWN_GRACE_MS: "5000",
    });

  const tokens = new Map<Role, Promise<string>>();
  const token = (role: Role) => {
    if (!tokens.has(role))
      tokens.set(
        role,
        signDevToken(SECRET, {
          role,
          sub: `${role.toLowerCase()}-multi`,
          org: "140500",
          ...(role === "TAX_BUREAU" ? { purpose: "多进程测试 multi-process test" } : {}),
        }),
      );
    return tokens.get(role)!;
  };

  async function gql<T>(
    hub: number,
    query: string,
    variables: Record<string, unknown> = {},
    role: Role = "CENTER_OPERATOR",
  ): Promise<T> {
    const res = await fetch(`${hubs[hub]!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token(role)}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Gql<T>;
    if (res.status !== 200 || !body.data || body.errors) throw new Error(`hub ${hub}: ${JSON.stringify(body)}`);
    return body.data;
  }

  async function enrol(hub: number, overrides: Record<string, unknown> = {}): Promise<string> {
    const r = await gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: UserError[] } }>(
      hub,
      ENROL,
      { input: enrolInput(overrides) },
    );
    if (!r.enrollWorker.account) throw new Error(JSON.stringify(r));
    return r.enrollWorker.account.accountNumber;
  }

  const depositInput = (accountNumber: string, period: string, amount: string, paidOn = `${period}-10`) => ({
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn,
    idempotencyKey: key("dep"),
  });

  type DepositAnswer = {
    recordDeposit: { account: { balance: string } | null; entries: { id: string }[]; userErrors: UserError[] };
  };
  async function deposit(hub: number, accountNumber: string, period: string, amount: string, paidOn?: string) {
    const r = await gql<DepositAnswer>(hub, RECORD, { input: depositInput(accountNumber, period, amount, paidOn) });
    expect(r.recordDeposit.userErrors).toEqual([]);
  }

  type Entry = { kind: string; amount: string };
  async function entries(hub: number, accountNumber: string, kinds: string[]) {
    const r = await gql<{ account: { balance: string; entries: { edges: { node: Entry }[] } } }>(hub, ACCOUNT_MONEY, {
      n: accountNumber,
    });
    return {
      balance: r.account.balance,
      entries: r.account.entries.edges
        .map((e) => e.node)
        .filter((e) => kinds.includes(e.kind))
        .map((e) => [e.kind, e.amount])
        .sort(([x], [y]) => x!.localeCompare(y!)),
    };
  }

  /** Polls the database until `done` holds (the processes' background work is what is awaited), within 30 s. */
  async function eventually(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const count = async (sql: string) =>
    Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${sql}`))[0]!.n);

  beforeAll(async () => {
    database = await createTestDatabase();
    national = await startNationalPlatformSimulator({ port: 0 });
    finance = await startFinanceSimulator({ port: 0, payDelayS: 0 });
    credit = await startCreditSimulator({ port: 0 });
    // All three start at once on the fresh database (they also migrate it together: multi-hub.test.ts).
    hubs.push(...(await Promise.all(Array.from({ length: HUBS }, () => startHub()))));
    db = await openDatabase({ url: database.options.url, migrate: false, poolSize: 4 });
  }, 240_000);

  afterAll(async () => {
    await killHubs(hubs);
    await db?.close();
    await national?.close();
    await finance?.close();
    await credit?.close();
    await database?.drop();
    rmSync(checkpointDir, { recursive: true, force: true });
  }, 60_000);

  it("the year-end interest run started on two processes at once credits each account once", async () => {
    // Two accounts, each 2,000.00 from before the settlement year 2026 (2026-07-01..2027-06-30, 365 days) and
    // nothing else: 积数 365 x 2,000.00 = 730,000.00; interest at 1.5 %: 10,950 / 360 = 30.4167 -> 30.42; unused
    // all year, so the interest subsidy at 1 %: 7,300 / 360 = 20.2778 -> 20.28 (policy numbers: domain.md).
    const a = await enrol(0, { enrolledOn: "2026-05-10" });
    const b = await enrol(1, { enrolledOn: "2026-05-10" });
    await deposit(2, a, "2026-05", "1000.00", "2026-05-10");
    await deposit(0, a, "2026-06", "1000.00", "2026-06-10");
    await deposit(1, b, "2026-05", "1000.00", "2026-05-10");
    await deposit(2, b, "2026-06", "1000.00", "2026-06-10");
    type Settled = { settleInterest: { settlement: unknown; userErrors: UserError[] } };
    const run = (hub: number) =>
      gql<Settled>(hub, SETTLE_INTEREST, { year: 2026, asOf: "2027-07-01", key: key("interest") }, "CENTER_ADMIN");
    const answers = await Promise.all([run(0), run(1)]);
    const expected = {
      settlementYear: 2026,
      settledOn: "2027-06-30",
      accounts: 2,
      interestAmount: "60.84",
      subsidyAmount: "40.56",
    };
    for (const answer of answers) expect(answer.settleInterest).toEqual({ settlement: expected, userErrors: [] });
    for (const n of [a, b])
      expect(await entries(2, n, ["INTEREST", "INTEREST_SUBSIDY"])).toEqual({
        balance: "2050.70",
        entries: [
          ["INTEREST", "30.42"],
          ["INTEREST_SUBSIDY", "20.28"],
        ],
      });
    // One fiscal claim for the year's subsidies, though two processes ran the year.
    expect(finance.control.fiscalClaims()).toEqual([expect.objectContaining({ itemCount: 2, amount: "40.56" })]);
  });

  it("the graduate-subsidy run started on two processes at once makes one batch and credits each claim once", async () => {
    // Bachelors who graduated 2024-06-30 pay 300.00 for 2026-08: 50 % of the deposit = 150.00 each (domain.md).
    const graduates = [
      await enrol(0, { education: "BACHELOR", graduationDate: "2024-06-30" }),
      await enrol(1, { education: "BACHELOR", graduationDate: "2024-06-30" }),
    ];
    await deposit(2, graduates[0]!, "2026-08", "300.00");
    await deposit(0, graduates[1]!, "2026-08", "300.00");
    type Batch = { batch: { batchNo: string } & Record<string, unknown>; userErrors: UserError[] };
    const claims = await Promise.all(
      [0, 1].map((hub) =>
        gql<{ claimGraduateSubsidies: Batch }>(
          hub,
          CLAIM,
          { period: "2026-08", idempotencyKey: key("claim") },
          "CENTER_ADMIN",
        ),
      ),
    );
    const made = claims.map((c) => c.claimGraduateSubsidies).filter((c) => c.batch);
    const refused = claims.map((c) => c.claimGraduateSubsidies).filter((c) => !c.batch);
    expect(made).toEqual([
      { batch: expect.objectContaining({ period: "2026-08", claimCount: 2, amount: "300.00" }), userErrors: [] },
    ]);
    expect(refused.map((r) => r.userErrors.map((e) => e.code))).toEqual([["NOTHING_TO_CLAIM"]]);
    const batchNo = made[0]!.batch.batchNo;
    const settled = await Promise.all(
      [1, 2].map((hub) =>
        gql<{ settleGraduateSubsidies: Batch }>(
          hub,
          SETTLE_SUBSIDIES,
          { batchNo, idempotencyKey: key("settle") },
          "CENTER_ADMIN",
        ),
      ),
    );
    for (const s of settled)
      expect(s.settleGraduateSubsidies.batch).toMatchObject({ status: "PAID", paidCount: 2, paidAmount: "300.00" });
    for (const n of graduates)
      expect(await entries(0, n, ["GRADUATE_SUBSIDY"])).toEqual({
        balance: "450.00",
        entries: [["GRADUATE_SUBSIDY", "150.00"]],
      });
  });

  it("one idempotency key sent to all three processes at once has one effect", async () => {
    const enrolment = enrolInput({ idempotencyKey: key("enrol-same") });
    type Enrolled = { enrollWorker: { account: { accountNumber: string } | null; userErrors: UserError[] } };
    const enrolled = await Promise.all(hubs.map((_, hub) => gql<Enrolled>(hub, ENROL, { input: enrolment })));
    const numbers = enrolled.map((e) => e.enrollWorker.account?.accountNumber);
    expect(new Set(numbers).size).toBe(1);
    expect(numbers[0]).toEqual(expect.any(String));
    expect(await count(`person WHERE id_number = '${String(enrolment.idNumber)}'`)).toBe(1);

    const input = depositInput(numbers[0]!, "2026-08", "1000.00");
    const answers = await Promise.all(hubs.map((_, hub) => gql<DepositAnswer>(hub, RECORD, { input })));
    for (const answer of answers) {
      expect(answer.recordDeposit.userErrors).toEqual([]);
      expect(answer).toEqual(answers[0]);
    }
    expect(answers[0]!.recordDeposit.account!.balance).toBe("1000.00");
    expect(await entries(1, numbers[0]!, ["DEPOSIT"])).toEqual({
      balance: "1000.00",
      entries: [["DEPOSIT", "1000.00"]],
    });
  });

  it("deposits posted on all three while all three compact the metric deltas: metrics:check is exact", async () => {
    // Two workers enrolled on each process, each paying three months, every deposit on a different process.
    const workers = await Promise.all(hubs.flatMap((_, hub) => [enrol(hub), enrol(hub)]));
    await Promise.all(
      workers.map(async (n, i) => {
        for (const [m, period] of ["2026-08", "2026-09", "2026-10"].entries())
          await deposit((i + m) % HUBS, n, period, "800.00");
      }),
    );
    // The processes' compaction timers fold every delta into the rollups (one at a time: an advisory lock).
    await eventually("every metric delta compacted", async () => (await count("metric_delta")) === 0);
    expect(await checkMetrics(db.prisma)).toMatchObject({ ok: true, differences: [] });
  });

  it("sends every outbox message to the national platform once, though three processes poll it at once", async () => {
    // Forty registrations fall due at the same moment for all three pollers (each polls every 50 ms).
    await db.prisma.$executeRaw`
      INSERT INTO outbox_message (topic, payload, next_attempt_at)
      SELECT 'national.registerAccount',
             jsonb_build_object('idNumber', ids.id, 'centerCode', '140500',
                                'accountNumber', '14050000098' || lpad(ids.i::text, 5, '0'), 'kind', 'FLEXIBLE'),
             now() + interval '300 milliseconds'
      FROM unnest(${Array.from({ length: 40 }, () => freshIdNumber("1980-03-04"))}::text[]) WITH ORDINALITY AS ids(id, i)`;
    await eventually(
      "every outbox message delivered",
      async () => (await count("outbox_message WHERE done_at IS NULL")) === 0,
    );
    const messages = await count("outbox_message WHERE topic = 'national.registerAccount'");
    // Each enrolment of this file wrote one, plus the forty.
    expect(messages).toBe(40 + (await count("account WHERE kind = 'FLEXIBLE'")));
    expect(national.control.requests().filter((r) => r.path === "/v1/accounts/register")).toHaveLength(messages);
    expect(await count("outbox_message WHERE attempts <> 1")).toBe(0);
  });

  it("keeps one exchange chain that verifies, with the checkpoints all three processes signed", async () => {
    const ids = Array.from({ length: 4 }, () => freshIdNumber("1985-02-03"));
    const read = (hub: number) =>
      gql(
        hub,
        `query T($ids: [IdNumber!]!) { taxDeductions(taxYear: 2026, idNumbers: $ids) { idNumber } }`,
        { ids },
        "TAX_BUREAU",
      );
    await Promise.all(Array.from({ length: 60 }, (_, i) => read(i % HUBS)));
    for (const [hub] of hubs.entries()) {
      const v = await gql<{ verifyExchangeLog: { ok: boolean; firstBrokenId: string | null } }>(
        hub,
        `{ verifyExchangeLog { ok checked firstBrokenId } }`,
        {},
        "AUDITOR",
      );
      expect(v.verifyExchangeLog).toMatchObject({ ok: true, firstBrokenId: null });
    }
    // SIGTERM: each process drains, links what it wrote and signs a last checkpoint of the head it linked; exit 0.
    for (const h of hubs) h.child.kill("SIGTERM");
    expect(await Promise.all(hubs.map((h) => h.exited))).toEqual(hubs.map(() => 0));
    expect(await count("exchange_record WHERE hash IS NULL")).toBe(0);
    const forks = await db.prisma.$queryRaw<unknown[]>`
      SELECT prev_hash FROM exchange_record GROUP BY prev_hash HAVING count(*) > 1`;
    expect(forks).toEqual([]);
    const anchor = new ExchangeAnchor(ANCHOR_KEY, checkpointDir);
    expect(anchor.all().length).toBeGreaterThan(0);
    expect(await verifyExchangeLog(db.prisma, anchor)).toMatchObject({
      ok: true,
      checked: await count("exchange_record"),
      firstBrokenId: null,
    });
    expect(await checkLedger(db.prisma)).toMatchObject({ ok: true, unbalancedPostings: [], balanceMismatches: [] });
    expect(await checkMetrics(db.prisma)).toMatchObject({ ok: true, differences: [] });
  });
});
