import { toMoney } from "../../../src/domain/money/money";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { accountMoney, exitAgreement, importPayouts, openWithDeposits, withdraw } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  // A handful of people per cell: publish every cell so the figures can be checked (small cells: small-cells.test.ts).
  await setMinimumCellSize(t, 1);
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

const TWO_MONTHS: [string, string, string][] = [
  ["2026-07", "1000.00", "2026-07-10"],
  ["2026-08", "1000.00", "2026-08-10"],
];

describe("withdraw", () => {
  test("debits any amount up to the balance on requestedOn, with a payout reference", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const first = await withdraw(t, n, "500.00", "2026-09-01");
    expect(first.userErrors).toEqual([]);
    expect(first.entry).toMatchObject({
      kind: "WITHDRAWAL",
      amount: "-500.00",
      postedOn: "2026-09-01",
      balanceAfter: "1500.00",
    });
    expect(first.entry!.paymentRef).toMatch(/^WD-\d+$/);
    expect(first.entries).toEqual([first.entry]);
    expect(first.account).toMatchObject({
      balance: "1500.00",
      withdrawableBalance: "1500.00",
      hasOutstandingLoan: false,
    });
    const second = await withdraw(t, n, "1500.00", "2026-09-02");
    expect(second.account!.balance).toBe("0.00");
    const view = await accountMoney(t, n);
    expect(view.entries.filter((e) => e.kind === "WITHDRAWAL").map((e) => e.paymentRef)).toEqual([
      first.entry!.paymentRef,
      second.entry!.paymentRef,
    ]);
  });

  test("refuses with a stable code and writes nothing: over the balance, malformed, unknown account", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const entriesBefore = await t.hub.db.prisma.ledgerEntry.count();
    expect((await withdraw(t, n, "2000.01", "2026-09-01")).userErrors.map((e) => e.code)).toEqual([
      "EXCEEDS_WITHDRAWABLE",
    ]);
    expect((await withdraw(t, n, "0.00", "2026-09-01")).userErrors.map((e) => e.code)).toEqual(["INVALID_AMOUNT"]);
    expect((await withdraw(t, "1405009999999999", "1.00", "2026-09-01")).userErrors.map((e) => e.code)).toEqual([
      "ACCOUNT_NOT_FOUND",
    ]);
    const malformed = await t.gql(
      `mutation { withdraw(input: { accountNumber: "${n}", amount: "1.001", requestedOn: "2026-09-01", idempotencyKey: "${key("wd")}" }) { userErrors { code } } }`,
    );
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await t.hub.db.prisma.ledgerEntry.count()).toBe(entriesBefore);
  });

  test("replays the first result for the same key and refuses the key with another input", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const idempotencyKey = key("wd");
    const first = await withdraw(t, n, "100.00", "2026-09-01", {}, idempotencyKey);
    const again = await withdraw(t, n, "100.00", "2026-09-01", {}, idempotencyKey);
    expect(again).toEqual(first);
    expect((await accountMoney(t, n)).balance).toBe("1900.00");
    expect((await withdraw(t, n, "200.00", "2026-09-01", {}, idempotencyKey)).userErrors.map((e) => e.code)).toEqual([
      "IDEMPOTENCY_KEY_REUSED",
    ]);
  });

  test("lets a WORKER withdraw from their own account only; another account looks missing", async () => {
    const own = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const other = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    expect((await withdraw(t, own, "10.00", "2026-09-01", { as: "WORKER", sub: own })).userErrors).toEqual([]);
    const foreign = await withdraw(t, other, "10.00", "2026-09-01", { as: "WORKER", sub: own });
    expect(foreign).toEqual({
      account: null,
      entry: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "ACCOUNT_NOT_FOUND" })],
    });
    expect((await accountMoney(t, other)).balance).toBe("2000.00");
    const forbidden = await t.gql(
      `mutation { settleInterest(settlementYear: 2026, asOf: "2027-07-01", idempotencyKey: "${key("s")}") { userErrors { code } } }`,
      {},
      { as: "WORKER", sub: own },
    );
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("exitAgreement", () => {
  test("settles the unsettled year, credits interest to the day before, pays out everything, closes with code 05", async () => {
    // Opened 2026-06-01: 1,000.00 paid 2026-06-20 (settlement year 2025), 1,000.00 paid 2026-07-10; exit on 2026-10-15.
    // Year 2025 (2025-07-01..2026-06-30) not settled yet: 2026-06-20..06-30 = 11 days x 1,000.00 = 11,000.00
    //   x 0.015 / 360 = 0.458333 -> 0.46, posted on 2026-06-30 (no subsidy: opened during that year).
    // Exit interest, 2026-07-01..2026-10-14:
    //   2026-07-01..2026-07-09   9 days x 1,000.46 =   9,004.14
    //   2026-07-10..2026-10-14  97 days x 2,000.46 = 194,044.62   (Jul 22 + Aug 31 + Sep 30 + Oct 14)
    //   积数 203,048.76 x 0.015 / 360 = 3,045.7314 / 360 = 8.46037 -> 8.46
    const n = await openWithDeposits(t, "2026-06-01", [
      ["2026-06", "1000.00", "2026-06-20"],
      ["2026-07", "1000.00", "2026-07-10"],
    ]);
    const exit = await exitAgreement(t, n, "2026-10-15");
    expect(exit.userErrors).toEqual([]);
    expect(exit.entries.map((e) => [e.kind, e.amount, e.postedOn, e.balanceAfter])).toEqual([
      ["INTEREST", "0.46", "2026-06-30", "2000.46"],
      ["INTEREST", "8.46", "2026-10-15", "2008.92"],
      ["EXIT_PAYOUT", "-2008.92", "2026-10-15", "0.00"],
    ]);
    expect(exit.entry).toEqual(exit.entries[2]);
    expect(exit.entry!.paymentRef).toMatch(/^EX-\d+$/);
    expect(exit.account).toMatchObject({ status: "CLOSED", balance: "0.00", withdrawableBalance: "0.00" });
    const row = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber: n } });
    expect(row.closeCode).toBe("05");
    const deregistered = await t.hub.db.prisma.outboxMessage.findMany({
      where: { topic: "national.deregisterAccount" },
    });
    expect(deregistered.map((m) => (m.payload as { accountNumber: string }).accountNumber)).toContain(n);
    // A closed account can neither withdraw nor exit again.
    expect((await withdraw(t, n, "1.00", "2026-10-16")).userErrors.map((e) => e.code)).toEqual(["ACCOUNT_NOT_ACTIVE"]);
    expect((await exitAgreement(t, n, "2026-10-16")).userErrors.map((e) => e.code)).toEqual(["ACCOUNT_NOT_ACTIVE"]);
  });

  test("counts the exit and the payout in the pilot metrics", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const before = (await pilotMetrics(t, { from: "2026-11", to: "2026-11" })).body.data!.pilotMetrics;
    await exitAgreement(t, n, "2026-11-01");
    const after = (await pilotMetrics(t, { from: "2026-11", to: "2026-11" })).body.data!.pilotMetrics;
    expect(after.exitedTotal - before.exitedTotal).toBe(1);
    expect(after.activeAccounts - before.activeAccounts).toBe(-1);
    // The payout: 2,000.00 plus interest 2026-07-01..10-31: 07-10..08-09 31 x 1,000.00 + 08-10..10-31 83 x 2,000.00
    // = 197,000.00 x 0.015 / 360 = 8.2083 -> 8.21
    expect(toMoney(after.withdrawalAmount).minus(toMoney(before.withdrawalAmount)).toFixed(2)).toBe("2008.21");
  });
});

