// Finance being down delays payment and loses nothing: a claimed batch is kept and resent, a settlement writes
// nothing and answers CONNECTOR_UNAVAILABLE; the monthly job claims, resends and settles on its own.
import { runMonthlySubsidies } from "../../../src/jobs/graduate-subsidy.job";
import { key, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";
import {
  accountState,
  claim,
  claimedBatch,
  enrolGraduate,
  pay,
  settle,
  settledBatch,
  storedClaims,
  subsidyPostingCount,
} from "./subsidy-steps";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);
beforeEach(() => t.finance.control.setMode("up"));

const financeHas = (batchNo: string) => t.finance.control.batches().some((b) => b.batchNo === batchNo);

describe("finance down", () => {
  it("keeps a batch claimed while finance is down and resends it on a later call", async () => {
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2026-08", "300.00");
    t.finance.control.setMode("down");
    const idempotencyKey = key("claim");
    const down = await claim(t, "2026-08", idempotencyKey);
    expect(down.body.data?.claimGraduateSubsidies).toMatchObject({
      batch: { batchNo: "GS-202608-0001", status: "CLAIMED", claimCount: 1 },
      userErrors: [],
    });
    expect(financeHas("GS-202608-0001")).toBe(false);
    t.finance.control.setMode("up");
    const replay = await claim(t, "2026-08", idempotencyKey);
    expect(replay.body.data?.claimGraduateSubsidies.batch).toMatchObject({
      batchNo: "GS-202608-0001",
      status: "RECEIVED",
    });
    expect(financeHas("GS-202608-0001")).toBe(true);
    expect(await settledBatch(t, "GS-202608-0001")).toMatchObject({ status: "PAID", paidAmount: "150.00" });
    expect(await accountState(t, worker)).toMatchObject({ balance: "450.00", subsidies: [{ amount: "150.00" }] });
  });

  it("answers CONNECTOR_UNAVAILABLE on settlement while finance is down, writes nothing, and settles once it is back", async () => {
    const worker = await enrolGraduate(t, "MASTER", "2024-06-30");
    await pay(t, worker, "2026-09", "1000.00");
    const batch = await claimedBatch(t, "2026-09");
    const postings = await subsidyPostingCount(t);
    t.finance.control.setMode("down");
    const idempotencyKey = key("settle");
    const down = await settle(t, batch.batchNo, idempotencyKey);
    expect(errorCodes(down)).toEqual(["CONNECTOR_UNAVAILABLE"]);
    expect(await subsidyPostingCount(t)).toBe(postings);
    expect(await storedClaims(t, batch.batchNo)).toEqual([
      expect.objectContaining({ status: "CLAIMED", credited: false }),
    ]);
    expect(await t.hub.db.prisma.idempotencyRecord.count({ where: { key: idempotencyKey } })).toBe(0);
    expect(await t.hub.db.prisma.subsidyBatch.findUnique({ where: { batchNo: batch.batchNo } })).toMatchObject({
      status: "RECEIVED",
      paidCount: 0,
    });
    t.finance.control.setMode("up");
    const back = await settle(t, batch.batchNo, idempotencyKey);
    expect(back.body.data?.settleGraduateSubsidies.batch).toMatchObject({
      status: "PAID",
      paidCount: 1,
      paidAmount: "200.00",
    });
    expect(await accountState(t, worker)).toMatchObject({ balance: "1200.00", subsidies: [{ amount: "200.00" }] });
  });

  it("sends a never-acknowledged batch first when it is settled", async () => {
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2026-10", "300.00");
    t.finance.control.setMode("down");
    expect((await claimedBatch(t, "2026-10")).status).toBe("CLAIMED");
    expect(errorCodes(await settle(t, "GS-202610-0001"))).toEqual(["CONNECTOR_UNAVAILABLE"]);
    t.finance.control.setMode("up");
    expect(await settledBatch(t, "GS-202610-0001")).toMatchObject({ status: "PAID", paidCount: 1 });
    expect(await accountState(t, worker)).toMatchObject({ balance: "450.00" });
  });
});

