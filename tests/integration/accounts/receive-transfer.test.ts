// receiveTransfer over HTTP: a transfer from another city opens a SEALED account (or lands in the person's account
// here), credits principal + interest as TRANSFER_IN, carries the months paid there, and is idempotent on the
// contact letter. Enrolling later signs the agreement on that account.
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { ENROL, enrolInput, freshIdNumber, key, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const RECEIVE = `mutation Receive($input: TransferInInput!) {
  receiveTransfer(input: $input) {
    account { accountNumber kind status balance paidMonths consecutiveMonths paidUpTo }
    contactLetterNo
    entries { kind amount balanceAfter postedOn }
    userErrors { code field message }
  }
}`;

interface ReceiveResult {
  receiveTransfer: {
    account: { accountNumber: string; status: string; balance: string; paidMonths: number } | null;
    contactLetterNo: string | null;
    entries: { kind: string; amount: string }[];
    userErrors: { code: string }[];
  };
}

let t: TestHub;
let sequence = 0;

function transferInput(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    contactLetterNo: `440300260705${String(sequence).padStart(4, "0")}`,
    fromCenter: "440300",
    idNumber: freshIdNumber(),
    name: "王五",
    countyCode: "140502",
    principal: "12000.00",
    interest: "150.50",
    openedMonth: "2024-01",
    paidUpTo: "2026-06",
    lastSixMonthsContinuous: true,
    paidMonths: 27,
    loanCount: 0,
    loanOutstanding: false,
    fraudFlag: false,
    receivedOn: "2026-07-05",
    idempotencyKey: key("tin"),
    ...overrides,
  };
}
const receive = async (input: Record<string, unknown>) =>
  (await t.gql<ReceiveResult>(RECEIVE, { input })).body.data!.receiveTransfer;

beforeAll(async () => {
  t = await startTestHub();
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("receiveTransfer", () => {
  const first = transferInput();
  let accountNumber: string;

  it("opens a SEALED account with principal + interest and the months paid there", async () => {
    const result = await receive(first);
    expect(result.userErrors).toEqual([]);
    expect(result.account).toMatchObject({
      kind: "FLEXIBLE",
      status: "SEALED",
      balance: "12150.50",
      paidMonths: 27,
      consecutiveMonths: 6,
      paidUpTo: "2026-06",
    });
    expect(result.contactLetterNo).toBe(first.contactLetterNo);
    expect(result.entries).toEqual([
      { kind: "TRANSFER_IN", amount: "12150.50", balanceAfter: "12150.50", postedOn: "2026-07-05" },
    ]);
    accountNumber = result.account!.accountNumber;
  });

  it("is idempotent on the contact letter, whatever the key", async () => {
    const again = await receive({ ...first, idempotencyKey: key("tin") });
    expect(again.account).toMatchObject({ accountNumber, balance: "12150.50", paidMonths: 27 });
    expect(again.entries).toEqual([
      { kind: "TRANSFER_IN", amount: "12150.50", balanceAfter: "12150.50", postedOn: "2026-07-05" },
    ]);
    expect(await t.hub.db.prisma.transferIn.count({ where: { contactLetterNo: first.contactLetterNo } })).toBe(1);
  });

  it("lets the person enrol on that account: the agreement is signed on it, no second account", async () => {
    const res = await t.gql<{ enrollWorker: { account: { accountNumber: string; status: string }; userErrors: [] } }>(
      ENROL,
      { input: enrolInput({ idNumber: first.idNumber, enrolledOn: "2026-07-15" }) },
    );
    expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
    expect(res.body.data!.enrollWorker.account).toMatchObject({ accountNumber, status: "ACTIVE" });
    const input = {
      accountNumber,
      period: "2026-07",
      amount: "1000.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("P"),
      paidOn: "2026-07-20",
      idempotencyKey: key("dep"),
    };
    const deposit = await t.gql<{ recordDeposit: { account: Record<string, unknown> } }>(RECORD, { input });
    // 27 months there + 1 here; the six continuous months there join 2026-07 (paid up to 2026-06): 7.
    expect(deposit.body.data!.recordDeposit.account).toMatchObject({
      balance: "13150.50",
      paidMonths: 28,
      consecutiveMonths: 7,
      paidUpTo: "2026-07",
    });
    expect(await t.hub.db.prisma.account.count({ where: { person: { idNumber: first.idNumber } } })).toBe(1);
  });

  it("counts transferred months in continuity only with the six-month flag", async () => {
    const result = await receive(transferInput({ lastSixMonthsContinuous: false, paidMonths: 10 }));
    expect(result.account).toMatchObject({ paidMonths: 10, consecutiveMonths: 0, paidUpTo: "2026-06" });
  });

  it("puts a transfer for a person with an active account here into that account, which stays the only one", async () => {
    const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
      input: enrolInput({ enrolledOn: "2026-07-10" }),
    });
    const own = enrolled.body.data!.enrollWorker.account.accountNumber;
    const idNumber = (await t.hub.db.prisma.account.findUnique({
      where: { accountNumber: own },
      include: { person: true },
    }))!.person.idNumber;
    const result = await receive(
      transferInput({ idNumber, principal: "500.00", interest: "0.00", fraudFlag: true, loanOutstanding: true }),
    );
    expect(result.account).toMatchObject({ accountNumber: own, status: "ACTIVE", balance: "500.00", paidMonths: 27 });
    expect(await t.hub.db.prisma.account.count({ where: { person: { idNumber } } })).toBe(1);
    const stored = await t.hub.db.prisma.transferIn.findFirst({ where: { account: { accountNumber: own } } });
    expect(stored).toMatchObject({ fraudFlag: true, loanOutstanding: true, loanCount: 0 });
  });

  it("refuses a malformed transfer and writes nothing", async () => {
    const bad = transferInput({ contactLetterNo: "12", paidMonths: 40, openedMonth: "2024-01", paidUpTo: "2026-06" });
    expect((await receive(bad)).userErrors.map((e) => e.code)).toEqual([
      "INVALID_CONTACT_LETTER",
      "INVALID_PAID_MONTHS",
    ]);
    expect(await t.hub.db.prisma.person.count({ where: { idNumber: bad.idNumber } })).toBe(0);
  });

  it("is for center operators only", async () => {
    const res = await t.gql(RECEIVE, { input: transferInput() }, { as: "WORKER" });
    expect(res.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
