// metrics:rebuild (src/jobs/metrics-rebuild.ts): the rollups rebuilt from the source tables one county at a time
// repair what the check finds, change nothing that was right, touch only the counties asked for, and stay exact while
// deposits are posted and compacted beside them (that part on PostgreSQL: PGlite runs one statement at a time).
// The dataset, every figure by hand:
//   A1 城区 140502 SELF_EMPLOYED enrolled 2026-07-15, pays 1000.00 for 2026-07 (on 07-20) and 2026-08 (on 08-10)
//   A2 城区 140502 PART_TIME     enrolled 2026-08-03, pays 300.00 for 2026-08 (on 08-05)
//   -- compacted into the rollups here; the rest stays as pending deltas --
//   A3 高平 140581 NEW_FORM      enrolled 2026-09-20, pays 500.00 for 2026-09 (on 09-25)
//   a person with an active account in another city, refused on 2026-09-01 in 沁水 140521 as PART_TIME
import { compactMetrics } from "../../../src/jobs/metrics-compaction";
import { metricCounties, rebuildMetrics } from "../../../src/jobs/metrics-rebuild";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import {
  COUNTIES,
  emptyMetrics,
  groupsOf,
  pilotMetrics,
  refusedDuplicateEnrolment,
  setMinimumCellSize,
} from "../../factories/metrics";
import { deposit, openWithDeposits } from "../../factories/money";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const FORMS = ["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"];
const onPostgres = Boolean(process.env.DATABASE_URL);
const testOnPostgres = onPostgres ? test : test.skip;
let t: TestHub;

