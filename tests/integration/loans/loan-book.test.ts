// The loan book over HTTP: application (quota, national platform, credit), disbursement with its schedule and
// national registration, repayments (prepayment shortening the term), the monthly run (a partial offset, overdue,
// write-off with its RISK_COMPENSATION claim), money out refused while a loan is applied for or outstanding, and the
// loan metrics. Every figure is hand-computed in the comments (r = 0.026 / 12 = 0.0021666…).
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { enrolWorker, payMonthsOnDay, type Worker } from "../../factories/agency-exchange";
import {
  applicationInput,
  apply,
  disburse,
  LOAN,
  type LoanView,
  repay,
  runMonth,
  schedule,
  setLiquidity,
} from "../../factories/loans";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { EXIT, WITHDRAW, type WithdrawPayloadView } from "../../factories/money";
import { key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
/** 2,000.00 a month for 2025-07 .. 2026-10: balance 32,000.00 on 2026-12-01. */
let a: Worker;
/** 1,000.00 a month for 2025-07 .. 2026-10 (balance 16,000.00): the loan settled at once. */
let c: Worker;
/** Same deposits; holds an HPF loan at another center (national platform). */
let d: Worker;
/** Same deposits; a SERIOUS credit report. */
let e: Worker;
let loanA: LoanView;

const ACCOUNT = `query Acc($n: String!) { account(accountNumber: $n) { balance withdrawableBalance hasOutstandingLoan
  loans { loanNumber status } } }`;

async function withdraw(accountNumber: string): Promise<WithdrawPayloadView> {
  const input = { accountNumber, amount: "100.00", requestedOn: "2026-12-20", idempotencyKey: key("wd") };
  const res = await t.gql<{ withdraw: WithdrawPayloadView }>(WITHDRAW, { input });
  return res.body.data!.withdraw;
}

async function exit(accountNumber: string): Promise<WithdrawPayloadView> {
  const input = { accountNumber, requestedOn: "2026-12-20", idempotencyKey: key("exit") };
  const res = await t.gql<{ exitAgreement: WithdrawPayloadView }>(EXIT, { input });
  return res.body.data!.exitAgreement;
}

async function account(n: string) {
  return (await t.gql<{ account: Record<string, unknown> }>(ACCOUNT, { n })).body.data!.account;
}

async function expectMetricsExact(): Promise<void> {
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
}

const enrolPaying = async (born: string, serial: number, amount: string) => {
  const w = await enrolWorker(t, {
    idNumber: makeIdNumber("140502", born, serial),
    enrolledOn: "2025-07-01",
    monthlyAmount: amount,
  });
  await payMonthsOnDay(t, w.accountNumber, monthRange("2025-07", "2026-10"), amount);
  return w;
};

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1);
  // The test's pool is tiny (80,000.00 of deposits), so the thresholds are set far above its ratios.
  await setLiquidity(t, "50", "60", "2023-07-01");
  a = await enrolPaying("1990-05-15", 13, "2000.00");
  c = await enrolPaying("1988-02-01", 23, "1000.00");
  d = await enrolPaying("1985-08-08", 33, "1000.00");
  e = await enrolPaying("1992-11-11", 43, "1000.00");
}, 300_000); // 64 deposits on 2 shared cores
afterAll(async () => {
  await expectLedgerBalanced(t);
  await expectMetricsExact();
  await t.close();
}, 60_000);

