// The monthly run's offsets as planned inside the database (decision 022): an offset that covers an older unpaid
// instalment and part of the current one (oldest first, interest before principal, as far as the balance goes), and
// two runs of one period at once (distinct keys) taking what is unpaid once between them. Two borrowers, each with
// 1,750.00 (7 months x 250.00) and a 12,000.00 loan over 1 year, 等额本金 at 2.1 % (5 years or less):
// principal 1,000.00 a month; interest #1 = 12,000.00 x 0.021 / 12 = 21.00, #2 = 11,000.00 x 0.021 / 12 = 19.25.
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { enrolWorker, payMonthsOnDay, type Worker } from "../../factories/agency-exchange";
import {
  applicationInput,
  apply,
  disburse,
  type LoanRunView,
  RUN,
  schedule,
  setLiquidity,
} from "../../factories/loans";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
const borrowers: { worker: Worker; loanNumber: string }[] = [];

const BALANCE = `query B($n: String!) { account(accountNumber: $n) { balance } }`;
async function balance(accountNumber: string): Promise<string> {
  return (await t.gql<{ account: { balance: string } }>(BALANCE, { n: accountNumber })).body.data!.account.balance;
}

async function run(period: string): Promise<LoanRunView> {
  const res = await t.gql<{ runLoanRepayments: { run: LoanRunView | null } }>(
    RUN,
    { period, key: key("run") },
    { as: "CENTER_ADMIN" },
  );
  if (!res.body.data?.runLoanRepayments.run) throw new Error(JSON.stringify(res.body));
  return res.body.data.runLoanRepayments.run;
}

beforeAll(async () => {
  t = await startTestHub();
  await setLiquidity(t, "50", "60", "2023-07-01"); // the test's pool is tiny
  for (const serial of [61, 71]) {
    const worker = await enrolWorker(t, {
      idNumber: makeIdNumber("140502", "1991-04-04", serial),
      enrolledOn: "2026-05-01",
      monthlyAmount: "250.00",
    });
    await payMonthsOnDay(t, worker.accountNumber, monthRange("2026-05", "2026-11"), "250.00");
    const applied = await apply(
      t,
      applicationInput(worker.accountNumber, {
        amount: "12000.00",
        termYears: 1,
        method: "EQUAL_PRINCIPAL",
        offsetFromBalance: true,
      }),
    );
    if (!applied.loan) throw new Error(JSON.stringify(applied.userErrors));
    await disburse(t, applied.loan.loanNumber, "2026-12-05");
    borrowers.push({ worker, loanNumber: applied.loan.loanNumber });
  }
}, 300_000);

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("offsets planned in the database", () => {
  it("pays the older instalment, then the current one's interest and as much principal as the balance goes", async () => {
    // no run for 2027-01: #1 (1,021.00) and #2 (1,019.25) are both unpaid in 2027-02; each balance is 1,750.00:
    // #1 in full, #2's interest 19.25, #2's principal 1,750.00 − 1,021.00 − 19.25 = 709.75
    expect(await run("2027-02")).toEqual({
      period: "2027-02",
      offsets: 4,
      offsetAmount: "3500.00",
      due: 2,
      overdue: 0,
    });
    for (const b of borrowers) {
      expect(await schedule(t, b.loanNumber, 2)).toEqual([
        {
          number: 1,
          period: "2027-01",
          principal: "1000.00",
          interest: "21.00",
          total: "1021.00",
          paid: "1021.00",
          status: "PAID",
        },
        {
          number: 2,
          period: "2027-02",
          principal: "1000.00",
          interest: "19.25",
          total: "1019.25",
          paid: "729.00",
          status: "DUE",
        },
      ]);
      expect(await balance(b.worker.accountNumber)).toBe("0.00");
    }
  });

  it("two runs of one period at once take what is unpaid once between them", async () => {
    for (const b of borrowers) await payMonthsOnDay(t, b.worker.accountNumber, ["2026-12"], "250.00", "01");
    // #2 still owes 1,019.25 − 729.00 = 290.25; each new balance of 250.00 goes to it once
    const runs = await Promise.all([run("2027-02"), run("2027-02")]);
    expect(runs.reduce((n, r) => n + r.offsets, 0)).toBe(2);
    expect(runs.map((r) => r.offsetAmount).sort()).toEqual(
      runs[0]!.offsets === 2 || runs[1]!.offsets === 2 ? ["0.00", "500.00"] : ["250.00", "250.00"],
    );
    for (const b of borrowers) {
      expect((await schedule(t, b.loanNumber, 1, 1))[0]).toMatchObject({ number: 2, paid: "979.00", status: "DUE" });
      expect(await balance(b.worker.accountNumber)).toBe("0.00");
    }
    const [offsets] = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM posting WHERE kind = 'LOAN_OFFSET'`;
    expect(Number(offsets!.n)).toBe(4); // two in the first run, one per borrower across the two runs
  });
});
