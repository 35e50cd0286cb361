// rentalEligibility over HTTP, with hand-computed expectations (defaults: priority from 6 consecutive paid months,
// deposit waiver from 12, no unpaid month among the last 3). Deposit day 10 unless said otherwise.
import { monthRange } from "../../../src/domain/calendar/calendar";
import {
  enrolWorker,
  payLump,
  payMonth,
  payMonthsOnDay,
  RENTAL_ELIGIBILITY,
  type RentalEligibilityView,
  unknownIdNumbers,
  type Worker,
} from "../../factories/agency-exchange";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let regular: Worker; // 2025-07 .. 2026-06 paid on the 10th
let lateDay: Worker; // deposit day 25: 2025-07 .. 2025-12 and 2026-02 .. 2026-06 paid on the 25th
let recentGap: Worker; // 2026-01 .. 2026-04, 2026-06, 2026-07
let lump: Worker; // a lump sum for 2026-07 .. 2027-06 paid on 2026-07-10
let closed: Worker; // like regular, then closed
let employer: Worker; // converted to employer-based
let carried: Worker; // transferred in 2026-07-05 (27 months to 2026-06, the last six continuous), 2026-07 .. 2026-12 paid
let carriedNoFlag: Worker; // the same without the six-month continuity flag

const RECEIVE = `mutation Receive($input: TransferInInput!) {
  receiveTransfer(input: $input) { account { accountNumber } userErrors { code } }
}`;

/** A transfer in from Shenzhen received 2026-07-05, then enrolment on that account on 2026-07-06. */
async function transferredIn(letter: string, lastSixMonthsContinuous: boolean): Promise<Worker> {
  const idNumber = freshIdNumber();
  const input = {
    contactLetterNo: letter,
    fromCenter: "440300",
    idNumber,
    name: "转入人员",
    countyCode: "140502",
    principal: "12000.00",
    interest: "150.50",
    openedMonth: "2024-01",
    paidUpTo: "2026-06",
    lastSixMonthsContinuous,
    paidMonths: 27,
    loanCount: 0,
    loanOutstanding: false,
    fraudFlag: false,
    receivedOn: "2026-07-05",
    idempotencyKey: key("tin"),
  };
  const received = await t.gql<{ receiveTransfer: { account: { accountNumber: string } | null; userErrors: [] } }>(
    RECEIVE,
    { input },
  );
  expect(received.body.data!.receiveTransfer.userErrors).toEqual([]);
  const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: [] } }>(ENROL, {
    input: enrolInput({ idNumber, enrolledOn: "2026-07-06" }),
  });
  expect(enrolled.body.data!.enrollWorker.userErrors).toEqual([]);
  const accountNumber = enrolled.body.data!.enrollWorker.account!.accountNumber;
  expect(accountNumber).toBe(received.body.data!.receiveTransfer.account!.accountNumber);
  await payMonthsOnDay(t, accountNumber, monthRange("2026-07", "2026-12"), "1000.00");
  return { idNumber, accountNumber };
}

const BELOW_BOTH = ["CONSECUTIVE_MONTHS_BELOW_PRIORITY", "CONSECUTIVE_MONTHS_BELOW_WAIVER"];
const BOTH = { priorityEligible: true, depositWaiverEligible: true, reasons: [] };
const NEITHER = { priorityEligible: false, depositWaiverEligible: false };

