// The interest subsidy's yearly claim in parts (decision 021): each posted subsidy is claimed exactly once, in parts of
// at most N items numbered IS-<year>-0001, -0002, ...; a part finance did not receive is sent again by the next run.
import { SYSTEM_ACTOR } from "../../../src/services/hub-services";
import { claimInterestSubsidy } from "../../../src/services/interest/interest-subsidy-claim";
import { runSettlement } from "../../../src/services/interest/settle-interest";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { openWithDeposits } from "../../factories/money";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
const actor = { ...SYSTEM_ACTOR, requestId: "test-interest-claim-parts" };

beforeAll(async () => {
  t = await startTestHub();
  // Three workers with 2,000.00 from before the year and nothing else: each earns the subsidy for 2026.
  for (let i = 0; i < 3; i++)
    await openWithDeposits(t, "2026-05-10", [
      ["2026-05", "1000.00", "2026-05-10"],
      ["2026-06", "1000.00", "2026-06-10"],
    ]);
  // 积数 365 x 2,000.00 = 730,000.00; subsidy 730,000.00 x 1 % / 360 = 20.2778 -> 20.28 each.
  const settled = await runSettlement(t.hub.services, 2026, "2027-07-01");
  expect(settled).toMatchObject({ accounts: 3, subsidyAmount: "60.84" });
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("interest subsidy claim in parts", () => {
  test("a part finance cannot reach stays CLAIMED and is sent by the next run under the same number", async () => {
    t.finance.control.setMode("down");
    try {
      expect(await claimInterestSubsidy(t.hub.services, 2026, actor, 2)).toEqual([
        { claimNo: "IS-2026-0001", status: "CLAIMED" },
        { claimNo: "IS-2026-0002", status: "CLAIMED" },
      ]);
    } finally {
      t.finance.control.setMode("up");
    }
    expect(t.finance.control.fiscalClaims()).toEqual([]);
  });

  test("the next run sends both parts: two items and one, every subsidy once", async () => {
    expect(await claimInterestSubsidy(t.hub.services, 2026, actor, 2)).toEqual([
      { claimNo: "IS-2026-0001", status: "RECEIVED" },
      { claimNo: "IS-2026-0002", status: "RECEIVED" },
    ]);
    expect(t.finance.control.fiscalClaims()).toEqual([
      { claimNo: "IS-2026-0001", kind: "INTEREST_SUBSIDY", status: "PAID", itemCount: 2, amount: "40.56" },
      { claimNo: "IS-2026-0002", kind: "INTEREST_SUBSIDY", status: "PAID", itemCount: 1, amount: "20.28" },
    ]);
    const stored = await t.hub.db.prisma.fiscalClaim.findMany({
      where: { kind: "INTEREST_SUBSIDY" },
      orderBy: { claimNo: "asc" },
      select: { claimNo: true, itemCount: true, amount: true },
    });
    expect(stored.map((c) => [c.claimNo, c.itemCount, c.amount.toFixed(2)])).toEqual([
      ["IS-2026-0001", 2, "40.56"],
      ["IS-2026-0002", 1, "20.28"],
    ]);
  });

  test("a repeat claims and sends nothing again", async () => {
    const requests = t.finance.control.requestCount();
    expect(await claimInterestSubsidy(t.hub.services, 2026, actor, 2)).toHaveLength(2);
    expect(t.finance.control.requestCount()).toBe(requests);
    const unclaimed = await t.hub.db.prisma.interestCredit.count({
      where: { settlementYear: 2026, subsidy: { gt: 0 }, claimNo: null },
    });
    expect(unclaimed).toBe(0);
  });
});