describe("applyForLoan", () => {
  it("refuses more than the quota on appliedOn", async () => {
    // 2026-12-01: base 25 × 32,000 = 800,000; 16 months → 0.8; 11 of the last 12 paid → 0.9; clean 1.0
    // 800,000 × 0.8 × 0.9 = 576,000.00 (caps: 1,100,000; capacity of 12,000 a month over 240 months; 1,600,000)
    const res = await apply(t, applicationInput(a.accountNumber, { amount: "576000.01" }));
    expect(res).toMatchObject({ loan: null, userErrors: [{ code: "EXCEEDS_QUOTA", field: "amount" }] });
  });

  it("approves 300,000 over 20 years at 2.6 % with the quota and its factors stored", async () => {
    const res = await apply(
      t,
      applicationInput(a.accountNumber, { amount: "300000.00", offsetFromBalance: true, termYears: 20 }),
    );
    expect(res.userErrors).toEqual([]);
    expect(res.warnings).toEqual([]);
    loanA = res.loan!;
    expect(loanA).toMatchObject({
      accountNumber: a.accountNumber,
      status: "APPROVED",
      amount: "300000.00",
      annualRate: "0.0260",
      termMonths: 240,
      method: "EQUAL_INSTALMENT",
      offsetFromBalance: true,
      appliedOn: "2026-12-01",
      disbursedOn: null,
      outstandingPrincipal: "0.00",
      quota: { eligible: true, quota: "576000.00", reasons: [] },
    });
    expect(loanA.quota.factors.map((f) => f.name)).toEqual([
      "BASE",
      "DURATION",
      "STABILITY",
      "CREDIT",
      "DEPOSIT_LINKED",
      "MAX_AMOUNT",
      "TERM",
      "RATE",
      "REPAYMENT_CAPACITY",
      "HOUSE_PRICE",
      "QUOTA",
    ]);
  });

  it("refuses a second application while one is approved (one loan at a time)", async () => {
    const res = await apply(t, applicationInput(a.accountNumber, { amount: "1000.00" }));
    expect(res.userErrors.map((u) => u.code)).toEqual(["LOAN_OUTSTANDING"]);
  });

  it("refuses when the national platform reports an HPF loan at another center, and counts the block", async () => {
    t.national.control.addLoan({
      idNumber: d.idNumber,
      centerCode: "440300",
      loanNumber: "GZ-2020-0001",
      outstanding: true,
    });
    const res = await apply(t, applicationInput(d.accountNumber));
    expect(res).toMatchObject({ loan: null, userErrors: [{ code: "DUPLICATE_LOAN" }] });
  });

  it("refuses a SERIOUS credit report (and records that the report was pulled, for the worker to see)", async () => {
    t.credit.control.setReport({ idNumber: e.idNumber, level: "SERIOUS", dishonestList: false });
    const res = await apply(t, applicationInput(e.accountNumber));
    expect(res).toMatchObject({ loan: null, userErrors: [{ code: "CREDIT_SERIOUS" }] });
    const mine = await t.gql<{ myDataAccess: { edges: { node: Record<string, string> }[] } }>(
      `{ myDataAccess(first: 5) { edges { node { consumerRole consumerSub operation purpose } } } }`,
      {},
      { as: "WORKER", sub: e.accountNumber },
    );
    expect(mine.body.data!.myDataAccess.edges.map((x) => x.node)).toEqual(
      expect.arrayContaining([
        {
          // the pull is made for the operator's application, so it names the operator; the agency is in the purpose
          consumerRole: "CENTER_OPERATOR",
          consumerSub: "center_operator-test",
          operation: "getReport",
          purpose: "征信报告查询（住房公积金贷款） credit report for an HPF loan → credit-reference-center",
        },
      ]),
    );
  });

  it("refuses money out while the loan is in application", async () => {
    expect((await withdraw(a.accountNumber)).userErrors.map((u) => u.code)).toEqual(["LOAN_OUTSTANDING"]);
    expect(await account(a.accountNumber)).toMatchObject({
      hasOutstandingLoan: true,
      withdrawableBalance: "0.00",
      loans: [{ loanNumber: loanA.loanNumber, status: "APPROVED" }],
    });
  });
});