async function eligibility(idNumbers: string[], asOf: string): Promise<RentalEligibilityView[]> {
  const res = await t.gql<{ rentalEligibility: RentalEligibilityView[] }>(
    RENTAL_ELIGIBILITY,
    { idNumbers, asOf },
    { as: "HOUSING_BUREAU" },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.rentalEligibility;
}

async function one(worker: Worker, asOf: string): Promise<Omit<RentalEligibilityView, "idNumber">> {
  const [answer] = await eligibility([worker.idNumber], asOf);
  const { idNumber, ...rest } = answer!;
  expect(idNumber).toBe(worker.idNumber);
  return rest;
}

beforeAll(async () => {
  t = await startTestHub();
  regular = await enrolWorker(t, { enrolledOn: "2025-07-01" });
  await payMonthsOnDay(t, regular.accountNumber, monthRange("2025-07", "2026-06"), "1000.00");
  lateDay = await enrolWorker(t, { enrolledOn: "2025-07-01", depositDay: 25 });
  await payMonthsOnDay(
    t,
    lateDay.accountNumber,
    [...monthRange("2025-07", "2025-12"), ...monthRange("2026-02", "2026-06")],
    "1000.00",
    "25",
  );
  recentGap = await enrolWorker(t, { enrolledOn: "2026-01-05" });
  await payMonthsOnDay(
    t,
    recentGap.accountNumber,
    ["2026-01", "2026-02", "2026-03", "2026-04", "2026-06", "2026-07"],
    "1000.00",
  );
  lump = await enrolWorker(t, { enrolledOn: "2026-07-01", mode: "LUMP_SUM" });
  await payLump(t, lump.accountNumber, 2026, "12000.00", "2026-07-10");
  closed = await enrolWorker(t, { enrolledOn: "2025-07-01" });
  await payMonthsOnDay(t, closed.accountNumber, monthRange("2025-07", "2026-06"), "1000.00");
  employer = await enrolWorker(t, { enrolledOn: "2026-07-01" });
  // There is no exit or conversion operation yet: the test sets the account's state directly.
  await t.hub.db.prisma.account.update({
    where: { accountNumber: closed.accountNumber },
    data: { status: "CLOSED", closedOn: new Date("2026-07-01T00:00:00Z") },
  });
  await t.hub.db.prisma.account.update({
    where: { accountNumber: employer.accountNumber },
    data: { kind: "EMPLOYER" },
  });
}, 240_000); // some forty requests: 60 s ran out on a loaded machine
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("rentalEligibility around the deposit day", () => {
  it("starts from the month before while asOf's deposit day is still to come (on the day itself too)", async () => {
    expect(await one(regular, "2026-07-05")).toEqual({ ...BOTH, consecutiveMonths: 12 });
    expect(await one(regular, "2026-07-10")).toEqual({ ...BOTH, consecutiveMonths: 12 });
  });

  it("stops at once when asOf's month is unpaid and its deposit day has passed", async () => {
    expect(await one(regular, "2026-07-11")).toEqual({
      ...NEITHER,
      consecutiveMonths: 0,
      reasons: [...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
  });

  it("does not count a month paid after asOf", async () => {
    expect(await one(regular, "2026-06-09")).toEqual({
      priorityEligible: true,
      depositWaiverEligible: false,
      consecutiveMonths: 11,
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
  });

  it("uses the worker's own deposit day, and counts the month once it is paid", async () => {
    expect(await one(lateDay, "2026-07-20")).toEqual({ ...NEITHER, consecutiveMonths: 5, reasons: BELOW_BOTH });
    expect(await one(lateDay, "2026-07-26")).toEqual({
      ...NEITHER,
      consecutiveMonths: 0,
      reasons: [...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
    await payMonth(t, lateDay.accountNumber, "2026-07", "1000.00", "2026-07-25");
    expect(await one(lateDay, "2026-07-26")).toEqual({
      priorityEligible: true,
      depositWaiverEligible: false,
      consecutiveMonths: 6,
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
  });
});

describe("rentalEligibility over gaps, lump sums and account states", () => {
  it("refuses both after an unpaid month among the last three", async () => {
    expect(await one(recentGap, "2026-07-20")).toEqual({
      ...NEITHER,
      consecutiveMonths: 2,
      reasons: [...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
  });

  it("counts lump-sum months only once they are not in the future", async () => {
    expect(await one(lump, "2026-07-05")).toEqual({ ...NEITHER, consecutiveMonths: 0, reasons: BELOW_BOTH });
    expect(await one(lump, "2026-09-15")).toEqual({ ...NEITHER, consecutiveMonths: 3, reasons: BELOW_BOTH });
    expect(await one(lump, "2027-01-15")).toEqual({
      priorityEligible: true,
      depositWaiverEligible: false,
      consecutiveMonths: 7,
      reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
    });
    expect(await one(lump, "2027-06-30")).toEqual({ ...BOTH, consecutiveMonths: 12 });
  });

  it("refuses a closed account whatever it paid", async () => {
    expect(await one(closed, "2026-07-05")).toEqual({
      ...NEITHER,
      consecutiveMonths: 12,
      reasons: ["ACCOUNT_NOT_ACTIVE"],
    });
  });

  it("refuses an employer-based account", async () => {
    expect(await one(employer, "2026-07-20")).toEqual({
      ...NEITHER,
      consecutiveMonths: 0,
      reasons: ["NOT_FLEXIBLE", ...BELOW_BOTH, "UNPAID_IN_RECENT_MONTHS"],
    });
  });

  it("answers an unknown person, and one not yet enrolled on asOf, like anyone not eligible", async () => {
    const [stranger] = unknownIdNumbers(1);
    const notEnrolled = { ...NEITHER, consecutiveMonths: 0, reasons: ["NOT_ENROLLED", ...BELOW_BOTH] };
    expect(await eligibility([stranger!, recentGap.idNumber], "2025-12-20")).toEqual([
      { idNumber: stranger, ...notEnrolled },
      { idNumber: recentGap.idNumber, ...notEnrolled },
    ]);
  });
});

describe("rentalEligibility with months carried from a transfer in (decision 015)", () => {
  const PRIORITY_ONLY = {
    priorityEligible: true,
    depositWaiverEligible: false,
    reasons: ["CONSECUTIVE_MONTHS_BELOW_WAIVER"],
  };

  beforeAll(async () => {
    carried = await transferredIn("4403002607050001", true);
    carriedNoFlag = await transferredIn("4403002607050002", false);
  }, 120_000);

  it("continues the run with the six continuous months carried up to 2026-06", async () => {
    // 2026-07-06: July's deposit day (10) is still to come, so the count starts at 2026-06, the carried paid-up-to
    // month: 0 months here + 6 carried = 6 (priority, not the waiver). 2026-06 precedes the opening month: not owed.
    expect(await one(carried, "2026-07-06")).toEqual({ ...PRIORITY_ONLY, consecutiveMonths: 6 });
    // 2026-09-20: 2026-07 .. 2026-09 here (3) + 6 carried = 9.
    expect(await one(carried, "2026-09-20")).toEqual({ ...PRIORITY_ONLY, consecutiveMonths: 9 });
    // 2027-01-05: counted from 2026-12: 2026-07 .. 2026-12 here (6) + 6 carried = 12, both.
    expect(await one(carried, "2027-01-05")).toEqual({ ...BOTH, consecutiveMonths: 12 });
  });

  it("agrees with the account's figures once asOf has passed every month paid", async () => {
    const res = await t.gql<{ account: { paidMonths: number; consecutiveMonths: number; paidUpTo: string } }>(
      `query($n: String!) { account(accountNumber: $n) { paidMonths consecutiveMonths paidUpTo } }`,
      { n: carried.accountNumber },
    );
    // 27 carried + 6 paid here = 33 months; 6 here + 6 carried = 12 consecutive, up to 2026-12.
    expect(res.body.data!.account).toEqual({ paidMonths: 33, consecutiveMonths: 12, paidUpTo: "2026-12" });
    expect((await one(carried, "2027-01-05")).consecutiveMonths).toBe(12);
  });

  it("counts no carried month without the six-month continuity flag", async () => {
    expect(await one(carriedNoFlag, "2026-07-06")).toEqual({
      ...NEITHER,
      consecutiveMonths: 0,
      reasons: BELOW_BOTH,
    });
    expect(await one(carriedNoFlag, "2027-01-05")).toEqual({ ...PRIORITY_ONLY, consecutiveMonths: 6 });
  });
});

describe("rentalEligibility batches", () => {
  it("answers in the order asked, a duplicate as often as it is asked", async () => {
    const [stranger] = unknownIdNumbers(1);
    const asked = [lump.idNumber, regular.idNumber, stranger!, regular.idNumber];
    const answers = await eligibility(asked, "2026-07-05");
    expect(answers.map((a) => [a.idNumber, a.consecutiveMonths])).toEqual([
      [lump.idNumber, 0],
      [regular.idNumber, 12],
      [stranger, 0],
      [regular.idNumber, 12],
    ]);
  });

  it("answers an empty list with an empty list and 500 ID numbers in one call", async () => {
    expect(await eligibility([], "2026-07-05")).toEqual([]);
    const answers = await eligibility([regular.idNumber, ...unknownIdNumbers(499)], "2026-07-05");
    expect(answers).toHaveLength(500);
    expect(answers[0]).toEqual({ idNumber: regular.idNumber, ...BOTH, consecutiveMonths: 12 });
  });

  it("refuses 501 ID numbers with BAD_USER_INPUT", async () => {
    const res = await t.gql(
      RENTAL_ELIGIBILITY,
      { idNumbers: unknownIdNumbers(501), asOf: "2026-07-05" },
      { as: "HOUSING_BUREAU" },
    );
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data ?? null).toBeNull();
  });
});
