import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { accountMoney, deposit, openWithDeposits, settle, withdraw } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let a: string;
let b: string;

const SET_PARAMETER = `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`;

beforeAll(async () => {
  t = await startTestHub();
  // A handful of people per cell: publish every cell so the figures can be checked (small cells: small-cells.test.ts).
  await setMinimumCellSize(t, 1);
  // A: 2,000.00 before the year, two deposits, a withdrawal, a back-payment, a small deposit, one after the year.
  a = await openWithDeposits(t, "2026-05-10", [
    ["2026-05", "1000.00", "2026-05-10"],
    ["2026-06", "1000.00", "2026-06-10"],
    ["2026-07", "1000.00", "2026-07-10"],
    ["2026-08", "1000.00", "2026-08-10"],
  ]);
  expect((await withdraw(t, a, "1500.00", "2026-10-15")).userErrors).toEqual([]);
  await deposit(t, a, "2026-09", "1000.00", "2026-12-20"); // back-payment 补缴, counted from its paidOn
  await deposit(t, a, "2027-03", "216.35", "2027-03-03");
  await deposit(t, a, "2027-07", "1000.00", "2027-07-05"); // after the year: not in its 积数
  // B: 2,000.00 before the year and nothing else: unused all year, so it earns the interest subsidy.
  b = await openWithDeposits(t, "2026-05-10", [
    ["2026-05", "1000.00", "2026-05-10"],
    ["2026-06", "1000.00", "2026-06-10"],
  ]);
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

const kindsOf = async (n: string, kinds: string[]) =>
  (await accountMoney(t, n)).entries.filter((e) => kinds.includes(e.kind)).map((e) => [e.kind, e.amount, e.postedOn]);

describe("settleInterest", () => {
  test("refuses a year whose 30 June has not passed on asOf", async () => {
    expect(await settle(t, 2026, "2027-06-30")).toEqual({
      settlement: null,
      userErrors: [expect.objectContaining({ code: "YEAR_NOT_ENDED", field: "asOf" })],
    });
    expect(await kindsOf(a, ["INTEREST"])).toEqual([]);
  });

  test("credits 积数 x 1.5 % / 360 on 30 June, and the subsidy to the unused account only", async () => {
    // A, settlement year 2026 (365 days):
    //   2026-07-01..2026-07-09   9 days x 2,000.00 =  18,000.00
    //   2026-07-10..2026-08-09  31 days x 3,000.00 =  93,000.00
    //   2026-08-10..2026-10-14  66 days x 4,000.00 = 264,000.00
    //   2026-10-15..2026-12-19  66 days x 2,500.00 = 165,000.00   (withdrawal of 1,500.00 on 10-15)
    //   2026-12-20..2027-03-02  73 days x 3,500.00 = 255,500.00   (back-payment on 12-20)
    //   2027-03-03..2027-06-30 120 days x 3,716.35 = 445,962.00
    //   积数 1,241,462.00 x 0.015 / 360 = 51.7276 -> 51.73; no subsidy (withdrew during the year)
    // B: 365 x 2,000.00 = 730,000.00: interest 10,950 / 360 = 30.4167 -> 30.42; subsidy 7,300 / 360 = 20.2778 -> 20.28
    const result = await settle(t, 2026, "2027-07-01");
    expect(result).toEqual({
      settlement: {
        settlementYear: 2026,
        settledOn: "2027-06-30",
        accounts: 2,
        interestAmount: "82.15",
        subsidyAmount: "20.28",
      },
      userErrors: [],
    });
    expect(await kindsOf(a, ["INTEREST", "INTEREST_SUBSIDY"])).toEqual([["INTEREST", "51.73", "2027-06-30"]]);
    expect(await kindsOf(b, ["INTEREST", "INTEREST_SUBSIDY"])).toEqual([
      ["INTEREST", "30.42", "2027-06-30"],
      ["INTEREST_SUBSIDY", "20.28", "2027-06-30"],
    ]);
    expect((await accountMoney(t, b)).balance).toBe("2050.70");
  });

  test("claims the year's subsidies from finance as one fiscal claim", async () => {
    expect(t.finance.control.fiscalClaims()).toEqual([
      { claimNo: "IS-2026-0001", kind: "INTEREST_SUBSIDY", status: "PAID", itemCount: 1, amount: "20.28" },
    ]);
    const claim = await t.hub.db.prisma.fiscalClaim.findUniqueOrThrow({ where: { claimNo: "IS-2026-0001" } });
    expect(claim).toMatchObject({ kind: "INTEREST_SUBSIDY", settlementYear: 2026, itemCount: 1, status: "RECEIVED" });
  });

  test("credits nothing twice: the same year again under another key answers the same totals", async () => {
    const entries = await t.hub.db.prisma.ledgerEntry.count();
    const again = await settle(t, 2026, "2027-08-01");
    expect(again.settlement).toMatchObject({ accounts: 2, interestAmount: "82.15", subsidyAmount: "20.28" });
    expect(await t.hub.db.prisma.ledgerEntry.count()).toBe(entries);
    expect(t.finance.control.fiscalClaims()).toHaveLength(1);
  });

  test("counts the interest and the subsidy in the pilot metrics of June 2027", async () => {
    const june = (await pilotMetrics(t, { from: "2027-06", to: "2027-06" })).body.data!.pilotMetrics;
    expect(june).toMatchObject({ interestAmount: "82.15", interestSubsidyAmount: "20.28" });
  });

  test("leap year 2027 (366 days), settled by two concurrent runs, caps the subsidy cumulatively", async () => {
    const cap = {
      key: "interestSubsidy.capPerPerson",
      value: "30.00",
      effectiveFrom: "2027-07-01",
      idempotencyKey: key("cap"),
    };
    const set = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
      SET_PARAMETER,
      { input: cap },
      { as: "CENTER_ADMIN" },
    );
    expect(set.body.data!.setPolicyParameter.userErrors).toEqual([]);
    // A: 3,716.35 + 51.73 = 3,768.08 from 1 July; 1,000.00 more on 2027-07-05.
    //   2027-07-01..2027-07-04   4 days x 3,768.08 =    15,072.32
    //   2027-07-05..2028-06-30 362 days x 4,768.08 = 1,726,044.96
    //   积数 1,741,117.28: interest 26,116.7592 / 360 = 72.5466 -> 72.55; subsidy 17,411.1728 / 360 = 48.36 -> cap 30.00
    //   (the withdrawal of 2026-10-15 lies before this year's unused window)
    // B: 366 x 2,050.70 = 750,556.20: interest 11,258.343 / 360 = 31.2732 -> 31.27;
    //   subsidy 7,505.562 / 360 = 20.85, but 20.28 already received: 30.00 - 20.28 = 9.72
    const [first, second] = await Promise.all([settle(t, 2027, "2028-07-01"), settle(t, 2027, "2028-07-01")]);
    const expected = {
      settlementYear: 2027,
      settledOn: "2028-06-30",
      accounts: 2,
      interestAmount: "103.82",
      subsidyAmount: "39.72",
    };
    expect(first).toEqual({ settlement: expected, userErrors: [] });
    expect(second).toEqual({ settlement: expected, userErrors: [] });
    expect((await kindsOf(a, ["INTEREST", "INTEREST_SUBSIDY"])).slice(1)).toEqual([
      ["INTEREST", "72.55", "2028-06-30"],
      ["INTEREST_SUBSIDY", "30.00", "2028-06-30"],
    ]);
    expect((await kindsOf(b, ["INTEREST", "INTEREST_SUBSIDY"])).slice(2)).toEqual([
      ["INTEREST", "31.27", "2028-06-30"],
      ["INTEREST_SUBSIDY", "9.72", "2028-06-30"],
    ]);
  });

  test("after the cap, no more subsidy", async () => {
    const third = await settle(t, 2028, "2029-07-01");
    expect(third.settlement).toMatchObject({ accounts: 2, subsidyAmount: "0.00" });
    expect(await kindsOf(b, ["INTEREST_SUBSIDY"])).toHaveLength(2);
  });
});
