// The interest subsidy requires that the owner had no loan outstanding on any day of the settlement year (domain.md
// "Interest"). The loan rows are written directly with the dates under test (the rule reads only the person, the
// disbursement date and the day the loan ended; the loan flows themselves are tested in loans/loan-book.test.ts).
import { runSettlement } from "../../../src/services/interest/settle-interest";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, openWithDeposits } from "../../factories/money";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
/** Account number by case. */
const acc: Record<string, string> = {};

/** A loan of the account's owner, disbursed on `disbursedOn` (null: approved only) and ended on `closedOn`. */
async function loanOf(
  accountNumber: string,
  n: number,
  status: string,
  disbursedOn: string | null,
  closedOn: string | null,
) {
  const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
  const day = (d: string | null) => (d === null ? null : new Date(`${d}T00:00:00Z`));
  await t.hub.db.prisma.loan.create({
    data: {
      loanNumber: `LN-INTEREST-${n}`,
      accountId: account.id,
      personId: account.personId,
      status,
      amount: "100000.00",
      annualRate: "0.02600",
      termMonths: 120,
      method: "EQUAL_INSTALMENT",
      offsetFromBalance: false,
      appliedOn: new Date("2024-12-01T00:00:00Z"),
      monthlyIncome: "8000.00",
      housePrice: "600000.00",
      firstHome: true,
      quota: {},
      disbursedOn: day(disbursedOn),
      outstandingPrincipal: status === "DISBURSED" ? "100000.00" : "0.00",
      closedOn: day(closedOn),
    },
  });
}

beforeAll(async () => {
  t = await startTestHub();
  for (const c of ["outstanding", "settledBefore", "disbursedDuring", "settledDuring", "approvedOnly"])
    acc[c] = await openWithDeposits(t, "2026-05-10", [["2026-05", "1000.00", "2026-05-10"]]);
  await loanOf(acc.outstanding!, 1, "DISBURSED", "2025-01-10", null);
  await loanOf(acc.settledBefore!, 2, "SETTLED", "2025-01-10", "2026-06-20");
  await loanOf(acc.disbursedDuring!, 3, "DISBURSED", "2027-03-01", null);
  await loanOf(acc.settledDuring!, 4, "SETTLED", "2025-01-10", "2026-09-15");
  await loanOf(acc.approvedOnly!, 5, "APPROVED", null, null);
}, 120_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

const credited = async (n: string) =>
  (await accountMoney(t, n)).entries
    .filter((e) => e.kind === "INTEREST" || e.kind === "INTEREST_SUBSIDY")
    .map((e) => [e.kind, e.amount])
    .sort();

test("no subsidy for a year during which the owner had a loan outstanding; a loan settled before 1 July allows it", async () => {
  // Settlement year 2026 (2026-07-01 .. 2027-06-30, 365 days); each account holds 1,000.00 all year, unused:
  //   积数 365,000.00; interest x 0.015 / 360 = 15.2083 -> 15.21; subsidy x 0.01 / 360 = 10.1389 -> 10.14
  //   outstanding (disbursed 2025-01-10, still outstanding)      -> no subsidy
  //   settledBefore (settled 2026-06-20, before 1 July)           -> subsidy 10.14
  //   disbursedDuring (disbursed 2027-03-01, in the year)         -> no subsidy
  //   settledDuring (settled 2026-09-15, outstanding until then)  -> no subsidy
  //   approvedOnly (never disbursed)                              -> subsidy 10.14
  //   totals: interest 5 x 15.21 = 76.05; subsidy 2 x 10.14 = 20.28
  const result = await runSettlement(t.hub.services, 2026, "2027-07-01", 2n);
  expect(result).toEqual({
    settlementYear: 2026,
    settledOn: "2027-06-30",
    accounts: 5,
    interestAmount: "76.05",
    subsidyAmount: "20.28",
  });
  const interestOnly = [["INTEREST", "15.21"]];
  const withSubsidy = [
    ["INTEREST", "15.21"],
    ["INTEREST_SUBSIDY", "10.14"],
  ];
  expect(await credited(acc.outstanding!)).toEqual(interestOnly);
  expect(await credited(acc.settledBefore!)).toEqual(withSubsidy);
  expect(await credited(acc.disbursedDuring!)).toEqual(interestOnly);
  expect(await credited(acc.settledDuring!)).toEqual(interestOnly);
  expect(await credited(acc.approvedOnly!)).toEqual(withSubsidy);
});
