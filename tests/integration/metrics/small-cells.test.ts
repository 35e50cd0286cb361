// Finding 9 of issue 11: small cells identify people. With the default minimum cell size (5), a county where one
// person paid must not be visible, nor derivable from totals minus visible figures, in one answer or across answers.
// The pilot, built through the API, every figure by hand (all in July 2026):
//   城区 140502 NEW_FORM:      5 workers, each pays 1000.00 for 2026-07  -> 5 people, 5 payments, 5000.00
//   高平 140581 PART_TIME:     6 workers, each pays  500.00 for 2026-07  -> 6 people, 6 payments, 3000.00
//   沁水 140521 SELF_EMPLOYED: 1 worker,  pays     2000.00 for 2026-07  -> 1 person, 1 payment,  2000.00 (small)
import Decimal from "decimal.js";
import ExcelJS from "exceljs";

import { COUNTIES, groupsOf, pilotMetrics } from "../../factories/metrics";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;

async function worker(countyCode: string, employmentForm: string, amount: string): Promise<void> {
  const enrol = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({
        idNumber: freshIdNumber("1988-03-02", countyCode),
        countyCode,
        employmentForm,
        enrolledOn: "2026-07-03",
        monthlyAmount: amount,
      }),
    },
  );
  expect(enrol.body.data!.enrollWorker.userErrors).toEqual([]);
  const input = {
    accountNumber: enrol.body.data!.enrollWorker.account!.accountNumber,
    period: "2026-07",
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: "2026-07-12",
    idempotencyKey: key("dep"),
  };
  const paid = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input });
  expect(paid.body.data!.recordDeposit.userErrors).toEqual([]);
}

beforeAll(async () => {
  t = await startTestHub(); // metrics.minCellSize keeps its seeded default, 5
  for (let i = 0; i < 5; i++) await worker("140502", "NEW_FORM", "1000.00");
  for (let i = 0; i < 6; i++) await worker("140581", "PART_TIME", "500.00");
  await worker("140521", "SELF_EMPLOYED", "2000.00");
}, 120_000);

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

const JULY = { from: "2026-07", to: "2026-07" };

