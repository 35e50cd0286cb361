// transferToRelative over HTTP: off by default (FEATURE_DISABLED); with the switch in force on requestedOn, a worker
// moves part of the withdrawable balance to a spouse, parent or child who deposits here; both histories show it, the
// receiver's balance rises, the giver's debit counts as a use of the deposits for the interest subsidy.
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, openWithDeposits, settle, type UserErrorView } from "../../factories/money";
import { freshIdNumber, key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const RELATIVE = `mutation R($input: RelativeTransferInput!) {
  transferToRelative(input: $input) {
    account { accountNumber balance }
    contactLetterNo
    entries { kind amount postedOn balanceAfter }
    userErrors { code field message }
  }
}`;
const SET_PARAMETER = `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`;

type RelativeView = {
  account: { accountNumber: string; balance: string } | null;
  contactLetterNo: string | null;
  entries: { kind: string; amount: string; postedOn: string; balanceAfter: string }[];
  userErrors: UserErrorView[];
};

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

async function give(
  from: string,
  to: string,
  relation: string,
  amount: string,
  requestedOn: string,
  idempotencyKey = key("rel"),
): Promise<RelativeView> {
  const res = await t.gql<{ transferToRelative: RelativeView }>(RELATIVE, {
    input: { fromAccountNumber: from, toAccountNumber: to, relation, amount, requestedOn, idempotencyKey },
  });
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.transferToRelative;
}
const codes = (v: RelativeView) => v.userErrors.map((e) => e.code);

/** A parent (a man) born 1968, a child born 1992, a spouse born 1991: each with 2,000.00 (two months of 1,000.00). */
async function family() {
  const months: [string, string, string][] = [
    ["2026-07", "1000.00", "2026-07-10"],
    ["2026-08", "1000.00", "2026-08-10"],
  ];
  const child = await openWithDeposits(t, "2026-07-01", months, { idNumber: freshIdNumber("1992-03-04") });
  const parent = await openWithDeposits(t, "2026-07-01", months, {
    idNumber: freshIdNumber("1968-02-01", "140502", "M"),
  });
  const spouse = await openWithDeposits(t, "2026-07-01", months, { idNumber: freshIdNumber("1991-11-30") });
  return { child, parent, spouse };
}

describe("transferToRelative", () => {
  let f: Awaited<ReturnType<typeof family>>;
  beforeAll(async () => {
    f = await family();
  });

  test("is refused with FEATURE_DISABLED while the policy switch is off (the default) and writes nothing", async () => {
    const refused = await give(f.child, f.parent, "PARENT", "500.00", "2026-09-01");
    expect(refused).toEqual({
      account: null,
      contactLetterNo: null,
      entries: [],
      userErrors: [expect.objectContaining({ code: "FEATURE_DISABLED" })],
    });
    expect((await accountMoney(t, f.child)).balance).toBe("2000.00");
    expect((await accountMoney(t, f.parent)).balance).toBe("2000.00");
  });

  test("with the switch on from 2026-09-10: moves the amount, both histories show it, the receiver's balance rises", async () => {
    const set = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
      SET_PARAMETER,
      {
        input: {
          key: "relativesTransfer.enabled",
          value: "true",
          effectiveFrom: "2026-09-10",
          idempotencyKey: key("switch"),
        },
      },
      { as: "CENTER_ADMIN" },
    );
    expect(set.body.data!.setPolicyParameter.userErrors).toEqual([]);
    // The switch is read on the business date: still off on 2026-09-09.
    expect(codes(await give(f.child, f.parent, "PARENT", "500.00", "2026-09-09"))).toEqual(["FEATURE_DISABLED"]);
    const idempotencyKey = key("rel");
    const given = await give(f.child, f.parent, "PARENT", "500.00", "2026-09-15", idempotencyKey);
    expect(given.userErrors).toEqual([]);
    expect(given.account).toEqual({ accountNumber: f.child, balance: "1500.00" });
    expect(given.entries).toEqual([
      { kind: "RELATIVE_TRANSFER", amount: "-500.00", postedOn: "2026-09-15", balanceAfter: "1500.00" },
      { kind: "RELATIVE_TRANSFER", amount: "500.00", postedOn: "2026-09-15", balanceAfter: "2500.00" },
    ]);
    const parent = await accountMoney(t, f.parent);
    expect(parent.balance).toBe("2500.00");
    expect(parent.entries.filter((e) => e.kind === "RELATIVE_TRANSFER").map((e) => e.amount)).toEqual(["500.00"]);
    const child = await accountMoney(t, f.child);
    expect(child.entries.filter((e) => e.kind === "RELATIVE_TRANSFER").map((e) => e.amount)).toEqual(["-500.00"]);
    // A replay answers the first result and moves nothing twice.
    expect(await give(f.child, f.parent, "PARENT", "500.00", "2026-09-15", idempotencyKey)).toEqual(given);
    expect((await accountMoney(t, f.parent)).balance).toBe("2500.00");
    // Spouse, and a child from the parent's side.
    expect((await give(f.child, f.spouse, "SPOUSE", "100.00", "2026-09-16")).account!.balance).toBe("1400.00");
    expect((await give(f.parent, f.child, "CHILD", "0.01", "2026-09-16")).account!.balance).toBe("2499.99");
  });

  test("refuses more than the withdrawable balance, what the birth dates contradict, and a receiver who does not deposit", async () => {
    // Child 1,400.01 now (1,400.00 + 0.01).
    expect(codes(await give(f.child, f.parent, "PARENT", "1400.02", "2026-09-20"))).toEqual(["EXCEEDS_WITHDRAWABLE"]);
    expect(codes(await give(f.child, f.parent, "CHILD", "1.00", "2026-09-20"))).toEqual(["RELATION_IMPLAUSIBLE"]);
    expect(codes(await give(f.parent, f.child, "PARENT", "1.00", "2026-09-20"))).toEqual(["RELATION_IMPLAUSIBLE"]);
    expect(codes(await give(f.child, f.child, "SPOUSE", "1.00", "2026-09-20"))).toEqual(["SAME_ACCOUNT"]);
    expect(codes(await give(f.child, "1405009999999999", "SPOUSE", "1.00", "2026-09-20"))).toEqual([
      "ACCOUNT_NOT_FOUND",
    ]);
    expect(codes(await give(f.child, f.parent, "PARENT", "0.00", "2026-09-20"))).toEqual(["INVALID_AMOUNT"]);
    const res = await t.gql<{ exitAgreement: { userErrors: unknown[] } }>(
      `mutation X($input: ExitInput!) { exitAgreement(input: $input) { userErrors { code } } }`,
      { input: { accountNumber: f.spouse, requestedOn: "2026-09-21", idempotencyKey: key("exit") } },
    );
    expect(res.body.data!.exitAgreement.userErrors).toEqual([]);
    expect(codes(await give(f.child, f.spouse, "SPOUSE", "1.00", "2026-09-22"))).toEqual(["RECEIVER_NOT_DEPOSITOR"]);
    expect(codes(await give(f.spouse, f.child, "SPOUSE", "1.00", "2026-09-22"))).toEqual(["ACCOUNT_NOT_ACTIVE"]);
    expect((await accountMoney(t, f.child)).balance).toBe("1400.01");
  });

  test("the giver's side is a use of the deposits: no interest subsidy for the year, the receiver keeps theirs", async () => {
    // Opened 2026-06-01 (before the 2026 year's 1 July): 1,000.00 paid 2026-06-10 (year 2025), then on 2026-12-01 the
    // giver moves 400.00 to the receiver (switch on since 2026-09-10).
    const a = await openWithDeposits(t, "2026-06-01", [["2026-06", "1000.00", "2026-06-10"]], {
      idNumber: freshIdNumber("1988-01-01"),
    });
    const b = await openWithDeposits(t, "2026-06-01", [["2026-06", "1000.00", "2026-06-10"]], {
      idNumber: freshIdNumber("1989-01-01"),
    });
    await settle(t, 2025, "2026-07-01");
    expect((await give(a, b, "SPOUSE", "400.00", "2026-12-01")).userErrors).toEqual([]);
    const result = await settle(t, 2026, "2027-07-01");
    expect(result.userErrors).toEqual([]);
    const accounts = await t.hub.db.prisma.account.findMany({ where: { accountNumber: { in: [a, b] } } });
    const credits = await t.hub.db.prisma.interestCredit.findMany({
      where: { settlementYear: 2026, accountId: { in: accounts.map((x) => x.id) } },
    });
    const idOf = (n: string) => accounts.find((x) => x.accountNumber === n)!.id;
    const subsidyOf = (n: string) => credits.find((c) => c.accountId === idOf(n))!.subsidy.toFixed(2);
    // Year 2025: 2026-06-10..06-30 21 days x 1,000.00 = 21,000.00 x 0.015 / 360 = 0.875 -> 0.88 each (1,000.88).
    // Year 2026 for b: 2026-07-01..11-30 153 days x 1,000.88 = 153,134.64; 2026-12-01..2027-06-30 212 days x 1,400.88
    //   = 296,986.56; 积数 450,121.20; subsidy 450,121.20 x 0.01 / 360 = 12.5033 -> 12.50.
    expect(subsidyOf(a)).toBe("0.00");
    expect(subsidyOf(b)).toBe("12.50");
  });
});
