// Claiming graduate subsidies over HTTP: who is claimed, for how much, never twice, and who may ask.
// Each test works on its own month, since a claim takes every qualifying deposit of the month.
import { key } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";
import { accountState, claim, claimedBatch, enrolGraduate, pay, settle, storedClaims } from "./subsidy-steps";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

describe("claimGraduateSubsidies", () => {
  it("claims the last month of the five-year graduation window and not the first month after it", async () => {
    const last = await enrolGraduate(t, "BACHELOR", "2021-08-15"); // window 2021-08 .. 2026-08
    const after = await enrolGraduate(t, "BACHELOR", "2021-07-31"); // window 2021-07 .. 2026-07
    await pay(t, last, "2026-08", "300.00");
    await pay(t, after, "2026-08", "300.00");
    const batch = await claimedBatch(t, "2026-08");
    expect(batch).toEqual({
      batchNo: "GS-202608-0001",
      period: "2026-08",
      status: "RECEIVED",
      claimCount: 1,
      amount: "150.00",
      paidCount: 0,
      paidAmount: "0.00",
    });
    expect(t.finance.control.batches()).toContainEqual(
      expect.objectContaining({ batchNo: "GS-202608-0001", claimCount: 1 }),
    );
    await settle(t, batch.batchNo);
    expect((await accountState(t, last)).subsidies).toEqual([
      { amount: "150.00", period: "2026-08", postedOn: expect.any(String) },
    ]);
    expect((await accountState(t, after)).subsidies).toEqual([]);
  });

  it("claims half of the deposit, at most 200.00, and nothing for a worker without a college degree", async () => {
    const small = await enrolGraduate(t, "VOCATIONAL", "2024-06-30");
    const large = await enrolGraduate(t, "DOCTOR", "2025-01-10");
    const none = await enrolGraduate(t, "NONE", "2024-06-30");
    const unknown = await enrolGraduate(t, null, null);
    for (const [account, amount] of [
      [small, "300.00"],
      [large, "1000.00"],
      [none, "1000.00"],
      [unknown, "1000.00"],
    ] as const)
      await pay(t, account, "2026-09", amount);
    const batch = await claimedBatch(t, "2026-09");
    expect(batch).toMatchObject({ batchNo: "GS-202609-0001", claimCount: 2, amount: "350.00" });
    expect((await storedClaims(t, batch.batchNo)).map((c) => c.amount).sort()).toEqual(["150.00", "200.00"]);
  });

  it("claims nobody twice for one month and puts late deposits in a second batch", async () => {
    const early = await enrolGraduate(t, "MASTER", "2023-06-30");
    await pay(t, early, "2026-10", "500.00");
    const first = await claimedBatch(t, "2026-10");
    const again = await claim(t, "2026-10");
    expect(again.body.data?.claimGraduateSubsidies).toMatchObject({
      batch: null,
      userErrors: [{ code: "NOTHING_TO_CLAIM", field: "period" }],
    });
    const late = await enrolGraduate(t, "BACHELOR", "2023-06-30");
    await pay(t, late, "2026-10", "260.00");
    const second = await claimedBatch(t, "2026-10");
    expect([first.batchNo, second.batchNo]).toEqual(["GS-202610-0001", "GS-202610-0002"]);
    expect(second).toMatchObject({ claimCount: 1, amount: "130.00" });
    expect(await t.hub.db.prisma.subsidyClaim.count({ where: { period: "2026-10" } })).toBe(2);
  });

  it("answers a replay with the batch of the first call and claims nothing more", async () => {
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2026-11", "400.00");
    const idempotencyKey = key("claim");
    const first = await claim(t, "2026-11", idempotencyKey);
    const replays = await Promise.all([claim(t, "2026-11", idempotencyKey), claim(t, "2026-11", idempotencyKey)]);
    for (const replay of replays)
      expect(replay.body.data?.claimGraduateSubsidies.batch).toEqual(first.body.data?.claimGraduateSubsidies.batch);
    expect(await t.hub.db.prisma.subsidyBatch.count({ where: { period: "2026-11" } })).toBe(1);
  });

  it("claims every qualifying worker once when two claims of a month run at the same time", async () => {
    const workers = [await enrolGraduate(t, "BACHELOR", "2024-06-30"), await enrolGraduate(t, "MASTER", "2022-12-01")];
    for (const w of workers) await pay(t, w, "2026-12", "300.00");
    const answers = await Promise.all([claim(t, "2026-12"), claim(t, "2026-12")]);
    const codes = answers
      .map(
        (a) =>
          a.body.data?.claimGraduateSubsidies.batch?.batchNo ?? a.body.data?.claimGraduateSubsidies.userErrors[0]?.code,
      )
      .sort();
    expect(codes).toEqual(["GS-202612-0001", "NOTHING_TO_CLAIM"]);
    expect(await t.hub.db.prisma.subsidyClaim.count({ where: { period: "2026-12" } })).toBe(2);
  });

  it("answers NOTHING_TO_CLAIM for a month nobody qualifies in, storing nothing", async () => {
    const res = await claim(t, "2025-01");
    expect(res.body.data?.claimGraduateSubsidies.userErrors.map((e) => e.code)).toEqual(["NOTHING_TO_CLAIM"]);
    expect(await t.hub.db.prisma.subsidyBatch.count({ where: { period: "2025-01" } })).toBe(0);
  });
});

describe("who may claim and settle", () => {
  it.each(["CENTER_OPERATOR", "WORKER", "FINANCE_BUREAU", "LEADERSHIP", "AUDITOR"] as const)(
    "refuses %s on both operations",
    async (role) => {
      expect(errorCodes(await claim(t, "2026-08", key("claim"), { as: role }))).toEqual(["FORBIDDEN"]);
      expect(errorCodes(await settle(t, "GS-202608-0001", key("settle"), { as: role }))).toEqual(["FORBIDDEN"]);
    },
  );

  it("answers BATCH_NOT_FOUND for a batch number the hub never issued", async () => {
    const res = await settle(t, "GS-209901-0001");
    expect(res.body.data?.settleGraduateSubsidies).toMatchObject({
      batch: null,
      userErrors: [{ code: "BATCH_NOT_FOUND", field: "batchNo" }],
    });
  });
});
