// Fraud bans over HTTP: recordFraudBan, Account.bans and who sees it, and every check that reads the ban store
// (withdraw, exitAgreement, rentalEligibility, the loanQuota gate), with bans from transfers and the national
// platform; and the credit report pulled for a quota showing in the worker's myDataAccess.
import { monthRange } from "../../../src/domain/calendar/calendar";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import {
  enrolWorker,
  lastExchangeRecordFor,
  payMonthsOnDay,
  RENTAL_ELIGIBILITY,
  type RentalEligibilityView,
  type Worker,
} from "../../factories/agency-exchange";
import { applicationInput, apply } from "../../factories/loans";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import { type AsOptions, errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const RECORD_BAN = `mutation Ban($input: FraudBanInput!) {
  recordFraudBan(input: $input) { ban { kind decidedOn until reason } userErrors { code field message } }
}`;
const BANS = `query Bans($n: String!) { account(accountNumber: $n) { accountNumber bans { kind decidedOn until reason } } }`;
const BANS_BY_ID = `query Bans($id: IdNumber!) { accountByIdNumber(idNumber: $id) { bans { kind } } }`;
const WITHDRAW = `mutation W($input: WithdrawInput!) {
  withdraw(input: $input) { account { balance } entry { kind amount } userErrors { code field message } }
}`;
const EXIT = `mutation X($input: ExitInput!) { exitAgreement(input: $input) { account { status } userErrors { code } } }`;
const QUOTA = `query Q($input: LoanQuotaInput!) { loanQuota(input: $input) { eligible quota reasons } }`;
const RECEIVE = `mutation R($input: TransferInInput!) {
  receiveTransfer(input: $input) { account { accountNumber status balance } userErrors { code } }
}`;
const MINE = `{ myDataAccess(first: 10) { edges { node { consumerRole consumerSub operation purpose } } } }`;

interface BanView {
  kind: string;
  decidedOn: string;
  until: string;
  reason: string;
}
type BanPayload = { recordFraudBan: { ban: BanView | null; userErrors: { code: string; field: string | null }[] } };

const ADMIN: AsOptions = { as: "CENTER_ADMIN", sub: "admin-ban" };
const rich = { monthlyIncome: "20000.00", housePrice: "2000000.00", termYears: 30, firstHome: true };

let t: TestHub;
/** Withdrawal fraud decided 2026-12-01 (until 2029-12-01); 1,000.00 a month for 2026-07 .. 2026-11. */
let w: Worker;
/** Loan fraud decided 2026-12-01 (until 2031-12-01); 1,000.00 a month for 2026-07 .. 2026-11. */
let l: Worker;
/** Withdrawal fraud decided 2023-08-01 (until 2026-08-01); 1,000.00 a month for 2025-07 .. 2026-07 (13 months). */
let r: Worker;

function banInput(idNumber: string, kind: string, decidedOn: string, idempotencyKey = key("ban")) {
  return { idNumber, kind, decidedOn, reason: "伪造租房合同骗取提取", idempotencyKey };
}

async function recordBan(input: Record<string, unknown>, as: AsOptions = ADMIN) {
  return t.gql<BanPayload>(RECORD_BAN, { input }, as);
}

async function withdraw(accountNumber: string, requestedOn: string, amount = "100.00") {
  const res = await t.gql<{
    withdraw: { account: { balance: string } | null; userErrors: { code: string; message: string }[] };
  }>(WITHDRAW, { input: { accountNumber, amount, requestedOn, idempotencyKey: key("wd") } });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.withdraw;
}

async function rental(idNumber: string, asOf: string): Promise<RentalEligibilityView> {
  const res = await t.gql<{ rentalEligibility: RentalEligibilityView[] }>(
    RENTAL_ELIGIBILITY,
    { idNumbers: [idNumber], asOf },
    { as: "HOUSING_BUREAU" },
  );
  return res.body.data!.rentalEligibility[0]!;
}

async function quota(accountNumber: string, asOf: string, as: AsOptions = { as: "CENTER_OPERATOR" }) {
  const res = await t.gql<{ loanQuota: { eligible: boolean; quota: string; reasons: string[] } }>(
    QUOTA,
    { input: { accountNumber, asOf, ...rich } },
    as,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.loanQuota;
}

async function bansOf(accountNumber: string, as: AsOptions = { as: "CENTER_OPERATOR" }) {
  const res = await t.gql<{ account: { bans: BanView[] } | null }>(BANS, { n: accountNumber }, as);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.account?.bans ?? null;
}

let letter = 0;
function transferInput(idNumber: string, fraudFlag: boolean, receivedOn: string) {
  return {
    contactLetterNo: `440300260720${String(++letter).padStart(4, "0")}`,
    fromCenter: "440300",
    idNumber,
    name: "转入人",
    countyCode: "140502",
    principal: "5000.00",
    interest: "50.00",
    openedMonth: "2021-01",
    paidUpTo: "2026-06",
    lastSixMonthsContinuous: true,
    paidMonths: 60,
    loanCount: 0,
    loanOutstanding: false,
    fraudFlag,
    receivedOn,
    idempotencyKey: key("tin"),
  };
}

beforeAll(async () => {
  t = await startTestHub();
  w = await enrolWorker(t, { enrolledOn: "2026-07-01" });
  await payMonthsOnDay(t, w.accountNumber, monthRange("2026-07", "2026-11"), "1000.00");
  l = await enrolWorker(t, { enrolledOn: "2026-07-01" });
  await payMonthsOnDay(t, l.accountNumber, monthRange("2026-07", "2026-11"), "1000.00");
  r = await enrolWorker(t, { enrolledOn: "2025-07-01" });
  await payMonthsOnDay(t, r.accountNumber, monthRange("2025-07", "2026-07"), "1000.00");
}, 180_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("recordFraudBan", () => {
  it("records a withdrawal-fraud ban until the decision date plus 3 years, once per key", async () => {
    const input = banInput(w.idNumber, "WITHDRAWAL_FRAUD", "2026-12-01", "ban-w-0001");
    const first = await recordBan(input);
    const expected = {
      ban: { kind: "WITHDRAWAL_FRAUD", decidedOn: "2026-12-01", until: "2029-12-01", reason: "伪造租房合同骗取提取" },
      userErrors: [],
    };
    expect(first.body.data!.recordFraudBan).toEqual(expected);
    const replay = await recordBan(input);
    expect(replay.body.data!.recordFraudBan).toEqual(expected);
    expect(await bansOf(w.accountNumber)).toEqual([expected.ban]);
    const reused = await recordBan({ ...input, kind: "LOAN_FRAUD" });
    expect(reused.body.data!.recordFraudBan.userErrors.map((e) => e.code)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });

  it("records a loan-fraud ban until the decision date plus 5 years", async () => {
    const res = await recordBan(banInput(l.idNumber, "LOAN_FRAUD", "2026-12-01"));
    expect(res.body.data!.recordFraudBan.ban).toMatchObject({ kind: "LOAN_FRAUD", until: "2031-12-01" });
  });

  it("writes the center action to the exchange log, touching the person", async () => {
    const res = await recordBan(banInput(r.idNumber, "WITHDRAWAL_FRAUD", "2023-08-01"));
    expect(res.body.data!.recordFraudBan.ban).toMatchObject({ decidedOn: "2023-08-01", until: "2026-08-01" });
    expect(await lastExchangeRecordFor(t, r.idNumber)).toMatchObject({
      consumerRole: "CENTER_ADMIN",
      operation: "recordFraudBan",
      subjectCount: 1,
      outcome: "OK",
    });
  });

  it("refuses an unknown person, a blank reason and a decision date with no ban years in force", async () => {
    const codes = async (input: Record<string, unknown>) =>
      (await recordBan(input)).body.data!.recordFraudBan.userErrors.map((e) => [e.code, e.field]);
    expect(await codes(banInput(freshIdNumber("1980-01-01"), "WITHDRAWAL_FRAUD", "2026-12-01"))).toEqual([
      ["PERSON_NOT_FOUND", "idNumber"],
    ]);
    expect(await codes({ ...banInput(w.idNumber, "LOAN_FRAUD", "2026-12-01"), reason: "   " })).toEqual([
      ["INVALID_REASON", "reason"],
    ]);
    // The parameters start with the pilot (2023-07-01).
    expect(await codes(banInput(w.idNumber, "LOAN_FRAUD", "2021-08-01"))).toEqual([
      ["NO_PARAMETERS_IN_FORCE", "decidedOn"],
    ]);
    expect(await bansOf(w.accountNumber)).toHaveLength(1);
  });

  it("is for CENTER_ADMIN only", async () => {
    for (const as of ["CENTER_OPERATOR", "WORKER", "HOUSING_BUREAU"] as const) {
      const res = await recordBan(banInput(w.idNumber, "LOAN_FRAUD", "2026-12-01"), { as, sub: w.accountNumber });
      expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
    }
    expect(await bansOf(w.accountNumber)).toHaveLength(1);
  });
});

describe("Account.bans", () => {
  it("shows the person's bans to center staff and to the owner", async () => {
    const ban = {
      kind: "WITHDRAWAL_FRAUD",
      decidedOn: "2026-12-01",
      until: "2029-12-01",
      reason: "伪造租房合同骗取提取",
    };
    expect(await bansOf(w.accountNumber, { as: "CENTER_OPERATOR" })).toEqual([ban]);
    expect(await bansOf(w.accountNumber, { as: "CENTER_ADMIN" })).toEqual([ban]);
    expect(await bansOf(w.accountNumber, { as: "WORKER", sub: w.accountNumber })).toEqual([ban]);
    expect(await bansOf(l.accountNumber, { as: "WORKER", sub: l.accountNumber })).toEqual([
      { kind: "LOAN_FRAUD", decidedOn: "2026-12-01", until: "2031-12-01", reason: "伪造租房合同骗取提取" },
    ]);
  });

  it("is not shown to another worker: their account looks missing, by number or by ID number", async () => {
    const other = { as: "WORKER" as const, sub: l.accountNumber };
    const byNumber = await t.gql(BANS, { n: w.accountNumber }, other);
    expect(byNumber.body).toEqual({ data: { account: null } });
    const byId = await t.gql(BANS_BY_ID, { id: w.idNumber }, other);
    expect(byId.body).toEqual({ data: { accountByIdNumber: null } });
  });

  it("is empty for a person never banned", async () => {
    const clean = await enrolWorker(t, { enrolledOn: "2026-07-01" });
    expect(await bansOf(clean.accountNumber)).toEqual([]);
  });
});

describe("withdraw and exitAgreement under a ban", () => {
  it("withdraw is BANNED the day before until and allowed on until; a date before the decision is not banned", async () => {
    expect((await withdraw(w.accountNumber, "2026-11-30")).account).toEqual({ balance: "4900.00" });
    const banned = await withdraw(w.accountNumber, "2029-11-30");
    expect(banned.userErrors.map((e) => e.code)).toEqual(["BANNED"]);
    expect(banned.account).toBeNull();
    expect((await withdraw(w.accountNumber, "2029-12-01")).account).toEqual({ balance: "4800.00" });
  });

  it("exitAgreement is BANNED while the withdrawal ban is in force", async () => {
    const res = await t.gql<{ exitAgreement: { account: unknown; userErrors: { code: string }[] } }>(EXIT, {
      input: { accountNumber: w.accountNumber, requestedOn: "2027-01-15", idempotencyKey: key("exit") },
    });
    expect(res.body.data!.exitAgreement).toEqual({ account: null, userErrors: [{ code: "BANNED" }] });
  });

  it("a loan-fraud ban leaves withdrawals alone", async () => {
    expect((await withdraw(l.accountNumber, "2027-01-05")).account).toEqual({ balance: "4900.00" });
  });
});

describe("rentalEligibility under a ban", () => {
  it("is refused with FRAUD_BAN the day before until and granted on until", async () => {
    // 2025-07 .. 2026-07 paid on the 10th: 13 consecutive months on 2026-07-31 and on 2026-08-01 (August's deposit
    // day, the 10th, has not come: the count starts from July); no unpaid month in the last 3.
    expect(await rental(r.idNumber, "2026-07-31")).toEqual({
      idNumber: r.idNumber,
      priorityEligible: false,
      depositWaiverEligible: false,
      consecutiveMonths: 13,
      reasons: ["FRAUD_BAN"],
    });
    expect(await rental(r.idNumber, "2026-08-01")).toEqual({
      idNumber: r.idNumber,
      priorityEligible: true,
      depositWaiverEligible: true,
      consecutiveMonths: 13,
      reasons: [],
    });
  });

  it("is refused under a loan-fraud ban too (housing support needs no fraud ban of any kind)", async () => {
    // 2026-07 .. 2026-11 paid: 5 months on 2026-12-05 (December's day, the 10th, has not come).
    expect((await rental(l.idNumber, "2026-12-05")).reasons).toEqual([
      "CONSECUTIVE_MONTHS_BELOW_PRIORITY",
      "CONSECUTIVE_MONTHS_BELOW_WAIVER",
      "FRAUD_BAN",
    ]);
  });
});

describe("the loanQuota gate under a ban", () => {
  it("fails with FRAUD_BAN the day before until; on until the quota is 260,000.00", async () => {
    expect(await quota(r.accountNumber, "2026-07-31")).toEqual({
      eligible: false,
      quota: "0.00",
      reasons: ["FRAUD_BAN"],
    });
    // 2026-08-01: balance 13 × 1,000.00 = 13,000.00; base 25 × 13,000 = 325,000.00; 13 paid months → 0.8;
    // 2025-08 .. 2026-07 all 12 paid → 1.0; clean → 1.0: 325,000 × 0.8 = 260,000.00, below every cap
    // (1,100,000; 80 % of 2,000,000 = 1,600,000; capacity at 20,000 a month over 360 months far above).
    expect(await quota(r.accountNumber, "2026-08-01")).toEqual({ eligible: true, quota: "260000.00", reasons: [] });
  });

  it("fails under a loan-fraud ban", async () => {
    expect((await quota(l.accountNumber, "2027-01-05")).reasons).toContain("FRAUD_BAN");
  });
});

describe("applyForLoan", () => {
  const APPLY = `mutation A($input: LoanApplicationInput!) {
    applyForLoan(input: $input) { loan { loanNumber } userErrors { code field } }
  }`;
  const LOANS = `query L($n: String!) { account(accountNumber: $n) { loans { loanNumber } } }`;
  const application = (accountNumber: string, appliedOn: string) => ({
    accountNumber,
    appliedOn,
    amount: "10000.00",
    monthlyIncome: "20000.00",
    housePrice: "2000000.00",
    termYears: 20,
    firstHome: true,
    method: "EQUAL_INSTALMENT",
    offsetFromBalance: false,
    idempotencyKey: key("apply"),
  });

  it("is refused with BANNED under a loan-fraud or a withdrawal-fraud ban, and no loan is written", async () => {
    for (const who of [l, w]) {
      const res = await t.gql<{ applyForLoan: { loan: unknown; userErrors: { code: string; field: string }[] } }>(
        APPLY,
        { input: application(who.accountNumber, "2027-01-05") },
      );
      expect(res.body.data!.applyForLoan).toEqual({
        loan: null,
        userErrors: [{ code: "BANNED", field: "accountNumber" }],
      });
      const loans = await t.gql<{ account: { loans: unknown[] } }>(LOANS, { n: who.accountNumber });
      expect(loans.body.data!.account.loans).toEqual([]);
    }
  });
});

describe("transferOut", () => {
  it("is refused with BANNED under a withdrawal-fraud ban: moving the balance away must not get round it", async () => {
    const res = await t.gql<{ transferOut: { contactLetterNo: string | null; userErrors: { code: string }[] } }>(
      `mutation T($input: TransferOutInput!) { transferOut(input: $input) { contactLetterNo userErrors { code } } }`,
      {
        input: {
          accountNumber: w.accountNumber,
          toCenter: "440300",
          requestedOn: "2027-01-05",
          idempotencyKey: key("to"),
        },
      },
    );
    expect(res.body.data!.transferOut).toEqual({ contactLetterNo: null, userErrors: [{ code: "BANNED" }] });
    expect(await t.hub.db.prisma.transferOut.count()).toBe(0);
  });
});

describe("bans from transfers and from the national platform", () => {
  it("a transfer with a fraud flag records a withdrawal-fraud ban from the day received; the sealed money stays", async () => {
    const idNumber = freshIdNumber("1985-02-02");
    const input = transferInput(idNumber, true, "2026-07-20");
    const res = await t.gql<{ receiveTransfer: { account: { accountNumber: string; status: string } } }>(RECEIVE, {
      input,
    });
    const account = res.body.data!.receiveTransfer.account;
    expect(account.status).toBe("SEALED");
    expect(await bansOf(account.accountNumber)).toEqual([
      {
        kind: "WITHDRAWAL_FRAUD",
        decidedOn: "2026-07-20",
        until: "2029-07-20",
        reason: `转入时原中心标记骗提骗贷（联系函 ${input.contactLetterNo}，原中心 440300）`,
      },
    ]);
    expect((await withdraw(account.accountNumber, "2026-08-01")).userErrors.map((e) => e.code)).toEqual(["BANNED"]);
  });

  it("a national sanction seen at enrolment is recorded for a person known here, once per sanction", async () => {
    const idNumber = freshIdNumber("1986-03-03");
    const res = await t.gql<{ receiveTransfer: { account: { accountNumber: string } } }>(RECEIVE, {
      input: transferInput(idNumber, false, "2026-07-20"),
    });
    const sealed = res.body.data!.receiveTransfer.account.accountNumber;
    expect(await bansOf(sealed)).toEqual([]);
    expect((await withdraw(sealed, "2026-07-25")).userErrors).toEqual([]);
    t.national.control.addFraudBan({ idNumber, until: "2027-12-31" });
    for (let i = 0; i < 2; i++) {
      const enrol = await t.gql<{ enrollWorker: { userErrors: { code: string }[] } }>(ENROL, {
        input: enrolInput({ idNumber, enrolledOn: "2026-08-01" }),
      });
      expect(enrol.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["FRAUD_BAN"]);
    }
    expect(await bansOf(sealed)).toEqual([
      {
        kind: "WITHDRAWAL_FRAUD",
        decidedOn: "2026-08-01",
        until: "2028-01-01",
        reason: "全国住房公积金监管服务平台记录的骗提骗贷惩戒，至 2027-12-31",
      },
    ]);
    expect((await withdraw(sealed, "2026-08-02")).userErrors.map((e) => e.code)).toEqual(["BANNED"]);
  });
});

describe("bans the national platform reports at loan application", () => {
  it("is recorded once per sanction, refuses the loan (BANNED) and is used by every later check", async () => {
    const b = await enrolWorker(t, { enrolledOn: "2025-07-01" });
    await payMonthsOnDay(t, b.accountNumber, monthRange("2025-07", "2026-07"), "1000.00");
    t.national.control.addFraudBan({ idNumber: b.idNumber, until: "2027-12-31" });
    // the first application learns of it from the platform; the second is refused by the store before any agency
    for (let i = 0; i < 2; i++) {
      const res = await apply(t, applicationInput(b.accountNumber, { appliedOn: "2026-08-01", amount: "10000.00" }));
      expect(res).toMatchObject({ loan: null, userErrors: [{ code: "BANNED", field: "accountNumber" }] });
    }
    expect(await bansOf(b.accountNumber)).toEqual([
      {
        kind: "WITHDRAWAL_FRAUD",
        decidedOn: "2026-08-01",
        until: "2028-01-01",
        reason: "全国住房公积金监管服务平台记录的骗提骗贷惩戒，至 2027-12-31",
      },
    ]);
    expect(
      await t.hub.db.prisma.fraudBan.count({ where: { source: "NATIONAL", person: { idNumber: b.idNumber } } }),
    ).toBe(1);
    expect((await quota(b.accountNumber, "2026-08-02")).reasons).toContain("FRAUD_BAN");
    expect((await withdraw(b.accountNumber, "2026-08-02")).userErrors.map((e) => e.code)).toEqual(["BANNED"]);
    // both refusals reached a decision: two refused applications, no loan
    expect(
      await t.hub.db.prisma.loanApplication.count({
        where: {
          accountId: (await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber: b.accountNumber } }))
            .id,
        },
      }),
    ).toBe(2);
    expect(await t.hub.db.prisma.loan.count({ where: { account: { accountNumber: b.accountNumber } } })).toBe(0);
  });
});

describe("outbound calls in the worker's data tracker", () => {
  it("a credit report pulled for a quota shows in myDataAccess: who, when and why", async () => {
    await quota(r.accountNumber, "2026-08-01", { as: "CENTER_OPERATOR", sub: "op-credit" });
    const res = await t.gql<{ myDataAccess: { edges: { node: Record<string, string> }[] } }>(
      MINE,
      {},
      { as: "WORKER", sub: r.accountNumber },
    );
    const nodes = res.body.data!.myDataAccess.edges.map((e) => e.node);
    // Newest first: the quota request's own record, then the credit report it pulled (written before the call).
    expect(nodes.slice(0, 2)).toEqual([
      { consumerRole: "CENTER_OPERATOR", consumerSub: "op-credit", operation: "loanQuota", purpose: null },
      {
        consumerRole: "CENTER_OPERATOR",
        consumerSub: "op-credit",
        operation: "getReport",
        purpose: "征信报告查询（住房公积金贷款） credit report for an HPF loan → credit-reference-center",
      },
    ]);
  });

  it("the worker's own quota shows their own credit pull (their own reads are otherwise not recorded)", async () => {
    await quota(l.accountNumber, "2026-12-05", { as: "WORKER", sub: l.accountNumber });
    const res = await t.gql<{ myDataAccess: { edges: { node: Record<string, string> }[] } }>(
      MINE,
      {},
      { as: "WORKER", sub: l.accountNumber },
    );
    expect(res.body.data!.myDataAccess.edges[0]!.node).toMatchObject({
      consumerRole: "WORKER",
      consumerSub: l.accountNumber,
      operation: "getReport",
    });
  });
});
