// payLumpSum over HTTP against the two rules decision 015 fixes. This file's hub records, as the center would:
// back payment switched off from 2026-07-01, and from 2027-07-01 (the 2027 settlement year) the limits 300.00 ..
// 6,000.00 instead of the defaults 216.00 .. 5,804.00.
// - Back-payment switch: an account opened 2026-07-01 paying on 2026-11-15 pays 2026-11 .. 2027-06, 8 months
//   (8 × 1,000.00 = 8,000.00), not 12 (12,000.00).
// - Limits of the year paid for: a lump sum for 2027 paid on 2027-06-10 is checked against 300.00 .. 6,000.00, not
//   against the limits in force on its payment date.
import { ENROL, enrolInput, key, LUMP, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

type UserErrorView = { code: string; field: string | null; message: string };
type LumpResult = {
  payLumpSum: {
    account: { balance: string; paidMonths: number; paidUpTo: string | null } | null;
    entries: { kind: string; amount: string; period: string | null; balanceAfter: string }[];
    userErrors: UserErrorView[];
  };
};
const SET_PARAM = `mutation Set($input: SetPolicyParameterInput!) {
  setPolicyParameter(input: $input) { userErrors { code } }
}`;
const CHANGE = `mutation Change($input: ChangeDepositPlanInput!) {
  changeDepositPlan(input: $input) { account { monthlyAmount } userErrors { code field message } }
}`;

let t: TestHub;

async function setParameter(name: string, value: string, effectiveFrom: string): Promise<void> {
  const input = { key: name, value, effectiveFrom, source: "lump-sum rules test", idempotencyKey: key("par") };
  const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    SET_PARAM,
    { input },
    { as: "CENTER_ADMIN" },
  );
  expect(res.body.data!.setPolicyParameter.userErrors).toEqual([]);
}

async function openAccount(enrolledOn: string, monthlyAmount: string): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] } }>(
    ENROL,
    { input: enrolInput({ enrolledOn, monthlyAmount, mode: "LUMP_SUM" }) },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

function pay(accountNumber: string, settlementYear: number, amount: string, paidOn: string) {
  const input = {
    accountNumber,
    settlementYear,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("LUMP"),
    paidOn,
    idempotencyKey: key("lump"),
  };
  return t.gql<LumpResult>(LUMP, { input });
}

const codesOf = (res: Awaited<ReturnType<typeof pay>>) => res.body.data!.payLumpSum.userErrors.map((e) => e.code);

beforeAll(async () => {
  t = await startTestHub();
  await setParameter("deposit.backPayWithinSettlementYear", "false", "2026-07-01");
  await setParameter("deposit.monthlyMin", "300.00", "2027-07-01");
  await setParameter("deposit.monthlyMax", "6000.00", "2027-07-01");
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("a lump sum with back payment switched off", () => {
  it("pays 2026-11 .. 2027-06 (8 months) for an account opened 2026-07-01 paying on 2026-11-15, not 12", async () => {
    const accountNumber = await openAccount("2026-07-01", "1000.00");
    const entriesBefore = await t.hub.db.prisma.ledgerEntry.count();
    expect(codesOf(await pay(accountNumber, 2026, "12000.00", "2026-11-15"))).toEqual(["LUMP_SUM_AMOUNT_MISMATCH"]);
    expect(await t.hub.db.prisma.ledgerEntry.count()).toBe(entriesBefore);

    const res = await pay(accountNumber, 2026, "8000.00", "2026-11-15");
    const { account, entries, userErrors } = res.body.data!.payLumpSum;
    expect(userErrors).toEqual([]);
    expect(entries.map((e) => e.period)).toEqual([
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
      "2027-03",
      "2027-04",
      "2027-05",
      "2027-06",
    ]);
    expect(entries.every((e) => e.kind === "LUMP_SUM" && e.amount === "1000.00")).toBe(true);
    expect(account).toMatchObject({ balance: "8000.00", paidMonths: 8, paidUpTo: "2027-06" });
  });

  it("is the same switch a monthly back payment meets: 2026-10 paid on 2026-11-16 is refused", async () => {
    const accountNumber = await openAccount("2026-07-01", "1000.00");
    const input = {
      accountNumber,
      period: "2026-10",
      amount: "1000.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn: "2026-11-16",
      idempotencyKey: key("dep"),
    };
    const res = await t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, { input });
    expect(res.body.data!.recordDeposit.userErrors.map((e) => e.code)).toEqual(["BACK_PAYMENT_NOT_ALLOWED"]);
  });
});

describe("a lump sum is checked against the limits of the settlement year it pays for", () => {
  it("refuses 12 × 250.00 for 2027 paid on 2027-06-10: 250.00 is below 2027's floor 300.00", async () => {
    const accountNumber = await openAccount("2026-07-01", "250.00"); // within 2026's 216.00 .. 5,804.00
    const res = await pay(accountNumber, 2027, "3000.00", "2027-06-10");
    expect(res.body.data!.payLumpSum).toEqual({
      account: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "AMOUNT_BELOW_MINIMUM", field: "monthlyAmount" })],
    });
    expect(res.body.data!.payLumpSum.userErrors[0]!.message).toContain("300.00");
  });

  it("accepts 12 × 5,900.00 = 70,800.00 for 2027 paid on 2027-06-10, above 2026's ceiling 5,804.00", async () => {
    const accountNumber = await openAccount("2026-07-01", "1000.00");
    const change = await t.gql<{ changeDepositPlan: { account: { monthlyAmount: string } | null; userErrors: [] } }>(
      CHANGE,
      {
        input: {
          accountNumber,
          monthlyAmount: "5900.00",
          depositDay: 10,
          mode: "LUMP_SUM",
          channel: "ACTIVE_PAYMENT",
          effectiveFrom: "2027-07",
          requestedOn: "2027-06-01",
          idempotencyKey: key("plan"),
        },
      },
    );
    expect(change.body.data!.changeDepositPlan.userErrors).toEqual([]);
    const res = await pay(accountNumber, 2027, "70800.00", "2027-06-10");
    const { account, entries, userErrors } = res.body.data!.payLumpSum;
    expect(userErrors).toEqual([]);
    expect(entries).toHaveLength(12);
    expect(entries[0]!.period).toBe("2027-07");
    expect(entries.every((e) => e.amount === "5900.00")).toBe(true);
    expect(account).toMatchObject({ balance: "70800.00", paidMonths: 12, paidUpTo: "2028-06" });
  });
});
