import { runInterestSettlement } from "../../../src/jobs/interest-settlement.job";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, openWithDeposits, withdraw } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

async function postFile(csv: string, idempotencyKey: string, role: "CENTER_OPERATOR" | "WORKER" = "CENTER_OPERATOR") {
  const res = await fetch(`${t.url}/imports/bank-payouts`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await t.token(role)}`,
      "content-type": "text/csv",
      "idempotency-key": idempotencyKey,
    },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("POST /imports/bank-payouts", () => {
  test("streams a payout file: FAILED credits back once; the same file again under its key replays", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [["2026-07", "1000.00", "2026-07-10"]]);
    const ref = (await withdraw(t, n, "400.00", "2026-08-01")).entry!.paymentRef!;
    const csv = `payoutRef,accountNumber,amount,paidOn,result,reason\r\n${ref},${n},400.00,2026-08-02,FAILED,户名不符\r\n`;
    const idempotencyKey = key("stream");
    const first = await postFile(csv, idempotencyKey);
    expect(first).toEqual({
      status: 200,
      body: { accepted: 1, rejected: 0, duplicates: 0, missed: 1, rows: 1, errors: [] },
    });
    expect(await postFile(csv, idempotencyKey)).toEqual(first);
    expect((await postFile(csv, key("stream"))).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await accountMoney(t, n)).balance).toBe("1000.00");
  });

  test("refuses a WORKER and a body that is not text/csv", async () => {
    expect((await postFile("x", key("stream"), "WORKER")).status).toBe(403);
    const res = await fetch(`${t.url}/imports/bank-payouts`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await t.token("CENTER_OPERATOR")}`,
        "content-type": "application/json",
        "idempotency-key": key("s"),
      },
      body: "{}",
    });
    expect(res.status).toBe(415);
  });
});

describe("interest settlement job", () => {
  test("settles a year from a script's entry point, and a repeat credits nothing twice", async () => {
    // The one account of this file: 1,000.00 from 2026-07-10, 400.00 out on 08-01, credited back on 08-02:
    //   2026-07-10..2026-07-31  22 days x 1,000.00 =  22,000.00
    //   2026-08-01               1 day  x   600.00 =     600.00
    //   2026-08-02..2027-06-30 333 days x 1,000.00 = 333,000.00
    //   积数 355,600.00 x 0.015 / 360 = 14.8167 -> 14.82; no subsidy (a withdrawal during the year)
    const before = await t.hub.db.prisma.ledgerEntry.count({ where: { kind: "INTEREST" } });
    const first = await runInterestSettlement(t.hub.services, 2026, "2027-07-01");
    expect(first.settlement).toEqual({
      settlementYear: 2026,
      settledOn: "2027-06-30",
      accounts: 1,
      interestAmount: "14.82",
      subsidyAmount: "0.00",
    });
    expect(first.claims).toEqual([]);
    const credited = (await t.hub.db.prisma.ledgerEntry.count({ where: { kind: "INTEREST" } })) - before;
    expect(credited).toBe(2); // one INTEREST posting: the interest-expense debit and the worker credit
    const second = await runInterestSettlement(t.hub.services, 2026, "2027-07-02");
    expect(second.settlement).toEqual(first.settlement);
    expect((await t.hub.db.prisma.ledgerEntry.count({ where: { kind: "INTEREST" } })) - before).toBe(credited);
    await expect(runInterestSettlement(t.hub.services, 2027, "2028-06-30")).rejects.toThrow(/YEAR_NOT_ENDED/);
  });
});
