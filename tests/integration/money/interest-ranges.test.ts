// The year-end run computes 积数 range by range of account ids (one statement and transaction per range, so that no
// statement outgrows the statement_timeout at a million accounts). With a range of one id, every account is its own
// statement: the credits and the totals are those computed by hand, and a second run credits nothing twice.
import { runSettlement } from "../../../src/services/interest/settle-interest";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, openWithDeposits } from "../../factories/money";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let x: string;
let y: string;
let z: string;

beforeAll(async () => {
  t = await startTestHub();
  x = await openWithDeposits(t, "2026-05-10", [["2026-05", "1000.00", "2026-05-10"]]);
  y = await openWithDeposits(t, "2026-05-10", [
    ["2026-05", "1000.00", "2026-05-10"],
    ["2026-06", "2000.00", "2026-06-10"],
  ]);
  z = await openWithDeposits(t, "2026-05-10", [
    ["2026-05", "1000.00", "2026-05-10"],
    ["2026-07", "500.00", "2026-07-10"],
  ]);
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

const credited = async (n: string) =>
  (await accountMoney(t, n)).entries
    .filter((e) => e.kind === "INTEREST" || e.kind === "INTEREST_SUBSIDY")
    .map((e) => [e.kind, e.amount, e.postedOn])
    .sort();

test("one account per range: each credit and the totals as computed by hand", async () => {
  // Settlement year 2026 (2026-07-01 .. 2027-06-30, 365 days), all three unused all year (subsidy at 1 %):
  //   X: 1,000.00 all year: 积数 365,000.00; x 0.015 / 360 = 15.2083 -> 15.21; x 0.01 / 360 = 10.1389 -> 10.14
  //   Y: 3,000.00 all year: 积数 1,095,000.00; interest 45.625 -> 45.63 (half-up); subsidy 30.4167 -> 30.42
  //   Z: 1,000.00 all year + 500.00 from 2026-07-10 (22 + 31 + 30 + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 31 + 30 = 356
  //      days): 积数 365,000.00 + 178,000.00 = 543,000.00; interest 22.625 -> 22.63; subsidy 15.0833 -> 15.08
  //   totals: interest 15.21 + 45.63 + 22.63 = 83.47; subsidy 10.14 + 30.42 + 15.08 = 55.64
  const result = await runSettlement(t.hub.services, 2026, "2027-07-01", 1n);
  expect(result).toEqual({
    settlementYear: 2026,
    settledOn: "2027-06-30",
    accounts: 3,
    interestAmount: "83.47",
    subsidyAmount: "55.64",
  });
  expect(await credited(x)).toEqual([
    ["INTEREST", "15.21", "2027-06-30"],
    ["INTEREST_SUBSIDY", "10.14", "2027-06-30"],
  ]);
  expect(await credited(y)).toEqual([
    ["INTEREST", "45.63", "2027-06-30"],
    ["INTEREST_SUBSIDY", "30.42", "2027-06-30"],
  ]);
  expect(await credited(z)).toEqual([
    ["INTEREST", "22.63", "2027-06-30"],
    ["INTEREST_SUBSIDY", "15.08", "2027-06-30"],
  ]);
});

test("a second run in ranges of two ids credits nothing twice and answers the same totals", async () => {
  const again = await runSettlement(t.hub.services, 2026, "2027-07-02", 2n);
  expect(again).toMatchObject({ accounts: 3, interestAmount: "83.47", subsidyAmount: "55.64" });
  expect(await credited(y)).toEqual([
    ["INTEREST", "45.63", "2027-06-30"],
    ["INTEREST_SUBSIDY", "30.42", "2027-06-30"],
  ]);
});
