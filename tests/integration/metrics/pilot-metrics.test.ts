// pilotMetrics over a small dataset built through the API, every figure computed by hand:
//   A1 城区 140502 SELF_EMPLOYED enrolled 2026-07-15, pays 1000.00 for 2026-07 (on 07-20) and 2026-08 (on 08-10)
//   A2 城区 140502 PART_TIME     enrolled 2026-08-03, pays 300.00 for 2026-08 (on 08-05)
//   A3 高平 140581 NEW_FORM      enrolled 2026-11-05, one lump sum of 4000.00 on 2026-11-10 (8 months × 500.00)
//   A4 高平 140581 SELF_EMPLOYED enrolled 2026-09-20, pays nothing
//   a person with an active account in another city, refused on 2026-09-01 in 沁水 140521 as PART_TIME
// Half of it is compacted into the rollups before the rest is written, so answers add rollups and deltas.
import { compactMetrics } from "../../../src/jobs/metrics-compaction";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { computePilotMetrics } from "../../../src/services/metrics/pilot-metrics";
import {
  COUNTIES,
  emptyMetrics,
  groupsOf,
  pilotMetrics,
  refusedDuplicateEnrolment,
  setMinimumCellSize,
} from "../../factories/metrics";
import { ENROL, enrolInput, key, LUMP, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const FORMS = ["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"];
let t: TestHub;

async function enrol(overrides: Record<string, unknown>): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    { input: enrolInput(overrides) },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

async function deposit(accountNumber: string, period: string, amount: string, paidOn: string): Promise<void> {
  const input = {
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn,
    idempotencyKey: key("dep"),
  };
  const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input });
  expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
}

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1); // these tests are about the exact figures: every cell published
  const a1 = await enrol({
    countyCode: "140502",
    employmentForm: "SELF_EMPLOYED",
    enrolledOn: "2026-07-15",
    monthlyAmount: "1000.00",
  });
  await deposit(a1, "2026-07", "1000.00", "2026-07-20");
  await deposit(a1, "2026-08", "1000.00", "2026-08-10");
  const a2 = await enrol({
    countyCode: "140502",
    employmentForm: "PART_TIME",
    enrolledOn: "2026-08-03",
    monthlyAmount: "300.00",
  });
  await deposit(a2, "2026-08", "300.00", "2026-08-05");
  expect((await compactMetrics(t.hub.db.prisma)).moved).toBeGreaterThan(0);

  const a3 = await enrol({
    countyCode: "140581",
    employmentForm: "NEW_FORM",
    enrolledOn: "2026-11-05",
    monthlyAmount: "500.00",
    mode: "LUMP_SUM",
  });
  const lump = {
    accountNumber: a3,
    settlementYear: 2026,
    amount: "4000.00",
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("LUMP"),
    paidOn: "2026-11-10",
    idempotencyKey: key("lump"),
  };
  const paid = await t.gql<{ payLumpSum: { entries: unknown[]; userErrors: unknown[] } }>(LUMP, { input: lump });
  expect(paid.body.data!.payLumpSum.userErrors).toEqual([]);
  expect(paid.body.data!.payLumpSum.entries).toHaveLength(8);
  await enrol({ countyCode: "140581", employmentForm: "SELF_EMPLOYED", enrolledOn: "2026-09-20" });

  await refusedDuplicateEnrolment(t, { countyCode: "140521", employmentForm: "PART_TIME", enrolledOn: "2026-09-01" });
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("pilotMetrics", () => {
  it("answers a one-month window with that month's flows and the accounts active at its end", async () => {
    const res = await pilotMetrics(t, { from: "2026-08", to: "2026-08" });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.pilotMetrics).toEqual({
      ...emptyMetrics("2026-08", "2026-08", ["2026-08"]),
      enrolledTotal: 1,
      activeAccounts: 2,
      depositAmount: "1300.00",
      depositCount: 2,
      monthly: [{ period: "2026-08", enrolled: 1, depositAmount: "1300.00", withdrawalAmount: "0.00" }],
      byCounty: groupsOf(COUNTIES, { "140502": [2, "1300.00"] }),
      byEmploymentForm: groupsOf(FORMS, { SELF_EMPLOYED: [1, "1000.00"], PART_TIME: [1, "300.00"] }),
    });
  });

  it("answers a several-month window with one point per month, a lump sum counted as one payment and the refused duplicate", async () => {
    const res = await pilotMetrics(t, { from: "2026-07", to: "2026-12" }, "CENTER_ADMIN");
    expect(res.body.data!.pilotMetrics).toEqual({
      ...emptyMetrics("2026-07", "2026-12", []),
      enrolledTotal: 4,
      activeAccounts: 4,
      depositAmount: "6300.00",
      depositCount: 4,
      duplicateBlocks: 1,
      loanToDepositRatio: "0.0000",
      monthly: [
        { period: "2026-07", enrolled: 1, depositAmount: "1000.00", withdrawalAmount: "0.00" },
        { period: "2026-08", enrolled: 1, depositAmount: "1300.00", withdrawalAmount: "0.00" },
        { period: "2026-09", enrolled: 1, depositAmount: "0.00", withdrawalAmount: "0.00" },
        { period: "2026-10", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
        { period: "2026-11", enrolled: 1, depositAmount: "4000.00", withdrawalAmount: "0.00" },
        { period: "2026-12", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
      ],
      byCounty: groupsOf(COUNTIES, { "140502": [2, "2300.00"], "140581": [2, "4000.00"] }),
      byEmploymentForm: groupsOf(FORMS, {
        SELF_EMPLOYED: [2, "2000.00"],
        PART_TIME: [1, "300.00"],
        NEW_FORM: [1, "4000.00"],
      }),
    });
  });

  it("counts the lump sum in the month it was paid, not in the months it covers", async () => {
    const res = await pilotMetrics(t, { from: "2027-01", to: "2027-06" });
    const metrics = res.body.data!.pilotMetrics;
    expect(metrics).toMatchObject({ enrolledTotal: 0, activeAccounts: 4, depositAmount: "0.00", depositCount: 0 });
    expect(metrics.monthly.map((m) => m.period)).toEqual([
      "2027-01",
      "2027-02",
      "2027-03",
      "2027-04",
      "2027-05",
      "2027-06",
    ]);
  });

  it("applies a county filter to every figure", async () => {
    const res = await pilotMetrics(t, { from: "2026-07", to: "2027-06", countyCode: "140581" });
    const metrics = res.body.data!.pilotMetrics;
    expect(metrics).toMatchObject({
      enrolledTotal: 2,
      activeAccounts: 2,
      depositAmount: "4000.00",
      depositCount: 1,
      duplicateBlocks: 0,
    });
    expect(metrics.byCounty).toEqual([{ key: "140581", activeAccounts: 2, depositAmount: "4000.00" }]);
    expect(metrics.byEmploymentForm).toEqual(groupsOf(FORMS, { SELF_EMPLOYED: [1, "0.00"], NEW_FORM: [1, "4000.00"] }));
    expect(metrics.monthly.find((m) => m.period === "2026-11")).toEqual({
      period: "2026-11",
      enrolled: 1,
      depositAmount: "4000.00",
      withdrawalAmount: "0.00",
    });
    const refusedCounty = await pilotMetrics(t, { from: "2026-09", to: "2026-09", countyCode: "140521" });
    expect(refusedCounty.body.data!.pilotMetrics).toMatchObject({
      duplicateBlocks: 1,
      enrolledTotal: 0,
      activeAccounts: 0,
    });
  });

  it("answers zeros and a ratio of 0.0000 for a window before any data", async () => {
    const res = await pilotMetrics(t, { from: "2025-01", to: "2025-03" });
    expect(res.body.data!.pilotMetrics).toEqual(emptyMetrics("2025-01", "2025-03", ["2025-01", "2025-02", "2025-03"]));
  });

  it("gives the same answer before and after a compaction", async () => {
    const before = await pilotMetrics(t, { from: "2026-07", to: "2027-06" });
    await compactMetrics(t.hub.db.prisma);
    expect(await t.hub.db.prisma.metricDelta.count()).toBe(0);
    expect((await pilotMetrics(t, { from: "2026-07", to: "2027-06" })).body).toEqual(before.body);
  });

  it("answers with one SQL statement whatever the window's length", async () => {
    const statements: string[] = [];
    // Every client the read may use is counted: on PostgreSQL the aggregate runs on its reserved read connections
    // (aggregatePrisma, decision 026), on PGlite on the one client.
    const counted = <C extends object>(client: C): C =>
      new Proxy(client, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof prop === "string" && prop.startsWith("$query") && typeof value === "function") {
            return (...args: unknown[]) => {
              statements.push(prop);
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return value;
        },
      });
    const { aggregatePrisma } = t.hub.services;
    const hub = {
      ...t.hub.services,
      prisma: counted(t.hub.db.prisma),
      aggregatePrisma: aggregatePrisma ? counted(aggregatePrisma) : undefined,
    };
    await computePilotMetrics(hub, { from: "2026-08", to: "2026-08" });
    const short = statements.length;
    await computePilotMetrics(hub, { from: "2017-07", to: "2027-06", countyCode: "140502" });
    expect([short, statements.length - short]).toEqual([1, 1]);
  });
});
