import { ENROL, enrolInput, key, LUMP, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, type GqlResponse, startTestHub, type TestHub } from "../../helpers/test-hub";

type UserErrorView = { code: string; field: string | null; message: string };
type LumpResult = {
  payLumpSum: {
    account: {
      accountNumber: string;
      balance: string;
      paidMonths: number;
      consecutiveMonths: number;
      paidUpTo: string | null;
    } | null;
    entries: { id: string; kind: string; amount: string; period: string | null; balanceAfter: string }[];
    userErrors: UserErrorView[];
  };
};

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function openAccount(enrolledOn: string, monthlyAmount = "1000.00"): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] } }>(
    ENROL,
    {
      input: enrolInput({ enrolledOn, monthlyAmount, mode: "LUMP_SUM" }),
    },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

function lumpInput(accountNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountNumber,
    settlementYear: 2026,
    amount: "12000.00",
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("LUMP"),
    paidOn: "2026-07-10",
    idempotencyKey: key("lump"),
    ...overrides,
  };
}

const pay = (input: Record<string, unknown>, as: "CENTER_OPERATOR" | "WORKER" | null = "CENTER_OPERATOR") =>
  t.gql<LumpResult>(LUMP, { input }, { as });
const codesOf = (res: GqlResponse<LumpResult>) => res.body.data!.payLumpSum.userErrors.map((e) => e.code);
const entryCount = () => t.hub.db.prisma.ledgerEntry.count();

const months = (from: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => {
    const [y, m] = from.split("-").map(Number) as [number, number];
    const index = y * 12 + (m - 1) + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  });