describe("bank payout file", () => {
  test("SUCCESS confirms; FAILED credits back exactly once as REVERSAL; unknown refs and other amounts are rejected by line", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const before = (await pilotMetrics(t, { from: "2026-09", to: "2026-09" })).body.data!.pilotMetrics.withdrawalAmount;
    const ok = (await withdraw(t, n, "300.00", "2026-09-01")).entry!.paymentRef!;
    const bad = (await withdraw(t, n, "200.00", "2026-09-01")).entry!.paymentRef!;
    const rows = [
      `${ok},${n},300.00,2026-09-03,SUCCESS,`,
      `${bad},${n},200.00,2026-09-03,FAILED,账户状态异常`,
      `WD-999999999,${n},10.00,2026-09-03,SUCCESS,`,
      `${bad},${n},201.00,2026-09-03,FAILED,`,
    ];
    expect(await importPayouts(t, rows)).toEqual({
      accepted: 2,
      rejected: 2,
      duplicates: 0,
      missed: 1,
      rows: 4,
      errors: [
        expect.objectContaining({ code: "UNKNOWN_PAYOUT_REF", field: "line:4" }),
        expect.objectContaining({ code: "AMOUNT_MISMATCH", field: "line:5" }),
      ],
    });
    // The same rows again, in another file: nothing twice.
    expect(await importPayouts(t, rows.slice(0, 2))).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    const view = await accountMoney(t, n);
    expect(view.balance).toBe("1700.00");
    expect(view.entries.filter((e) => e.kind === "REVERSAL").map((e) => [e.amount, e.postedOn])).toEqual([
      ["200.00", "2026-09-03"],
    ]);
    const september = (await pilotMetrics(t, { from: "2026-09", to: "2026-09" })).body.data!.pilotMetrics;
    // 500.00 withdrawn, 200.00 of it failed: 300.00 more, net of the payout the bank failed (in fen, to compare exactly).
    expect(toMoney(september.withdrawalAmount).minus(toMoney(before)).toFixed(2)).toBe("300.00");
  });

  test("a FAILED exit payout reopens the account SEALED with its balance", async () => {
    const n = await openWithDeposits(t, "2026-07-01", TWO_MONTHS);
    const exit = await exitAgreement(t, n, "2026-07-20");
    const payout = exit.entry!;
    const amount = payout.amount.slice(1);
    expect(await importPayouts(t, [`${payout.paymentRef},${n},${amount},2026-07-22,FAILED,账户已注销`])).toMatchObject({
      accepted: 1,
      missed: 1,
    });
    const view = await accountMoney(t, n);
    expect(view).toMatchObject({ status: "SEALED", balance: amount, withdrawableBalance: amount });
    // The money can leave again from the sealed account.
    expect((await withdraw(t, n, amount, "2026-07-25")).userErrors).toEqual([]);
  });
});
