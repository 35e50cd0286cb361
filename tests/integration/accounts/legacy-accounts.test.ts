// importLegacyAccounts over HTTP (GraphQL and the streamed route): pre-pilot accounts open SEALED with their months
// carried and their balance brought over against the legacy clearing account; a repeat posts nothing twice; the
// owner then enrols on that very account (no ALREADY_ENROLLED, no second account).
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { accountMoney, deposit } from "../../factories/money";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const IMPORT = `mutation L($csv: String!, $key: String!) {
  importLegacyAccounts(csv: $csv, idempotencyKey: $key) { accepted rejected duplicates missed rows errors { code field message } }
}`;
const ACCOUNT = `query A($n: String!) { account(accountNumber: $n) {
  accountNumber kind status openedOn balance paidMonths consecutiveMonths paidUpTo monthlyAmount
} }`;
const HEADER = "accountNumber,idNumber,name,countyCode,openedMonth,paidUpTo,paidMonths,balance,status";

type ImportView = {
  accepted: number;
  rejected: number;
  duplicates: number;
  missed: number;
  rows: number;
  errors: { code: string; field: string | null; message: string }[];
};

let t: TestHub;
let numbers = 0;
/** A legacy account number (16 digits, this center's prefix, the pre-pilot range 9xxxxxxxxx). */
const legacyNumber = () => `1405009${String(process.pid % 1000).padStart(3, "0")}${String(++numbers).padStart(6, "0")}`;

