// One loan at a time per person under concurrency: 8 applications of one person at once (distinct idempotency keys)
// give at most one loan; the others are refused with LOAN_OUTSTANDING. The account's ledger-row lock serialises the
// writes; the partial unique index loan(person_id) WHERE status IN ('APPROVED', 'DISBURSED') is the backstop.
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { enrolWorker, payMonthsOnDay } from "../../factories/agency-exchange";
import { applicationInput, apply, setLiquidity } from "../../factories/loans";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

// PGlite runs one statement at a time, so requests never overlap inside the database there: real concurrency needs
// PostgreSQL (CI runs the db project on PostgreSQL with DATABASE_URL set).
const onPostgres = Boolean(process.env.DATABASE_URL);
const describeOnPostgres = onPostgres ? describe : describe.skip;

let t: TestHub;
beforeAll(async () => {
  if (onPostgres) t = await startTestHub();
}, 120_000);
afterAll(async () => {
  if (!onPostgres) return;
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describeOnPostgres("concurrent loan applications of one person (PostgreSQL)", () => {
  test("8 applications at once: exactly one loan, seven LOAN_OUTSTANDING, eight applications counted", async () => {
    await setLiquidity(t, "50", "60", "2023-07-01");
    const w = await enrolWorker(t, { idNumber: makeIdNumber("140502", "1990-05-15", 13), enrolledOn: "2025-07-01" });
    await payMonthsOnDay(t, w.accountNumber, monthRange("2025-07", "2026-10"), "1000.00");
    // quota on 2026-12-01: 25 × 16,000 × 0.8 × 0.9 = 288,000.00; each asks 100,000.00
    const results = await Promise.all(
      Array.from({ length: 8 }, () => apply(t, applicationInput(w.accountNumber, { amount: "100000.00" }))),
    );
    const winners = results.filter((r) => r.loan !== null);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.loan === null).map((r) => r.userErrors.map((u) => u.code))).toEqual(
      Array.from({ length: 7 }, () => ["LOAN_OUTSTANDING"]),
    );
    const [open] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM loan l JOIN account a ON a.id = l.account_id WHERE a.account_number = ${w.accountNumber}`;
    expect(Number(open!.n)).toBe(1);
    const [apps] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM loan_application`;
    expect(Number(apps!.n)).toBe(8);
  });
});