describe("payLumpSum", () => {
  it("covers the remaining months of the year for a worker enrolled mid-year", async () => {
    const accountNumber = await openAccount("2026-11-05", "1000.00");
    const res = await pay(lumpInput(accountNumber, { amount: "8000.00", paidOn: "2026-11-10" }));
    const { account, entries, userErrors } = res.body.data!.payLumpSum;
    expect(userErrors).toEqual([]);
    expect(entries.map((e) => e.period)).toEqual(months("2026-11", 8));
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
    expect(entries.map((e) => e.balanceAfter)).toEqual([
      "1000.00",
      "2000.00",
      "3000.00",
      "4000.00",
      "5000.00",
      "6000.00",
      "7000.00",
      "8000.00",
    ]);
    expect(account).toEqual({
      accountNumber,
      balance: "8000.00",
      paidMonths: 8,
      consecutiveMonths: 8,
      paidUpTo: "2027-06",
    });
  });

  it("refuses an amount that is not the monthly amount times the months covered and writes nothing", async () => {
    const accountNumber = await openAccount("2026-11-05", "1000.00");
    const before = await entryCount();
    for (const amount of ["12000.00", "7999.99", "8000.01"]) {
      const res = await pay(lumpInput(accountNumber, { amount, paidOn: "2026-11-10" }));
      expect(res.body.data!.payLumpSum).toEqual({
        account: null,
        entries: [],
        userErrors: [expect.objectContaining({ code: "LUMP_SUM_AMOUNT_MISMATCH", field: "amount" })],
      });
    }
    expect(await entryCount()).toBe(before);
  });

  it("covers all twelve months for a worker enrolled before the settlement year", async () => {
    const accountNumber = await openAccount("2026-05-20", "500.00");
    const res = await pay(lumpInput(accountNumber, { amount: "6000.00", paidOn: "2026-07-10" }));
    const { account, entries, userErrors } = res.body.data!.payLumpSum;
    expect(userErrors).toEqual([]);
    expect(entries.map((e) => e.period)).toEqual(months("2026-07", 12));
    expect(entries.every((e) => e.kind === "LUMP_SUM" && e.amount === "500.00")).toBe(true);
    expect(account).toMatchObject({ balance: "6000.00", paidMonths: 12, paidUpTo: "2027-06" });
  });

  it("answers NOTHING_TO_PAY when the year is already paid", async () => {
    const accountNumber = await openAccount("2026-05-20", "500.00");
    expect(codesOf(await pay(lumpInput(accountNumber, { amount: "6000.00" })))).toEqual([]);
    const before = await entryCount();
    const again = await pay(lumpInput(accountNumber, { amount: "6000.00", paidOn: "2026-08-01" }));
    expect(codesOf(again)).toEqual(["NOTHING_TO_PAY"]);
    expect(await entryCount()).toBe(before);
  });

  it("refuses a settlement year that has ended", async () => {
    const accountNumber = await openAccount("2026-05-20", "500.00");
    const res = await pay(lumpInput(accountNumber, { settlementYear: 2026, amount: "6000.00", paidOn: "2027-07-01" }));
    expect(codesOf(res)).toEqual(["SETTLEMENT_YEAR_CLOSED"]);
  });

  it("skips the months already paid month by month", async () => {
    const accountNumber = await openAccount("2026-07-01", "1000.00");
    const monthly = await t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, {
      input: {
        accountNumber,
        period: "2026-07",
        amount: "1000.00",
        channel: "ACTIVE_PAYMENT",
        paymentRef: key("PAY"),
        paidOn: "2026-07-10",
        idempotencyKey: key("dep"),
      },
    });
    expect(monthly.body.data!.recordDeposit.userErrors).toEqual([]);
    const full = await pay(lumpInput(accountNumber, { amount: "12000.00", paidOn: "2026-08-05" }));
    expect(codesOf(full)).toEqual(["LUMP_SUM_AMOUNT_MISMATCH"]);
    const res = await pay(lumpInput(accountNumber, { amount: "11000.00", paidOn: "2026-08-05" }));
    const { account, entries, userErrors } = res.body.data!.payLumpSum;
    expect(userErrors).toEqual([]);
    expect(entries.map((e) => e.period)).toEqual(months("2026-08", 11));
    expect(entries.at(-1)!.balanceAfter).toBe("12000.00");
    expect(account).toMatchObject({ balance: "12000.00", paidMonths: 12, consecutiveMonths: 12, paidUpTo: "2027-06" });
  });

  it("returns the first result for a replayed key and posts once", async () => {
    const accountNumber = await openAccount("2026-11-05", "1000.00");
    const input = lumpInput(accountNumber, { amount: "8000.00", paidOn: "2026-11-10" });
    const first = await pay(input);
    expect(first.body.data!.payLumpSum.userErrors).toEqual([]);
    const before = await entryCount();
    const second = await pay(input);
    expect(second.body.data!.payLumpSum).toEqual(first.body.data!.payLumpSum);
    expect(await entryCount()).toBe(before);
    const reused = await pay({ ...input, amount: "8000.01" });
    expect(codesOf(reused)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });

  it("answers concurrent replays of one key with the same result and posts once", async () => {
    const accountNumber = await openAccount("2026-11-05", "1000.00");
    const input = lumpInput(accountNumber, { amount: "8000.00", paidOn: "2026-11-10" });
    const results = await Promise.all(Array.from({ length: 4 }, () => pay(input)));
    const payloads = results.map((r) => r.body.data?.payLumpSum);
    expect(payloads[0]!.userErrors).toEqual([]);
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
    expect(await t.hub.db.prisma.ledgerEntry.count({ where: { ledgerAccountId: account.ledgerAccountId } })).toBe(8);
  });

  it("refuses an unknown account and is refused for a worker and an anonymous caller", async () => {
    const unknown = await pay(lumpInput("1405009999999999"));
    expect(codesOf(unknown)).toEqual(["ACCOUNT_NOT_FOUND"]);
    const accountNumber = await openAccount("2026-11-05");
    expect(
      errorCodes(
        await t.gql(
          LUMP,
          { input: lumpInput(accountNumber, { amount: "8000.00" }) },
          { as: "WORKER", sub: accountNumber },
        ),
      ),
    ).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await pay(lumpInput(accountNumber, { amount: "8000.00" }), null))).toEqual(["UNAUTHENTICATED"]);
    expect(errorCodes(await pay(lumpInput(accountNumber, { settlementYear: 1999 })))).toEqual(["BAD_USER_INPUT"]);
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
    expect(await t.hub.db.prisma.ledgerEntry.count({ where: { ledgerAccountId: account.ledgerAccountId } })).toBe(0);
  });
});