/** The whole second half of 2026 as the dataset above makes it, by hand. */
const EXPECTED = {
  ...emptyMetrics("2026-07", "2026-12", []),
  enrolledTotal: 3,
  activeAccounts: 3,
  depositAmount: "2800.00",
  depositCount: 4,
  duplicateBlocks: 1,
  monthly: [
    { period: "2026-07", enrolled: 1, depositAmount: "1000.00", withdrawalAmount: "0.00" },
    { period: "2026-08", enrolled: 1, depositAmount: "1300.00", withdrawalAmount: "0.00" },
    { period: "2026-09", enrolled: 1, depositAmount: "500.00", withdrawalAmount: "0.00" },
    { period: "2026-10", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
    { period: "2026-11", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
    { period: "2026-12", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
  ],
  byCounty: groupsOf(COUNTIES, { "140502": [2, "2300.00"], "140581": [1, "500.00"] }),
  byEmploymentForm: groupsOf(FORMS, {
    SELF_EMPLOYED: [1, "2000.00"],
    PART_TIME: [1, "300.00"],
    NEW_FORM: [1, "500.00"],
  }),
};

async function secondHalf() {
  const res = await pilotMetrics(t, { from: "2026-07", to: "2026-12" }, "CENTER_ADMIN");
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.pilotMetrics;
}

/** The counties the check finds wrong. */
async function countiesOff(): Promise<string[]> {
  const report = await checkMetrics(t.hub.db.prisma);
  return [...new Set(report.differences.map((d) => d.countyCode))].sort();
}

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1); // these tests are about the exact figures: every cell published
  await openWithDeposits(
    t,
    "2026-07-15",
    [
      ["2026-07", "1000.00", "2026-07-20"],
      ["2026-08", "1000.00", "2026-08-10"],
    ],
    { countyCode: "140502", employmentForm: "SELF_EMPLOYED", monthlyAmount: "1000.00" },
  );
  await openWithDeposits(t, "2026-08-03", [["2026-08", "300.00", "2026-08-05"]], {
    countyCode: "140502",
    employmentForm: "PART_TIME",
    monthlyAmount: "300.00",
  });
  expect((await compactMetrics(t.hub.db.prisma)).moved).toBeGreaterThan(0);

  await openWithDeposits(t, "2026-09-20", [["2026-09", "500.00", "2026-09-25"]], {
    countyCode: "140581",
    employmentForm: "NEW_FORM",
    monthlyAmount: "500.00",
  });
  await refusedDuplicateEnrolment(t, { countyCode: "140521", employmentForm: "PART_TIME", enrolledOn: "2026-09-01" });
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("metrics rebuild", () => {
  it("changes no figure of a healthy database, and folds the pending deltas into the rollups", async () => {
    expect(await secondHalf()).toEqual(EXPECTED);
    const pending = await t.hub.db.prisma.metricDelta.count();
    expect(pending).toBeGreaterThan(0); // A3's enrolment and deposit, the refused duplicate

    const done = await rebuildMetrics(t.hub.db.prisma);
    expect(done.map((c) => c.countyCode)).toEqual([...(await metricCounties(t.hub.db.prisma))]);
    expect(done.map((c) => c.countyCode)).toEqual(expect.arrayContaining(["140502", "140521", "140581"]));
    // 140502: 2026-07 x SELF_EMPLOYED, 2026-08 x SELF_EMPLOYED and PART_TIME; 140581: 2026-09 x NEW_FORM;
    // 140521: 2026-09 x PART_TIME (the refused check). Nothing to remove; every pending delta folded.
    const of = (county: string) => done.find((c) => c.countyCode === county);
    expect(of("140502")).toMatchObject({ rows: 3, removed: 0, deltas: 0 });
    expect(of("140581")).toMatchObject({ rows: 1, removed: 0 });
    expect(of("140521")).toMatchObject({ rows: 1, removed: 0, deltas: 1 });
    expect(done.reduce((n, c) => n + c.deltas, 0)).toBe(pending);
    expect(await t.hub.db.prisma.metricDelta.count()).toBe(0);

    expect(await secondHalf()).toEqual(EXPECTED);
    expect(await countiesOff()).toEqual([]);
  });

  it("repairs what the check finds: a rollup row edited by hand, a lost delta, a row no source gives", async () => {
    const prisma = t.hub.db.prisma;
    await prisma.$executeRaw`UPDATE metric_rollup SET deposit_amount = deposit_amount + 5
      WHERE month = '2026-07' AND county_code = '140502' AND employment_form = 'SELF_EMPLOYED'`;
    await prisma.$executeRaw`DELETE FROM metric_rollup WHERE county_code = '140581'`; // A3's figures lost
    await prisma.$executeRaw`INSERT INTO metric_rollup (month, county_code, employment_form, enrolled, active_delta)
      VALUES ('2026-10', '140522', 'PART_TIME', 3, 3)`;
    expect(await countiesOff()).toEqual(["140502", "140522", "140581"]);
    expect((await secondHalf()).depositAmount).toBe("2305.00");

    const done = await rebuildMetrics(prisma);
    const of = (county: string) => done.find((c) => c.countyCode === county);
    expect(of("140502")).toMatchObject({ rows: 3, removed: 0, deltas: 0 });
    expect(of("140581")).toMatchObject({ rows: 1, removed: 0, deltas: 0 });
    expect(of("140522")).toMatchObject({ rows: 0, removed: 1, deltas: 0 });

    expect(await countiesOff()).toEqual([]);
    expect(await secondHalf()).toEqual(EXPECTED);
  });

  it("rebuilds only the counties asked for", async () => {
    const prisma = t.hub.db.prisma;
    await prisma.$executeRaw`UPDATE metric_rollup SET deposit_count = deposit_count + 1 WHERE county_code IN ('140502', '140581')`;
    expect(await countiesOff()).toEqual(["140502", "140581"]);

    expect((await rebuildMetrics(prisma, { counties: ["140581"] })).map((c) => c.countyCode)).toEqual(["140581"]);
    expect(await countiesOff()).toEqual(["140502"]);

    await rebuildMetrics(prisma, { counties: ["140502"] });
    expect(await countiesOff()).toEqual([]);
    expect(await secondHalf()).toEqual(EXPECTED);
  });

  it("refuses a county code that is not six digits, before it touches anything", async () => {
    await expect(rebuildMetrics(t.hub.db.prisma, { counties: ["14050"] })).rejects.toThrow(/six digits/);
    await expect(rebuildMetrics(t.hub.db.prisma, { counties: ["140502' OR '1'='1"] })).rejects.toThrow(/six digits/);
    // A good code before a bad one is not rebuilt either: the list is refused as a whole.
    await t.hub.db.prisma
      .$executeRaw`UPDATE metric_rollup SET deposit_count = deposit_count + 1 WHERE county_code = '140502'`;
    await expect(rebuildMetrics(t.hub.db.prisma, { counties: ["140502", "1405"] })).rejects.toThrow(/six digits/);
    expect(await countiesOff()).toEqual(["140502"]);
    await rebuildMetrics(t.hub.db.prisma, { counties: ["140502"] });
    expect(await secondHalf()).toEqual(EXPECTED);
  });

  testOnPostgres(
    "stays exact while deposits are posted and compacted beside it (PostgreSQL)",
    async () => {
      // Twelve more workers over the two counties, then 24 deposits of 300.00 (two months each) posted while every
      // county is rebuilt and compactions run, round after round until the last deposit has answered: whatever the
      // interleaving, no deposit is lost or counted twice.
      const workers: string[] = [];
      for (let i = 0; i < 12; i++)
        workers.push(
          await openWithDeposits(t, "2026-10-01", [], {
            countyCode: i % 2 === 0 ? "140502" : "140581",
            employmentForm: "PART_TIME",
            monthlyAmount: "300.00",
          }),
        );
      const prisma = t.hub.db.prisma;
      let posting = true;
      const posted = Promise.all(
        workers.flatMap((n) => ["2026-10", "2026-11"].map((period) => deposit(t, n, period, "300.00", `${period}-15`))),
      ).finally(() => {
        posting = false;
      });
      let rounds = 0;
      const rebuilt = (async () => {
        do {
          await rebuildMetrics(prisma);
          await compactMetrics(prisma);
          rounds++;
        } while (posting);
      })();
      await Promise.all([posted, rebuilt]);
      expect(rounds).toBeGreaterThan(0);

      expect(await countiesOff()).toEqual([]);
      const after = await secondHalf();
      // 2,800.00 before + 24 x 300.00 = 10,000.00 in 4 + 24 payments; 3 + 12 enrolled and active.
      expect(after).toMatchObject({
        enrolledTotal: 15,
        activeAccounts: 15,
        depositAmount: "10000.00",
        depositCount: 28,
      });
      expect(after.monthly.slice(3)).toEqual([
        { period: "2026-10", enrolled: 12, depositAmount: "3600.00", withdrawalAmount: "0.00" },
        { period: "2026-11", enrolled: 0, depositAmount: "3600.00", withdrawalAmount: "0.00" },
        { period: "2026-12", enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" },
      ]);
    },
    120_000,
  );
});
