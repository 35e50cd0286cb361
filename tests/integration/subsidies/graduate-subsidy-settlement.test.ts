// Settling graduate subsidies over HTTP: each claim finance paid is credited exactly once, however often and
// however concurrently settlement runs; rejected claims are never credited; an unpaid batch waits.
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";
import {
  accountState,
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
beforeEach(() => {
  t.finance.control.setMode("up");
  t.finance.control.setPayDelayS(0);
});

async function setParameter(name: string, value: string, effectiveFrom: string): Promise<void> {
  const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`,
    { input: { key: name, value, effectiveFrom, source: "settlement test", idempotencyKey: key("param") } },
    { as: "CENTER_ADMIN" },
  );
  expect(res.body.data?.setPolicyParameter.userErrors).toEqual([]);
}

describe("settleGraduateSubsidies", () => {
  it("credits each paid claim once when settlement is called three times and then five times at once", async () => {
    const a = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    const b = await enrolGraduate(t, "MASTER", "2023-01-15");
    await pay(t, a, "2026-08", "300.00");
    await pay(t, b, "2026-08", "1000.00");
    const batch = await claimedBatch(t, "2026-08");
    const before = await subsidyPostingCount(t);
    const sequential = [
      await settledBatch(t, batch.batchNo),
      await settledBatch(t, batch.batchNo),
      await settledBatch(t, batch.batchNo),
    ];
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => settle(t, batch.batchNo)));
    const expected = {
      batchNo: batch.batchNo,
      status: "PAID",
      claimCount: 2,
      amount: "350.00",
      paidCount: 2,
      paidAmount: "350.00",
    };
    for (const answer of sequential) expect(answer).toMatchObject(expected);
    for (const answer of concurrent) expect(answer.body.data?.settleGraduateSubsidies.batch).toMatchObject(expected);
    expect(await subsidyPostingCount(t)).toBe(before + 2);
    expect(await accountState(t, a)).toEqual({
      balance: "450.00",
      subsidies: [{ amount: "150.00", period: "2026-08", postedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }],
    });
    expect(await accountState(t, b)).toMatchObject({
      balance: "1200.00",
      subsidies: [{ amount: "200.00", period: "2026-08" }],
    });
    expect((await storedClaims(t, batch.batchNo)).every((c) => c.status === "PAID" && c.credited)).toBe(true);
  });

  it("credits each paid claim once when the first settlements all run at the same time", async () => {
    const workers = [
      await enrolGraduate(t, "VOCATIONAL", "2025-06-30"),
      await enrolGraduate(t, "DOCTOR", "2022-07-01"),
    ];
    for (const w of workers) await pay(t, w, "2026-09", "250.00");
    const batch = await claimedBatch(t, "2026-09");
    const before = await subsidyPostingCount(t);
    const answers = await Promise.all(Array.from({ length: 6 }, () => settle(t, batch.batchNo)));
    for (const answer of answers)
      expect(answer.body.data?.settleGraduateSubsidies.batch).toMatchObject({
        status: "PAID",
        paidCount: 2,
        paidAmount: "250.00",
      });
    expect(await subsidyPostingCount(t)).toBe(before + 2);
    for (const w of workers)
      expect(await accountState(t, w)).toMatchObject({ balance: "375.00", subsidies: [{ amount: "125.00" }] });
  });

  it("answers a replay under the same key without asking finance again", async () => {
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2026-10", "300.00");
    const batch = await claimedBatch(t, "2026-10");
    const idempotencyKey = key("settle");
    const first = await settle(t, batch.batchNo, idempotencyKey);
    t.finance.control.resetRequests();
    const replay = await settle(t, batch.batchNo, idempotencyKey);
    expect(replay.body.data?.settleGraduateSubsidies).toEqual(first.body.data?.settleGraduateSubsidies);
    expect(t.finance.control.requestCount()).toBe(0);
  });

  it("does not credit a claim finance rejected and records finance's reason", async () => {
    // The center raised its cap to 300.00 for 2026-11 only; finance still pays at most 200.00 a claim.
    await setParameter("graduateSubsidy.monthlyCap", "300.00", "2026-11-01");
    await setParameter("graduateSubsidy.monthlyCap", "200.00", "2026-12-01");
    const refused = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    const paid = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, refused, "2026-11", "1000.00");
    await pay(t, paid, "2026-11", "300.00");
    const batch = await claimedBatch(t, "2026-11");
    expect(batch).toMatchObject({ claimCount: 2, amount: "450.00" });
    expect(await settledBatch(t, batch.batchNo)).toMatchObject({
      status: "PARTIALLY_PAID",
      paidCount: 1,
      paidAmount: "150.00",
    });
    expect(await settledBatch(t, batch.batchNo)).toMatchObject({
      status: "PARTIALLY_PAID",
      paidCount: 1,
      paidAmount: "150.00",
    });
    expect(await accountState(t, refused)).toEqual({ balance: "1000.00", subsidies: [] });
    expect(await accountState(t, paid)).toMatchObject({ balance: "450.00", subsidies: [{ amount: "150.00" }] });
    expect((await storedClaims(t, batch.batchNo)).map((c) => [c.amount, c.status, c.reason, c.credited])).toEqual([
      ["300.00", "REJECTED", "AMOUNT_OUT_OF_RANGE", false],
      ["150.00", "PAID", null, true],
    ]);
  });

  it("credits nothing while finance has not paid yet, and credits the claims once it has", async () => {
    t.finance.control.setPayDelayS(3600);
    const worker = await enrolGraduate(t, "BACHELOR", "2024-06-30");
    await pay(t, worker, "2026-12", "300.00");
    const batch = await claimedBatch(t, "2026-12");
    expect(await settledBatch(t, batch.batchNo)).toMatchObject({
      status: "RECEIVED",
      paidCount: 0,
      paidAmount: "0.00",
    });
    expect(await accountState(t, worker)).toEqual({ balance: "300.00", subsidies: [] });
    t.finance.control.setPayDelayS(0);
    expect(await settledBatch(t, batch.batchNo)).toMatchObject({ status: "PAID", paidCount: 1, paidAmount: "150.00" });
    expect(await accountState(t, worker)).toMatchObject({ balance: "450.00", subsidies: [{ amount: "150.00" }] });
  });
});