describe("disburseLoan", () => {
  it("pays the loan out, writes the schedule and registers it nationally", async () => {
    const res = await disburse(t, loanA.loanNumber, "2026-12-15");
    expect(res.loan).toMatchObject({
      status: "DISBURSED",
      disbursedOn: "2026-12-15",
      outstandingPrincipal: "300000.00",
    });
    // payment = P·r·(1+r)^n / ((1+r)^n − 1) = 300000 × 0.0021666… × 1.681081739… / 0.681081739… = 1604.364… → 1604.36
    // #1 interest 300000 × 0.026 / 12 = 650.00, principal 954.36; #120 and #240 as iterated in
    // tests/unit/loans/loan-schedule.rule.test.ts (Python decimal, half-up per step): #120 1234.71 + 369.65,
    // #240 the remaining 1602.22 + 1602.22 × 0.026 / 12 = 3.4714 → 3.47, total 1605.69
    const first = await schedule(t, loanA.loanNumber, 1);
    expect(first).toEqual([
      {
        number: 1,
        period: "2027-01",
        principal: "954.36",
        interest: "650.00",
        total: "1604.36",
        paid: "0.00",
        status: "DUE",
      },
    ]);
    expect((await schedule(t, loanA.loanNumber, 1, 119))[0]).toMatchObject({
      number: 120,
      period: "2036-12",
      principal: "1234.71",
      interest: "369.65",
    });
    expect(await schedule(t, loanA.loanNumber, 5, 239)).toEqual([
      {
        number: 240,
        period: "2046-12",
        principal: "1602.22",
        interest: "3.47",
        total: "1605.69",
        paid: "0.00",
        status: "DUE",
      },
    ]);
    await t.hub.outbox.idle();
    await t.hub.outbox.dispatchDue();
    expect(t.national.control.loans()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ idNumber: a.idNumber, loanNumber: loanA.loanNumber, outstanding: true }),
      ]),
    );
  });

  it("refuses withdrawal and exit while the loan is outstanding", async () => {
    expect((await withdraw(a.accountNumber)).userErrors.map((u) => u.code)).toEqual(["LOAN_OUTSTANDING"]);
    expect((await exit(a.accountNumber)).userErrors.map((u) => u.code)).toEqual(["LOAN_OUTSTANDING"]);
  });

  it("settles a loan repaid in full and deregisters it nationally", async () => {
    const res = await apply(t, applicationInput(c.accountNumber, { amount: "50000.00", termYears: 5 }));
    expect(res.loan).toMatchObject({ annualRate: "0.0210", termMonths: 60 });
    await disburse(t, res.loan!.loanNumber, "2026-12-15");
    // Nothing is due before 2027-01: all 50,000.00 prepays principal, which settles the loan.
    const paid = await repay(t, res.loan!.loanNumber, "50000.00", "2026-12-20", false);
    expect(paid.loan).toMatchObject({ status: "SETTLED", outstandingPrincipal: "0.00" });
    await t.hub.outbox.idle();
    await t.hub.outbox.dispatchDue();
    expect(t.national.control.loans()).toEqual(
      expect.arrayContaining([expect.objectContaining({ loanNumber: res.loan!.loanNumber, outstanding: false })]),
    );
    expect((await withdraw(c.accountNumber)).userErrors).toEqual([]);
  });
});