beforeAll(async () => {
  t = await startTestHub();
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

async function importCsv(lines: string[], idempotencyKey = key("legacy")): Promise<ImportView> {
  const res = await t.gql<{ importLegacyAccounts: ImportView }>(IMPORT, {
    csv: [HEADER, ...lines].join("\n"),
    key: idempotencyKey,
  });
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.importLegacyAccounts;
}

async function account(n: string) {
  const res = await t.gql<{ account: Record<string, unknown> | null }>(ACCOUNT, { n });
  return res.body.data!.account;
}

describe("importLegacyAccounts", () => {
  const li = { n: legacyNumber(), id: freshIdNumber("1985-04-12") };
  const zero = { n: legacyNumber(), id: freshIdNumber("1979-10-01") };
  const rows = [
    `${li.n},${li.id},李四,140525,2019-03,2023-05,51,18234.56,SEALED`,
    `${zero.n},${zero.id},赵六,140502,2021-01,2022-12,24,0.00,SEALED`,
    `${legacyNumber()},${freshIdNumber()},王五,140502,2021-01,2022-12,24,10.00,ACTIVE`,
    `${legacyNumber()},${freshIdNumber()},钱七,140502,2021-01,2022-12,30,10.00,SEALED`,
  ];
  let first: ImportView;
  const firstKey = key("legacy");

  test("opens SEALED accounts with their months carried and the opening balance posted; refuses bad rows by line", async () => {
    first = await importCsv(rows, firstKey);
    expect(first).toMatchObject({ accepted: 2, rejected: 2, duplicates: 0, missed: 0, rows: 4 });
    // 2021-01..2022-12 holds 24 months: 30 paid months cannot be.
    expect(first.errors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID_STATUS", "line:4"],
      ["INVALID_PAID_MONTHS", "line:5"],
    ]);
    expect(await account(li.n)).toEqual({
      accountNumber: li.n,
      kind: "FLEXIBLE",
      status: "SEALED",
      openedOn: "2019-03-01",
      balance: "18234.56",
      paidMonths: 51,
      // The export has no continuity flag: the carried months count in duration only.
      consecutiveMonths: 0,
      paidUpTo: "2023-05",
      monthlyAmount: null,
    });
    const money = await accountMoney(t, li.n);
    expect(money.entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ["LEGACY_OPENING", "18234.56", "18234.56"],
    ]);
    // The zero balance needs no posting.
    expect((await accountMoney(t, zero.n)).entries).toEqual([]);
    expect(await account(zero.n)).toMatchObject({ status: "SEALED", balance: "0.00", paidMonths: 24 });
    // The opening balances stand against the center's legacy clearing account.
    const clearing = await t.hub.db.prisma.ledgerEntry.aggregate({
      where: { ledgerAccount: { code: "FUND:LEGACY_CLEARING" } },
      _sum: { debit: true },
    });
    expect(clearing._sum.debit!.toFixed(2)).toBe("18234.56");
    const carried = await t.hub.db.prisma.carriedHistory.findMany({ where: { reference: { in: [li.n, zero.n] } } });
    expect(carried.map((c) => [c.source, c.paidMonths, c.paidUpTo, c.continuousMonths]).sort()).toEqual([
      ["LEGACY", 24, "2022-12", 0],
      ["LEGACY", 51, "2023-05", 0],
    ]);
  });

  test("is idempotent per row and per key: a repeat posts nothing twice", async () => {
    expect(await importCsv(rows, firstKey)).toEqual(first);
    const again = await importCsv(rows);
    expect(again).toMatchObject({ accepted: 0, rejected: 2, duplicates: 2, rows: 4 });
    expect((await accountMoney(t, li.n)).entries).toHaveLength(1);
    expect(await t.hub.db.prisma.account.count({ where: { accountNumber: li.n } })).toBe(1);
    const reused = await importCsv(rows.slice(0, 1), firstKey);
    expect(reused.errors.map((e) => e.code)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });

  test("the owner enrols on the legacy account: agreement signed on it, no ALREADY_ENROLLED, no second account", async () => {
    const res = await t.gql<{
      enrollWorker: { account: Record<string, unknown> | null; userErrors: { code: string }[] };
    }>(ENROL, { input: enrolInput({ idNumber: li.id, name: "李四", countyCode: "140525", enrolledOn: "2026-07-15" }) });
    expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
    expect(res.body.data!.enrollWorker.account).toMatchObject({
      accountNumber: li.n,
      kind: "FLEXIBLE",
      status: "ACTIVE",
      openedOn: "2019-03-01",
      balance: "18234.56",
      paidMonths: 51,
      paidUpTo: "2023-05",
      monthlyAmount: "1000.00",
    });
    const accounts = await t.hub.db.prisma.account.findMany({
      where: { person: { idNumber: li.id } },
      include: { agreements: true },
    });
    expect(accounts.map((a) => [a.accountNumber, a.agreements.length])).toEqual([[li.n, 1]]);
    // Deposits here add to the carried months: 51 + 1; the run here is 1 (nothing carried joins it).
    await deposit(t, li.n, "2026-07", "1000.00", "2026-07-20");
    expect(await account(li.n)).toMatchObject({
      balance: "19234.56",
      paidMonths: 52,
      consecutiveMonths: 1,
      paidUpTo: "2026-07",
    });
    // Enrolling again is now refused as usual.
    const twice = await t.gql<{ enrollWorker: { userErrors: { code: string }[] } }>(ENROL, {
      input: enrolInput({ idNumber: li.id, enrolledOn: "2026-07-16" }),
    });
    expect(twice.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["ALREADY_ENROLLED"]);
  });

  test("refuses a number that belongs to another person and a person who already has an account here", async () => {
    const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string; idNumber: string } } }>(ENROL, {
      input: enrolInput({ enrolledOn: "2026-07-15" }),
    });
    const pilot = enrolled.body.data!.enrollWorker.account;
    const result = await importCsv([
      `${li.n},${freshIdNumber()},冒名,140502,2020-01,2020-12,12,1.00,SEALED`,
      `${legacyNumber()},${pilot.idNumber},测试人员,140502,2020-01,2020-12,12,1.00,SEALED`,
    ]);
    expect(result).toMatchObject({ accepted: 0, rejected: 2, duplicates: 0, rows: 2 });
    expect(result.errors.map((e) => e.code)).toEqual(["ACCOUNT_NUMBER_TAKEN", "PERSON_HAS_ACCOUNT"]);
    expect(await t.hub.db.prisma.account.count({ where: { person: { idNumber: pilot.idNumber } } })).toBe(1);
  });

  test("takes a large export on the streamed route, with the same role rules and a record per batch", async () => {
    const streamed = { n: legacyNumber(), id: freshIdNumber("1970-06-06") };
    const body = [HEADER, `${streamed.n},${streamed.id},孙八,140581,2010-07,2020-06,120,50000.00,SEALED`].join("\r\n");
    const post = async (role: "CENTER_OPERATOR" | "WORKER", requestId: string) =>
      fetch(`${t.url}/imports/legacy-accounts`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await t.token(role)}`,
          "content-type": "text/csv",
          "idempotency-key": key("legacy-stream"),
          "x-request-id": requestId,
        },
        body,
      });
    expect((await post("WORKER", "legacy-stream-denied")).status).toBe(403);
    const res = await post("CENTER_OPERATOR", "legacy-stream-1");
    expect(res.status).toBe(200);
    // The hub names the request itself (the client's id is kept only as clientRequestId in its logs).
    const requestId = res.headers.get("x-request-id")!;
    expect(requestId).not.toBe("legacy-stream-1");
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 0, rows: 1 });
    expect(await account(streamed.n)).toMatchObject({ status: "SEALED", balance: "50000.00", paidMonths: 120 });
    const records = await t.hub.db.prisma.exchangeRecord.findMany({
      where: { operation: "importLegacyAccounts", requestId },
    });
    // One for the batch (its subjects indexed) and one for the request.
    expect(records.map((r) => r.subjectCount).sort()).toEqual([1, 1]);
  });
});
