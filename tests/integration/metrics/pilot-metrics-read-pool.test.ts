// pilotMetrics never waits for a connection behind writers (issue 12, decision 026): on PostgreSQL the hub keeps a
// small pool of its own for the aggregate reads (and the policy parameters they need). Here the main pool has two
// connections and both are held by open transactions (as writers holding the pool would), and pilotMetrics still
// answers at once, with the figures computed by hand. On PGlite (one session) there is no second pool and the read
// uses the hub's one client.
//   one worker, 城区 140502 SELF_EMPLOYED, enrolled 2026-07-15, pays 1000.00 for 2026-07 on 2026-07-20.
import { openDatabase } from "../../../src/db/database";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { createTestDatabase } from "../../helpers/test-database";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ database: (created) => (created.url ? { ...created, poolSize: 2 } : created) });
  await setMinimumCellSize(t, 1);
  const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({
        idNumber: freshIdNumber("1990-01-01"),
        countyCode: "140502",
        employmentForm: "SELF_EMPLOYED",
        enrolledOn: "2026-07-15",
      }),
    },
  );
  expect(enrolled.body.data!.enrollWorker.userErrors).toEqual([]);
  const paid = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, {
    input: {
      accountNumber: enrolled.body.data!.enrollWorker.account!.accountNumber,
      period: "2026-07",
      amount: "1000.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn: "2026-07-20",
      idempotencyKey: key("dep"),
    },
  });
  expect(paid.body.data!.recordDeposit.userErrors).toEqual([]);
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

const expected = {
  enrolledTotal: 1,
  activeAccounts: 1,
  depositAmount: "1000.00",
  depositCount: 1,
  monthly: [
    { period: "2026-07", enrolled: 1, depositAmount: "1000.00", withdrawalAmount: "0.00" },
    { period: "2026-08", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
  ],
};

async function ask() {
  const res = await pilotMetrics(t, { from: "2026-07", to: "2026-08" }, "CENTER_ADMIN");
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.pilotMetrics;
}

it("answers while every connection of the main pool is held by a writer's transaction (PostgreSQL)", async () => {
  const db = t.hub.db;
  if (db.kind === "pglite") {
    // One embedded session: no second pool, the read uses the hub's only client.
    expect(db.aggregatePrisma).toBeUndefined();
    expect(await ask()).toMatchObject(expected);
    return;
  }
  expect(db.aggregatePrisma).toBeDefined();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let holding = 0;
  const held = [1, 2].map(() =>
    db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        holding += 1;
        await gate;
      },
      { timeout: 30000 },
    ),
  );
  while (holding < 2) await new Promise((r) => setTimeout(r, 10));
  expect(db.pool!().idle).toBe(0); // both connections of the main pool are checked out
  const started = performance.now();
  try {
    expect(await ask()).toMatchObject(expected);
    // The main pool's checkout timeout is 5 s: an answer well before it did not wait for a main-pool connection.
    expect(performance.now() - started).toBeLessThan(4000);
  } finally {
    release();
    await Promise.all(held);
  }
  expect(await ask()).toMatchObject(expected);
});

it("keeps no reserved connections when readPoolSize is 0 (PostgreSQL)", async () => {
  if (t.hub.db.kind === "pglite") return; // PGlite never has a second pool (first test)
  const created = await createTestDatabase();
  const db = await openDatabase({ ...created.options, readPoolSize: 0 });
  try {
    expect(db.aggregatePrisma).toBeUndefined();
  } finally {
    await db.close();
    await created.drop();
  }
});