describe("runMonthlySubsidies", () => {
  it("claims the month, resends a batch finance missed, settles open batches, and credits nothing twice on a rerun", async () => {
    const missed = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, missed, "2026-11", "300.00");
    t.finance.control.setMode("down");
    expect((await claimedBatch(t, "2026-11")).status).toBe("CLAIMED");
    t.finance.control.setMode("up");
    const worker = await enrolGraduate(t, "VOCATIONAL", "2023-06-30");
    await pay(t, worker, "2026-12", "1000.00");
    const first = await runMonthlySubsidies(t.hub.services, "2026-12");
    expect(first).toMatchObject({
      period: "2026-12",
      claimed: "GS-202612-0001",
      resent: ["GS-202611-0001"],
      unavailable: [],
    });
    expect(first.settled.map((b) => [b.batchNo, b.status])).toEqual([
      ["GS-202611-0001", "PAID"],
      ["GS-202612-0001", "PAID"],
    ]);
    const postings = await subsidyPostingCount(t);
    const rerun = await runMonthlySubsidies(t.hub.services, "2026-12");
    expect(rerun).toMatchObject({ claimed: null, resent: [], settled: [], unavailable: [] });
    expect(await subsidyPostingCount(t)).toBe(postings);
    expect(await accountState(t, missed)).toMatchObject({
      balance: "450.00",
      subsidies: [{ amount: "150.00", period: "2026-11" }],
    });
    expect(await accountState(t, worker)).toMatchObject({
      balance: "1200.00",
      subsidies: [{ amount: "200.00", period: "2026-12" }],
    });
  });

  it("leaves batches open and reports them when finance is down, and settles them on the next run", async () => {
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2027-01", "300.00");
    t.finance.control.setMode("down");
    const down = await runMonthlySubsidies(t.hub.services, "2027-01");
    expect(down).toMatchObject({ claimed: "GS-202701-0001", unavailable: ["GS-202701-0001"], settled: [] });
    expect(await storedClaims(t, "GS-202701-0001")).toEqual([
      expect.objectContaining({ status: "CLAIMED", credited: false }),
    ]);
    t.finance.control.setMode("up");
    const back = await runMonthlySubsidies(t.hub.services, "2027-01");
    expect(back).toMatchObject({ resent: ["GS-202701-0001"], unavailable: [] });
    expect(back.settled).toEqual([
      expect.objectContaining({ batchNo: "GS-202701-0001", status: "PAID", paidAmount: "150.00" }),
    ]);
    expect(await accountState(t, worker)).toMatchObject({ balance: "450.00" });
  });

  it("claims a month back-paid after its batch exists on the next run, and never a month twice", async () => {
    // Both graduated 2024-06-30 (BACHELOR): 50 % of 300.00 = 150.00 a month.
    const onTime = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    const late = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, onTime, "2027-02", "300.00");
    const february = await runMonthlySubsidies(t.hub.services, "2027-02");
    expect(february).toMatchObject({ claimed: "GS-202702-0001", lateClaimed: [] });
    // The late worker back-pays February on 2027-03-05 (within the settlement year), after February's batch.
    const backPayment = {
      accountNumber: late,
      period: "2027-02",
      amount: "300.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("ref"),
      paidOn: "2027-03-05",
      idempotencyKey: key("dep"),
    };
    const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input: backPayment });
    expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
    await pay(t, late, "2027-03", "300.00");

    const march = await runMonthlySubsidies(t.hub.services, "2027-03");
    expect(march).toMatchObject({ claimed: "GS-202703-0001", lateClaimed: ["GS-202702-0002"], unavailable: [] });
    expect(march.settled.map((b) => [b.batchNo, b.status, b.paidAmount])).toEqual([
      ["GS-202703-0001", "PAID", "150.00"], // the month's own batch is claimed first
      ["GS-202702-0002", "PAID", "150.00"],
    ]);
    expect(await accountState(t, late)).toMatchObject({
      balance: "900.00", // 2 × 300.00 + 2 × 150.00
      subsidies: [
        { amount: "150.00", period: "2027-02" },
        { amount: "150.00", period: "2027-03" },
      ],
    });
    expect(await accountState(t, onTime)).toMatchObject({ balance: "450.00" }); // claimed once, in February's batch

    const postings = await subsidyPostingCount(t);
    const rerun = await runMonthlySubsidies(t.hub.services, "2027-03");
    expect(rerun).toMatchObject({ claimed: null, lateClaimed: [], settled: [] });
    const april = await runMonthlySubsidies(t.hub.services, "2027-04");
    expect(april).toMatchObject({ claimed: null, lateClaimed: [], settled: [] });
    expect(await subsidyPostingCount(t)).toBe(postings);
    const claims = await t.hub.db.prisma.subsidyClaim.groupBy({
      by: ["personId", "period"],
      where: { period: { in: ["2027-02", "2027-03"] } },
      _count: { _all: true },
    });
    expect(claims.map((c) => c._count._all)).toEqual([1, 1, 1]); // onTime 2027-02; late 2027-02 and 2027-03
  });
});
