import { ENROL, enrolInput, key, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, type GqlResponse, startTestHub, type TestHub } from "../../helpers/test-hub";

type UserErrorView = { code: string; field: string | null; message: string };
type EntryView = {
  id: string;
  kind: string;
  amount: string;
  period: string | null;
  balanceAfter: string;
  postedOn: string;
};
type RecordResult = {
  recordDeposit: {
    account: {
      accountNumber: string;
      balance: string;
      paidMonths: number;
      consecutiveMonths: number;
      paidUpTo: string | null;
    } | null;
    entries: EntryView[];
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

/** Enrols a worker (opened on `enrolledOn`) and returns the account number. */
async function openAccount(enrolledOn = "2026-07-15"): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] } }>(
    ENROL,
    { input: enrolInput({ enrolledOn }) },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return res.body.data!.enrollWorker.account!.accountNumber;
}

function depositInput(accountNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountNumber,
    period: "2026-07",
    amount: "1000.00",
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: "2026-07-20",
    idempotencyKey: key("dep"),
    ...overrides,
  };
}

const record = (
  input: Record<string, unknown>,
  as: "CENTER_OPERATOR" | "WORKER" | "TAX_BUREAU" | "CENTER_ADMIN" | null = "CENTER_OPERATOR",
) => t.gql<RecordResult>(RECORD, { input }, { as });

const codesOf = (res: GqlResponse<RecordResult>) => res.body.data!.recordDeposit.userErrors.map((e) => e.code);

const entryCount = () => t.hub.db.prisma.ledgerEntry.count();
const depositMonthCount = () => t.hub.db.prisma.depositMonth.count();

async function balanceOf(accountNumber: string): Promise<string> {
  const res = await t.gql<{ account: { balance: string } }>(
    `query($n: String!) { account(accountNumber: $n) { balance } }`,
    { n: accountNumber },
  );
  return res.body.data!.account.balance;
}