describe("repayments and the monthly run", () => {
  it("offsets January's instalment from the balance", async () => {
    // balance 32,000.00 covers #1 (1,604.36); no other offset loan has anything due
    expect(await runMonth(t, "2027-01")).toEqual({
      period: "2027-01",
      offsets: 1,
      offsetAmount: "1604.36",
      due: 0,
      overdue: 0,
    });
    expect(await account(a.accountNumber)).toMatchObject({ balance: "30395.64" });
  });

  it("prepays 30,000.00 from the balance and shortens the term", async () => {
    // nothing due on 2027-01-20 (#1 paid): all 30,000.00 is principal; outstanding 299,045.64 − 30,000 = 269,045.64
    // n = ceil(−ln(1 − B·r/M) / ln(1 + r)) with B 269,045.64, M 1,604.36: B·r/M = 582.93222 / 1604.36 = 0.3633425…
    // −ln(0.6366574…) / 0.0021643… = 208.62… → 209 months: #2 .. #210 (the plan had 239 left, to #240)
    // #2 interest 269,045.64 × 0.026 / 12 = 582.93222 → 582.93, principal 1,021.43
    // #210 (iterated with Python decimal, half-up per step): principal 994.81, interest 2.16, total 996.97
    const res = await repay(t, loanA.loanNumber, "30000.00", "2027-01-20", true);
    expect(res.loan).toMatchObject({ status: "DISBURSED", outstandingPrincipal: "269045.64" });
    expect(await schedule(t, loanA.loanNumber, 1, 1)).toEqual([
      {
        number: 2,
        period: "2027-02",
        principal: "1021.43",
        interest: "582.93",
        total: "1604.36",
        paid: "0.00",
        status: "DUE",
      },
    ]);
    expect(await schedule(t, loanA.loanNumber, 5, 209)).toEqual([
      {
        number: 210,
        period: "2044-06",
        principal: "994.81",
        interest: "2.16",
        total: "996.97",
        paid: "0.00",
        status: "DUE",
      },
    ]);
    expect(await account(a.accountNumber)).toMatchObject({ balance: "395.64" });
  });

  it("offsets only what the balance covers; the rest is due from the bank", async () => {
    // #2 is 1,604.36; the balance 395.64 pays that much of its interest (582.93) first
    expect(await runMonth(t, "2027-02")).toEqual({
      period: "2027-02",
      offsets: 1,
      offsetAmount: "395.64",
      due: 1,
      overdue: 0,
    });
    expect(await schedule(t, loanA.loanNumber, 1, 1)).toEqual([
      {
        number: 2,
        period: "2027-02",
        principal: "1021.43",
        interest: "582.93",
        total: "1604.36",
        paid: "395.64",
        status: "DUE",
      },
    ]);
    // the rest by bank: 1,604.36 − 395.64 = 1,208.72 (187.29 interest, 1,021.43 principal) → 268,024.21 left
    const res = await repay(t, loanA.loanNumber, "1208.72", "2027-02-25", false);
    expect(res.loan).toMatchObject({ outstandingPrincipal: "268024.21", overdueInstalments: 0 });
  });

  it("marks an instalment unpaid at the end of its month overdue", async () => {
    expect(await runMonth(t, "2027-03")).toMatchObject({ offsets: 0, due: 1, overdue: 0 });
    expect(await runMonth(t, "2027-04")).toMatchObject({ offsets: 0, due: 1, overdue: 1 });
    const view = await t.gql<{ loan: LoanView }>(LOAN, { loanNumber: loanA.loanNumber, first: 1 });
    expect(view.body.data!.loan).toMatchObject({ overdueInstalments: 1 });
    const m = (await pilotMetrics(t, { from: "2027-04", to: "2027-04" })).body.data!.pilotMetrics;
    expect(m.loanOverdueCount).toBe(1);
  });

  it("writes the loan off 6 months after its oldest unpaid instalment and claims the principal from finance", async () => {
    // #3 (2027-03) unpaid; run 2027-09: 2027-03 ≤ 2027-09 − 6 months → written off, 268,024.21 claimed
    expect(await runMonth(t, "2027-09")).toMatchObject({ offsets: 0, due: 0, overdue: 0 });
    const view = await t.gql<{ loan: LoanView }>(LOAN, { loanNumber: loanA.loanNumber, first: 1 });
    expect(view.body.data!.loan).toMatchObject({ status: "WRITTEN_OFF", outstandingPrincipal: "0.00" });
    expect(t.finance.control.fiscalClaims()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          claimNo: "RC-2027-09-0001",
          kind: "RISK_COMPENSATION",
          itemCount: 1,
          amount: "268024.21",
        }),
      ]),
    );
    const m = (await pilotMetrics(t, { from: "2027-09", to: "2027-09" })).body.data!.pilotMetrics;
    expect(m.loanOverdueCount).toBe(0);
    await expectMetricsExact();
  });
});

describe("loan metrics", () => {
  it("counts applications, disbursements, duplicate blocks and the pool's 个贷率", async () => {
    // applications in 2026-12: A over quota, A approved, A again, D duplicate, E serious, C approved = 6
    // disbursed: A 300,000.00 and C 50,000.00; C settled in December, so 300,000.00 is outstanding at the end
    // pool: 32,000 + 3 × 16,000 = 80,000.00 of deposits; C withdrew 100.00 → 79,900.00; 300,000 / 79,900 = 3.75469… → 3.7547
    const m = (await pilotMetrics(t, { from: "2026-12", to: "2026-12" })).body.data!.pilotMetrics;
    expect(m).toMatchObject({
      loanApplications: 6,
      loanCount: 2,
      loanAmount: "350000.00",
      duplicateBlocks: 1,
      loanToDepositRatio: "3.7547",
      liquidityLevel: "NORMAL",
      loanOverdueCount: 0,
    });
  });
});