describe("small cells (minimum cell size 5)", () => {
  it("leaves the county with one depositor out of the city's answer, and out of its totals", async () => {
    const res = await pilotMetrics(t, JULY);
    expect(res.body.errors).toBeUndefined();
    const m = res.body.data!.pilotMetrics;
    expect(m).toMatchObject({
      suppressed: true,
      enrolledTotal: 11, // 5 + 6: the one in 沁水 is withheld
      activeAccounts: 11,
      depositCount: 11,
      depositAmount: "8000.00", // 5000.00 + 3000.00
    });
    expect(m.byCounty).toEqual(
      groupsOf(
        COUNTIES.filter((c) => c !== "140521"),
        { "140502": [5, "5000.00"], "140581": [6, "3000.00"] },
      ),
    );
    expect(m.byEmploymentForm).toEqual([
      { key: "PART_TIME", activeAccounts: 6, depositAmount: "3000.00" },
      { key: "NEW_FORM", activeAccounts: 5, depositAmount: "5000.00" },
    ]);
    expect(m.monthly).toEqual([
      { period: "2026-07", enrolled: 11, depositAmount: "8000.00", withdrawalAmount: "0.00" },
    ]);
    // Total minus the visible cells: nothing left over to attribute to 沁水.
    const visible = m.byCounty.reduce((sum, g) => sum.plus(g.depositAmount), new Decimal(0));
    expect(new Decimal(m.depositAmount).minus(visible).toFixed(2)).toBe("0.00");
    expect(JSON.stringify(m)).not.toContain("2000.00");
  });

  it("withholds every figure of the small county when it is asked for alone", async () => {
    const m = (await pilotMetrics(t, { ...JULY, countyCode: "140521" })).body.data!.pilotMetrics;
    expect(m).toMatchObject({
      suppressed: true,
      enrolledTotal: 0,
      activeAccounts: 0,
      depositCount: 0,
      depositAmount: "0.00",
      monthly: [],
      byCounty: [],
    });
    expect(m.byEmploymentForm).toEqual(groupsOf(["PART_TIME", "NEW_FORM"], {})); // real zeros stay, SELF_EMPLOYED is out
  });

  it("cannot be derived across answers: the city minus every other county asked for alone is zero", async () => {
    const city = (await pilotMetrics(t, JULY)).body.data!.pilotMetrics;
    const others = await Promise.all(
      COUNTIES.filter((c) => c !== "140521").map(
        async (countyCode) => (await pilotMetrics(t, { ...JULY, countyCode })).body.data!.pilotMetrics,
      ),
    );
    expect(others.map((o) => o.depositAmount)).toEqual(["5000.00", "0.00", "0.00", "0.00", "3000.00"]);
    expect(others.map((o) => o.activeAccounts)).toEqual([5, 0, 0, 0, 6]);
    expect(city.depositAmount).toBe("8000.00"); // 5000.00 + 3000.00: the same sum, nothing hidden in the difference
    // A longer window does not bring the small cell back either: July to December has the same July cells.
    const half = (await pilotMetrics(t, { from: "2026-07", to: "2026-12" })).body.data!.pilotMetrics;
    expect(half).toMatchObject({ depositAmount: "8000.00", activeAccounts: 11, suppressed: true });
  });

  it("says nothing is suppressed for a county whose cells are all large enough", async () => {
    const m = (await pilotMetrics(t, { ...JULY, countyCode: "140581" })).body.data!.pilotMetrics;
    expect(m).toMatchObject({ suppressed: false, activeAccounts: 6, depositCount: 6, depositAmount: "3000.00" });
    expect(m.byEmploymentForm).toEqual(
      groupsOf(["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"], { PART_TIME: [6, "3000.00"] }),
    );
  });

  it("applies to CENTER_ADMIN as to LEADERSHIP (the figures that leave the hub are the same for every reader)", async () => {
    const admin = (await pilotMetrics(t, JULY, "CENTER_ADMIN")).body.data!.pilotMetrics;
    const leadership = (await pilotMetrics(t, JULY)).body.data!.pilotMetrics;
    expect(admin).toEqual(leadership);
  });

  it("says so in the CSV and the Excel export", async () => {
    const token = await t.token("LEADERSHIP");
    const csv = await fetch(`${t.url}/exports/pilot-metrics.csv?from=2026-07&to=2026-07`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = Buffer.from(await csv.arrayBuffer()).toString("utf8");
    expect(text).toContain("小单元格已隐去或合并,suppressed,true,是");
    expect(text).toContain("缴存金额,depositAmount,8000.00,元");
    expect(text).not.toContain("140521,沁水县");
    expect(text).not.toContain("2000.00");
    const xlsx = await fetch(`${t.url}/exports/pilot-metrics.xlsx?from=2026-07&to=2026-07`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const rows: string[][] = [];
    book.worksheets[0]!.eachRow((row) => rows.push([1, 2, 3, 4].map((c) => String(row.getCell(c).value ?? ""))));
    expect(rows).toContainEqual(["小单元格已隐去或合并", "suppressed", "true", "是"]);
    expect(rows).toContainEqual(["缴存金额", "depositAmount", "8000", "元"]);
    const counties: string[] = [];
    book.worksheets[2]!.eachRow((row) => counties.push(String(row.getCell(1).value)));
    expect(counties).not.toContain("140521");
  });

  it("publishes every cell once the center sets the minimum cell size to 1", async () => {
    const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
      `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`,
      {
        input: {
          key: "metrics.minCellSize",
          value: "1",
          effectiveFrom: "2023-07-01",
          source: "small-cells test",
          idempotencyKey: key("cell"),
        },
      },
      { as: "CENTER_ADMIN" },
    );
    expect(res.body.data!.setPolicyParameter.userErrors).toEqual([]);
    const m = (await pilotMetrics(t, JULY)).body.data!.pilotMetrics;
    expect(m).toMatchObject({ suppressed: false, activeAccounts: 12, depositCount: 12, depositAmount: "10000.00" });
    expect(m.byCounty.find((g) => g.key === "140521")).toEqual({
      key: "140521",
      activeAccounts: 1,
      depositAmount: "2000.00",
    });
  });
});