describe("recordDeposit", () => {
  it("credits the balance and returns the entry and the account's deposit history", async () => {
    const accountNumber = await openAccount();
    const first = await record(
      depositInput(accountNumber, { period: "2026-07", amount: "1000.00", paidOn: "2026-07-20" }),
    );
    expect(first.body.data!.recordDeposit).toEqual({
      account: { accountNumber, balance: "1000.00", paidMonths: 1, consecutiveMonths: 1, paidUpTo: "2026-07" },
      entries: [
        {
          id: expect.any(String),
          kind: "DEPOSIT",
          amount: "1000.00",
          period: "2026-07",
          balanceAfter: "1000.00",
          postedOn: "2026-07-20",
        },
      ],
      userErrors: [],
    });
    const second = await record(
      depositInput(accountNumber, { period: "2026-08", amount: "1200.50", paidOn: "2026-08-10" }),
    );
    expect(second.body.data!.recordDeposit.account).toEqual({
      accountNumber,
      balance: "2200.50",
      paidMonths: 2,
      consecutiveMonths: 2,
      paidUpTo: "2026-08",
    });
    expect(second.body.data!.recordDeposit.entries).toEqual([
      expect.objectContaining({ kind: "DEPOSIT", amount: "1200.50", period: "2026-08", balanceAfter: "2200.50" }),
    ]);
    expect(await balanceOf(accountNumber)).toBe("2200.50");
  });

  it("accepts the monthly floor and ceiling exactly", async () => {
    const accountNumber = await openAccount();
    const floor = await record(
      depositInput(accountNumber, { period: "2026-07", amount: "216.00", paidOn: "2026-07-20" }),
    );
    expect(floor.body.data!.recordDeposit.userErrors).toEqual([]);
    const ceiling = await record(
      depositInput(accountNumber, { period: "2026-08", amount: "5804.00", paidOn: "2026-08-20" }),
    );
    expect(ceiling.body.data!.recordDeposit.userErrors).toEqual([]);
    expect(ceiling.body.data!.recordDeposit.account!.balance).toBe("6020.00");
  });

  it("refuses one fen below the floor and one fen above the ceiling and writes nothing", async () => {
    const accountNumber = await openAccount();
    const before = await entryCount();
    const below = await record(depositInput(accountNumber, { amount: "215.99" }));
    expect(below.body.data!.recordDeposit).toEqual({
      account: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "AMOUNT_BELOW_MINIMUM", field: "amount" })],
    });
    const above = await record(depositInput(accountNumber, { amount: "5804.01" }));
    expect(above.body.data!.recordDeposit).toEqual({
      account: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "AMOUNT_ABOVE_MAXIMUM", field: "amount" })],
    });
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(accountNumber)).toBe("0.00");
  });

  it("refuses a second payment for a month already paid", async () => {
    const accountNumber = await openAccount();
    await record(depositInput(accountNumber, { period: "2026-07" }));
    const before = await entryCount();
    const again = await record(
      depositInput(accountNumber, { period: "2026-07", amount: "500.00", paidOn: "2026-07-25" }),
    );
    expect(codesOf(again)).toEqual(["MONTH_ALREADY_PAID"]);
    expect(again.body.data!.recordDeposit.account).toBeNull();
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(accountNumber)).toBe("1000.00");
  });

  it("accepts a back payment within the current settlement year as BACK_PAYMENT", async () => {
    const accountNumber = await openAccount();
    const res = await record(depositInput(accountNumber, { period: "2026-07", paidOn: "2026-09-10" }));
    expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
    expect(res.body.data!.recordDeposit.entries).toEqual([
      expect.objectContaining({ kind: "BACK_PAYMENT", period: "2026-07", amount: "1000.00", postedOn: "2026-09-10" }),
    ]);
    expect(res.body.data!.recordDeposit.account).toMatchObject({
      paidMonths: 1,
      consecutiveMonths: 1,
      paidUpTo: "2026-07",
    });
  });

  it("refuses a back payment across the settlement year boundary", async () => {
    const accountNumber = await openAccount("2026-05-10");
    const before = await entryCount();
    const res = await record(depositInput(accountNumber, { period: "2026-06", paidOn: "2026-07-10" }));
    expect(codesOf(res)).toEqual(["BACK_PAYMENT_OUTSIDE_SETTLEMENT_YEAR"]);
    expect(await entryCount()).toBe(before);
    const inYear = await record(depositInput(accountNumber, { period: "2026-06", paidOn: "2026-06-30" }));
    expect(inYear.body.data!.recordDeposit.userErrors).toEqual([]);
  });

  it("refuses a month before the account was opened", async () => {
    const accountNumber = await openAccount("2026-08-03");
    const res = await record(depositInput(accountNumber, { period: "2026-07", paidOn: "2026-08-10" }));
    expect(codesOf(res)).toEqual(["PERIOD_BEFORE_OPENING"]);
  });

  it("refuses a month after the payment month", async () => {
    const accountNumber = await openAccount();
    const res = await record(depositInput(accountNumber, { period: "2026-09", paidOn: "2026-08-31" }));
    expect(codesOf(res)).toEqual(["PERIOD_IN_FUTURE"]);
  });

  it("refuses an unknown account", async () => {
    const before = await entryCount();
    const res = await record(depositInput("1405009999999999"));
    expect(res.body.data!.recordDeposit).toEqual({
      account: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "ACCOUNT_NOT_FOUND", field: "accountNumber" })],
    });
    expect(await entryCount()).toBe(before);
  });

  it("returns the first result for a replayed key and writes nothing more", async () => {
    const accountNumber = await openAccount();
    const input = depositInput(accountNumber);
    const first = await record(input);
    expect(first.body.data!.recordDeposit.userErrors).toEqual([]);
    const before = await entryCount();
    const second = await record(input);
    expect(second.body.data!.recordDeposit).toEqual(first.body.data!.recordDeposit);
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(accountNumber)).toBe("1000.00");
  });

  it("refuses the same key with a different input", async () => {
    const accountNumber = await openAccount();
    const input = depositInput(accountNumber);
    await record(input);
    const before = await entryCount();
    const res = await record({ ...input, period: "2026-08", paidOn: "2026-08-10" });
    expect(res.body.data!.recordDeposit.userErrors).toEqual([
      expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED", field: "idempotencyKey" }),
    ]);
    expect(await entryCount()).toBe(before);
  });

  it("posts exactly one of eight concurrent payments of the same month", async () => {
    const accountNumber = await openAccount();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => record(depositInput(accountNumber, { period: "2026-07", amount: "1000.00" }))),
    );
    for (const res of results) expect(res.body.errors).toBeUndefined();
    const succeeded = results.filter((r) => r.body.data!.recordDeposit.userErrors.length === 0);
    const refused = results.filter((r) => r.body.data!.recordDeposit.userErrors.length > 0);
    expect(succeeded).toHaveLength(1);
    expect(refused.map(codesOf)).toEqual(Array.from({ length: 7 }, () => ["MONTH_ALREADY_PAID"]));
    expect(await balanceOf(accountNumber)).toBe("1000.00");
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
    expect(await t.hub.db.prisma.depositMonth.count({ where: { accountId: account.id } })).toBe(1);
    expect(await t.hub.db.prisma.ledgerEntry.count({ where: { ledgerAccountId: account.ledgerAccountId } })).toBe(1);
  });

  it("answers eight concurrent replays of one key with the same result and posts once", async () => {
    const accountNumber = await openAccount();
    const input = depositInput(accountNumber);
    const results = await Promise.all(Array.from({ length: 8 }, () => record(input)));
    const payloads = results.map((r) => r.body.data?.recordDeposit);
    expect(payloads[0]!.userErrors).toEqual([]);
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    expect(await balanceOf(accountNumber)).toBe("1000.00");
    const account = await t.hub.db.prisma.account.findUniqueOrThrow({ where: { accountNumber } });
    expect(await t.hub.db.prisma.ledgerEntry.count({ where: { ledgerAccountId: account.ledgerAccountId } })).toBe(1);
  });

  it("rejects malformed money, months and dates with BAD_USER_INPUT before anything runs", async () => {
    const accountNumber = await openAccount();
    const before = await entryCount();
    for (const amount of [
      "1000", // the contract's Money has exactly two decimals (decision 015)
      "1000.5",
      "1000.000",
      "12.345",
      "1e3",
      " 100",
      "100 ",
      "1,000.00",
      "",
      "12345678901234567.00",
    ]) {
      expect([amount, errorCodes(await record(depositInput(accountNumber, { amount })))]).toEqual([
        amount,
        ["BAD_USER_INPUT"],
      ]);
    }
    expect(errorCodes(await record(depositInput(accountNumber, { amount: 1000 })))).toEqual(["BAD_USER_INPUT"]);
    for (const period of ["2026-13", "2026-7", "2026-00", "202607"]) {
      expect([period, errorCodes(await record(depositInput(accountNumber, { period })))]).toEqual([
        period,
        ["BAD_USER_INPUT"],
      ]);
    }
    expect(errorCodes(await record(depositInput(accountNumber, { paidOn: "2026-02-30" })))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await record(depositInput(accountNumber, { channel: "CASH" })))).toEqual(["BAD_USER_INPUT"]);
    expect(await entryCount()).toBe(before);
  });

  it("rejects money without exactly two decimals written into the query text with BAD_USER_INPUT", async () => {
    const accountNumber = await openAccount();
    const before = await entryCount();
    for (const amount of ["1000", "1000.5", "1000.000"]) {
      const literal = `mutation { recordDeposit(input: { accountNumber: "${accountNumber}", period: "2026-07",
        amount: "${amount}", channel: ACTIVE_PAYMENT, paymentRef: "${key("LIT")}", paidOn: "2026-07-20",
        idempotencyKey: "${key("lit")}" }) { userErrors { code } } }`;
      const res = await t.gql(literal);
      expect([amount, errorCodes(res)]).toEqual([amount, ["BAD_USER_INPUT"]]);
    }
    expect(await entryCount()).toBe(before);
    const ok = await t.gql<RecordResult>(
      `mutation { recordDeposit(input: { accountNumber: "${accountNumber}", period: "2026-07", amount: "1000.00",
        channel: ACTIVE_PAYMENT, paymentRef: "${key("LIT")}", paidOn: "2026-07-20", idempotencyKey: "${key("lit")}" })
        { userErrors { code } } }`,
    );
    expect(ok.body.data!.recordDeposit.userErrors).toEqual([]);
  });

  it("refuses a negative or zero amount as a business error and writes nothing", async () => {
    const accountNumber = await openAccount();
    const before = await entryCount();
    expect(codesOf(await record(depositInput(accountNumber, { amount: "-5.00" })))).toEqual(["AMOUNT_NOT_POSITIVE"]);
    expect(codesOf(await record(depositInput(accountNumber, { amount: "0.00" })))).toEqual(["AMOUNT_NOT_POSITIVE"]);
    expect(await entryCount()).toBe(before);
  });

  it("refuses oversize and malformed strings with a typed error and writes nothing", async () => {
    const accountNumber = await openAccount();
    const entriesBefore = await entryCount();
    const monthsBefore = await depositMonthCount();
    const idempotencyBefore = await t.hub.db.prisma.idempotencyRecord.count();
    expect(errorCodes(await record(depositInput("1".repeat(33))))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await record(depositInput(accountNumber, { paymentRef: "P".repeat(65) })))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(errorCodes(await record(depositInput(accountNumber, { idempotencyKey: "k".repeat(129) })))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(errorCodes(await record(depositInput(accountNumber, { accountNumber: "x".repeat(100_000) })))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(codesOf(await record(depositInput(accountNumber, { paymentRef: "付款 001" })))).toEqual([
      "INVALID_PAYMENT_REF",
    ]);
    expect(codesOf(await record(depositInput(accountNumber, { idempotencyKey: "short" })))).toEqual([
      "INVALID_IDEMPOTENCY_KEY",
    ]);
    expect(await entryCount()).toBe(entriesBefore);
    expect(await depositMonthCount()).toBe(monthsBefore);
    expect(await t.hub.db.prisma.idempotencyRecord.count()).toBe(idempotencyBefore);
  });

  it("is refused for a worker, the tax bureau, the center admin and an anonymous caller", async () => {
    const accountNumber = await openAccount();
    const before = await entryCount();
    expect(
      errorCodes(await t.gql(RECORD, { input: depositInput(accountNumber) }, { as: "WORKER", sub: accountNumber })),
    ).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await record(depositInput(accountNumber), "TAX_BUREAU"))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await record(depositInput(accountNumber), "CENTER_ADMIN"))).toEqual(["FORBIDDEN"]);
    const anonymous = await record(depositInput(accountNumber), null);
    expect(errorCodes(anonymous)).toEqual(["UNAUTHENTICATED"]);
    expect(anonymous.body.data?.recordDeposit ?? null).toBeNull();
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(accountNumber)).toBe("0.00");
  });
});

describe("idempotency keys belong to their first caller", () => {
  it("refuses another operator's identical request under the same key instead of handing it the first result", async () => {
    const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
      input: enrolInput(),
    });
    const input = {
      accountNumber: enrolled.body.data!.enrollWorker.account.accountNumber,
      period: "2026-07",
      amount: "500.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: "AP-SHARED-KEY",
      paidOn: "2026-07-20",
      idempotencyKey: "shared-key-between-operators",
    };
    const first = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(
      RECORD,
      { input },
      { as: "CENTER_OPERATOR", sub: "op-a" },
    );
    expect(first.body.data!.recordDeposit.userErrors).toEqual([]);
    const other = await t.gql<{ recordDeposit: { account: unknown; userErrors: { code: string }[] } }>(
      RECORD,
      { input },
      { as: "CENTER_OPERATOR", sub: "op-b" },
    );
    expect(other.body.data!.recordDeposit.account).toBeNull();
    expect(other.body.data!.recordDeposit.userErrors.map((e) => e.code)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });
});
