// changeDepositPlan over HTTP: refused for a month already paid, before the month it is asked in, outside the limits
// of the settlement year of effectiveFrom; a change is kept as plan history, and a lump sum pays each month at the
// plan in force for it.
import { ENROL, enrolInput, key, LUMP, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const CHANGE = `mutation Change($input: ChangeDepositPlanInput!) {
  changeDepositPlan(input: $input) {
    account { accountNumber monthlyAmount balance paidMonths }
    userErrors { code field message }
  }
}`;
const SET_PARAM = `mutation Set($input: SetPolicyParameterInput!) {
  setPolicyParameter(input: $input) { userErrors { code } }
}`;

type ChangeResult = {
  changeDepositPlan: { account: { monthlyAmount: string } | null; userErrors: { code: string; field: string }[] };
};

let t: TestHub;
let accountNumber: string;

function change(
  overrides: Record<string, unknown>,
  as: "CENTER_OPERATOR" | "WORKER" = "CENTER_OPERATOR",
  sub?: string,
) {
  const input = {
    accountNumber,
    monthlyAmount: "1500.00",
    depositDay: 20,
    mode: "MONTHLY",
    channel: "ACTIVE_PAYMENT",
    effectiveFrom: "2026-10",
    requestedOn: "2026-08-20",
    idempotencyKey: key("plan"),
    ...overrides,
  };
  return t.gql<ChangeResult>(CHANGE, { input }, { as, sub });
}
const codes = async (res: ReturnType<typeof change>) =>
  (await res).body.data!.changeDepositPlan.userErrors.map((e) => e.code);

beforeAll(async () => {
  t = await startTestHub();
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput({ enrolledOn: "2026-07-15", monthlyAmount: "1000.00", depositDay: 10 }),
  });
  accountNumber = res.body.data!.enrollWorker.account.accountNumber;
  for (const [period, paidOn] of [
    ["2026-07", "2026-07-20"],
    ["2026-08", "2026-08-10"],
  ]) {
    const input = { accountNumber, period, amount: "1000.00", channel: "ACTIVE_PAYMENT", paymentRef: key("P"), paidOn };
    await t.gql(RECORD, { input: { ...input, idempotencyKey: key("dep") } });
  }
  const admin = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    SET_PARAM,
    { input: { key: "deposit.monthlyMin", value: "300.00", effectiveFrom: "2027-07-01", idempotencyKey: key("par") } },
    { as: "CENTER_ADMIN" },
  );
  expect(admin.body.data!.setPolicyParameter.userErrors).toEqual([]);
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("changeDepositPlan", () => {
  it("never changes a month already paid, nor a month before the request's month", async () => {
    expect(await codes(change({ effectiveFrom: "2026-08" }))).toEqual(["MONTH_ALREADY_PAID"]);
    expect(await codes(change({ effectiveFrom: "2026-07" }))).toEqual(["EFFECTIVE_FROM_IN_PAST", "MONTH_ALREADY_PAID"]);
    expect(await codes(change({ effectiveFrom: "2026-09", requestedOn: "2026-10-01" }))).toEqual([
      "EFFECTIVE_FROM_IN_PAST",
    ]);
  });

  it("checks the amount against the limits of the settlement year of effectiveFrom", async () => {
    expect(await codes(change({ monthlyAmount: "215.99" }))).toEqual(["AMOUNT_BELOW_MINIMUM"]);
    expect(await codes(change({ monthlyAmount: "5804.01" }))).toEqual(["AMOUNT_ABOVE_MAXIMUM"]);
    // 2027年度 (from 2027-07) has a floor of 300.00; June 2027 still belongs to 2026年度 (floor 216.00).
    expect(await codes(change({ monthlyAmount: "250.00", effectiveFrom: "2027-07" }))).toEqual([
      "AMOUNT_BELOW_MINIMUM",
    ]);
    expect(await codes(change({ monthlyAmount: "250.00", effectiveFrom: "2027-06" }))).toEqual([]);
  });

  it("needs a bank account for bank collection", async () => {
    expect(await codes(change({ channel: "BANK_COLLECTION" }))).toEqual(["BANK_ACCOUNT_REQUIRED"]);
  });

  it("lets a worker change only their own plan", async () => {
    expect(await codes(change({}, "WORKER", "1405000000009999"))).toEqual(["ACCOUNT_NOT_FOUND"]);
    const own = await change({ monthlyAmount: "1200.00", effectiveFrom: "2026-12" }, "WORKER", accountNumber);
    expect(own.body.data!.changeDepositPlan.userErrors).toEqual([]);
  });

  it("records the change from its month on; a lump sum pays each month at the plan in force for it", async () => {
    const input = { idempotencyKey: key("plan") };
    const first = await change(input);
    expect(first.body.data!.changeDepositPlan.userErrors).toEqual([]);
    expect((await change(input)).body).toEqual(first.body);
    const plans = await t.hub.db.prisma.depositPlan.findMany({
      where: { account: { accountNumber } },
      orderBy: { id: "asc" },
    });
    expect(
      plans.map((p) => [p.effectiveFrom.toISOString().slice(0, 10), p.monthlyAmount.toFixed(2), p.depositDay]),
    ).toEqual([
      ["2026-07-15", "1000.00", 10],
      ["2027-06-01", "250.00", 20],
      ["2026-12-01", "1200.00", 20],
      ["2026-10-01", "1500.00", 20],
    ]);
    // Months 2026-09..2027-06 are unpaid: 2026-09 at 1000.00, 2026-10..2026-11 at 1500.00, 2026-12..2027-05 at
    // 1200.00, 2027-06 at 250.00: 1000 + 2 x 1500 + 6 x 1200 + 250 = 11,450.00.
    const lump = (amount: string) =>
      t.gql<{ payLumpSum: { entries: { period: string; amount: string }[]; userErrors: { code: string }[] } }>(LUMP, {
        input: {
          accountNumber,
          settlementYear: 2026,
          amount,
          channel: "ACTIVE_PAYMENT",
          paymentRef: key("LS"),
          paidOn: "2026-08-25",
          idempotencyKey: key("lump"),
        },
      });
    expect((await lump("12000.00")).body.data!.payLumpSum.userErrors.map((e) => e.code)).toEqual([
      "LUMP_SUM_AMOUNT_MISMATCH",
    ]);
    const paid = (await lump("11450.00")).body.data!.payLumpSum;
    expect(paid.userErrors).toEqual([]);
    expect(paid.entries.map((e) => [e.period, e.amount])).toEqual([
      ["2026-09", "1000.00"],
      ["2026-10", "1500.00"],
      ["2026-11", "1500.00"],
      ["2026-12", "1200.00"],
      ["2027-01", "1200.00"],
      ["2027-02", "1200.00"],
      ["2027-03", "1200.00"],
      ["2027-04", "1200.00"],
      ["2027-05", "1200.00"],
      ["2027-06", "250.00"],
    ]);
  });
});
