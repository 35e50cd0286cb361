import { toMoney, ZERO } from "../../../src/domain/money/money";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, openWithDeposits, withdraw } from "../../factories/money";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

// PGlite runs one statement at a time, so requests never overlap inside the database there: real concurrency needs
// PostgreSQL (CI runs the db project on PostgreSQL with DATABASE_URL set).
const onPostgres = Boolean(process.env.DATABASE_URL);
const describeOnPostgres = onPostgres ? describe : describe.skip;

let t: TestHub;
beforeAll(async () => {
  if (onPostgres) t = await startTestHub();
});
afterAll(async () => {
  if (!onPostgres) return;
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describeOnPostgres("concurrent withdrawals (PostgreSQL)", () => {
  test("8 withdrawals that together exceed the balance: it never goes negative and the winners' sum fits", async () => {
    const n = await openWithDeposits(t, "2026-07-01", [
      ["2026-07", "1000.00", "2026-07-10"],
      ["2026-08", "1000.00", "2026-08-10"],
    ]);
    // 8 x 300.00 = 2,400.00 asked of 2,000.00: at most six can win.
    const results = await Promise.all(Array.from({ length: 8 }, () => withdraw(t, n, "300.00", "2026-09-01")));
    const winners = results.filter((r) => r.userErrors.length === 0);
    const losers = results.filter((r) => r.userErrors.length > 0);
    expect(winners).toHaveLength(6);
    expect(losers.map((r) => r.userErrors.map((e) => e.code))).toEqual([
      ["EXCEEDS_WITHDRAWABLE"],
      ["EXCEEDS_WITHDRAWABLE"],
    ]);
    const paid = winners.reduce((sum, r) => sum.plus(toMoney(r.entry!.amount).negated()), ZERO);
    expect(paid.toFixed(2)).toBe("1800.00");
    const view = await accountMoney(t, n);
    expect(view.balance).toBe("200.00");
    expect(
      view.entries.filter((e) => e.kind === "WITHDRAWAL").every((e) => !toMoney(e.balanceAfter).isNegative()),
    ).toBe(true);
    expect(new Set(winners.map((r) => r.entry!.paymentRef)).size).toBe(6);
  });
});
