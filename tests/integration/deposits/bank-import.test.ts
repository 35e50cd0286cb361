import { Client } from "pg";

import { BATCH_SIZE } from "../../../src/services/deposits/import-bank-collection";
import { bankCollectionAccounts, key, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

type UserErrorView = { code: string; field: string | null; message: string };
type ImportResult = {
  accepted: number;
  rejected: number;
  duplicates: number;
  missed: number;
  rows: number;
  errors: UserErrorView[];
};

const IMPORT = `mutation Import($csv: String!, $key: String!) {
  importBankCollection(csv: $csv, idempotencyKey: $key) { accepted rejected duplicates missed rows errors { code field message } }
}`;
const HEADER = "paymentRef,accountNumber,period,amount,paidOn,result,reason";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

/** A birth date of its own for every worker of this file, so that generated ID numbers never collide. */
const openBankAccount = bankCollectionAccounts((query, variables) => t.gql(query, variables), "1980-01-01");
const openAccount = (enrolledOn = "2026-07-15"): Promise<string> => openBankAccount(enrolledOn);

async function importCsv(
  csv: string,
  idempotencyKey = key("imp"),
  as: "CENTER_OPERATOR" | "CENTER_ADMIN" | "WORKER" | null = "CENTER_OPERATOR",
) {
  return t.gql<{ importBankCollection: ImportResult }>(IMPORT, { csv, key: idempotencyKey }, { as });
}

async function imported(csv: string, idempotencyKey = key("imp")): Promise<ImportResult> {
  const res = await importCsv(csv, idempotencyKey);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.importBankCollection;
}

async function stream(csv: string, options: { token?: string | null; key?: string | null; contentType?: string } = {}) {
  const headers: Record<string, string> = { "content-type": options.contentType ?? "text/csv; charset=utf-8" };
  const token = options.token === undefined ? await t.token("CENTER_OPERATOR") : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const idempotencyKey = options.key === undefined ? key("stream") : options.key;
  if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
  const res = await fetch(`${t.url}/imports/bank-collection`, { method: "POST", headers, body: csv });
  return { status: res.status, body: (await res.json()) as ImportResult & { errors: UserErrorView[] } };
}

async function balanceOf(accountNumber: string): Promise<string> {
  const res = await t.gql<{ account: { balance: string } }>(
    `query($n: String!) { account(accountNumber: $n) { balance } }`,
    { n: accountNumber },
  );
  return res.body.data!.account.balance;
}

async function recordDeposit(accountNumber: string, period: string, paidOn: string): Promise<void> {
  const res = await t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, {
    input: {
      accountNumber,
      period,
      amount: "1000.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn,
      idempotencyKey: key("dep"),
    },
  });
  expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
}

const entryCount = () => t.hub.db.prisma.ledgerEntry.count();
const byLine = (errors: UserErrorView[]) =>
  [...errors].sort((a, b) => Number(a.field!.slice(5)) - Number(b.field!.slice(5))).map((e) => [e.field, e.code]);

/** Three fresh accounts opened 2026-07-15; C has already paid 2026-09. Returns a file mixing every kind of row. */
async function mixedFile(eol = "\n") {
  const [a, b, c] = [await openAccount(), await openAccount(), await openAccount()];
  await recordDeposit(c, "2026-09", "2026-09-05");
  const ref = (n: number) =>
    `BK${key("")
      .replace(/[^0-9a-z]/gi, "")
      .slice(0, 12)}${String(n).padStart(4, "0")}`;
  const r = Array.from({ length: 14 }, (_, i) => ref(i));
  const lines = [
    HEADER, //                                                             line 1
    `${r[1]},${a},2026-09,1000.00,2026-09-10,SUCCESS,`, //                   2 accepted
    `${r[2]},${b},2026-09,800.00,2026-09-10,FAILED,余额不足`, //             3 missed
    `${r[3]},${a},2026-08,1000.00,2026-09-10,SUCCESS,`, //                   4 accepted (back payment)
    `${r[1]},${a},2026-09,1000.00,2026-09-10,SUCCESS,`, //                   5 duplicate of line 2
    `${r[4]},${b},2026-09,12.345,2026-09-10,SUCCESS,`, //                    6 INVALID_AMOUNT
    `${r[5]},${b},2026-13,1000.00,2026-09-10,SUCCESS,`, //                   7 INVALID_PERIOD
    `${r[6]},1405009999999999,2026-09,1000.00,2026-09-10,SUCCESS,`, //       8 ACCOUNT_NOT_FOUND
    `${r[7]},${c},2026-09,1000.00,2026-09-10,SUCCESS,`, //                   9 MONTH_ALREADY_PAID (paid before)
    `${r[8]},${b},2026-09,1000.00,2026-09-10,SUCCESS`, //                   10 MALFORMED_ROW (6 columns)
    `${r[9]},${b},2026-08,1000.00,2026-09-10,SUCCESS,`, //                  11 accepted
    `${r[10]},${b},2026-08,1000.00,2026-09-10,SUCCESS,`, //                 12 MONTH_ALREADY_PAID (line 11)
    `${r[11]},${c},2026-08,100.00,2026-09-10,SUCCESS,`, //                  13 AMOUNT_BELOW_MINIMUM
    ``, //                                                                  14 blank, skipped
    `"${r[12]}",${c},2026-07,"1000.00",2026-09-10,SUCCESS,""`, //           15 accepted (quoted fields)
  ];
  return { a, b, c, refs: r, csv: lines.join(eol) + eol };
}

const MIXED_COUNTS = { accepted: 4, missed: 1, duplicates: 1, rejected: 7, rows: 13 };
const MIXED_ERRORS = [
  ["line:6", "INVALID_AMOUNT"],
  ["line:7", "INVALID_PERIOD"],
  ["line:8", "ACCOUNT_NOT_FOUND"],
  ["line:9", "MONTH_ALREADY_PAID"],
  ["line:10", "MALFORMED_ROW"],
  ["line:12", "MONTH_ALREADY_PAID"],
  ["line:13", "AMOUNT_BELOW_MINIMUM"],
];

describe("importBankCollection", () => {
  it("posts the good rows, records the failed ones and lists every broken row with its line and code", async () => {
    const { a, b, c, refs, csv } = await mixedFile();
    const before = await entryCount();
    const result = await imported(csv);
    expect(result).toMatchObject(MIXED_COUNTS);
    expect(byLine(result.errors)).toEqual(MIXED_ERRORS);
    expect(result.errors.find((e) => e.field === "line:6")!.message).toMatch(/第6行/);
    expect(await entryCount()).toBe(before + 2 * 4); // each accepted row: bank settlement debit + worker credit
    expect([await balanceOf(a), await balanceOf(b), await balanceOf(c)]).toEqual(["2000.00", "1000.00", "2000.00"]);
    const missed = await t.hub.db.prisma.missedCollection.findUniqueOrThrow({ where: { paymentRef: refs[2]! } });
    expect(missed).toMatchObject({ accountNumber: b, period: "2026-09", reason: "余额不足" });
    expect(missed.amount.toFixed(2)).toBe("800.00");
    const backPaid = await t.hub.db.prisma.depositMonth.findFirstOrThrow({
      where: { account: { accountNumber: a }, period: "2026-08" },
    });
    expect(backPaid).toMatchObject({ source: "BACK_PAYMENT", channel: "BANK_COLLECTION", paymentRef: refs[3] });
  });

  it("counts references seen in an earlier import as duplicates and posts only the new rows", async () => {
    const a = await openAccount();
    const first = [
      HEADER,
      `BKOVL${Date.now()}01,${a},2026-08,1000.00,2026-08-10,SUCCESS,`,
      `BKOVL${Date.now()}02,${a},2026-09,900.00,2026-09-10,FAILED,账户冻结`,
    ].join("\n");
    expect(await imported(first)).toMatchObject({ accepted: 1, missed: 1, duplicates: 0, rejected: 0, rows: 2 });
    const overlapping = [...first.split("\n"), `BKOVL${Date.now()}03,${a},2026-09,1000.00,2026-09-12,SUCCESS,`].join(
      "\n",
    );
    const before = await entryCount();
    expect(await imported(overlapping)).toEqual({
      accepted: 1,
      missed: 0,
      duplicates: 2,
      rejected: 0,
      rows: 3,
      errors: [],
    });
    expect(await entryCount()).toBe(before + 2);
    expect(await balanceOf(a)).toBe("2000.00");
  });

  it("posts nothing twice when the same file is imported again under a new key", async () => {
    const { a, b, c, csv } = await mixedFile();
    await imported(csv);
    const before = await entryCount();
    const missedBefore = await t.hub.db.prisma.missedCollection.count();
    const again = await imported(csv);
    // Posted and failed rows are duplicates now; broken rows were never posted, so they are refused again.
    expect(again).toMatchObject({ accepted: 0, missed: 0, duplicates: 6, rejected: 7, rows: 13 });
    expect(byLine(again.errors)).toEqual(MIXED_ERRORS);
    expect(await entryCount()).toBe(before);
    expect(await t.hub.db.prisma.missedCollection.count()).toBe(missedBefore);
    expect([await balanceOf(a), await balanceOf(b), await balanceOf(c)]).toEqual(["2000.00", "1000.00", "2000.00"]);
  });

  it("counts every row of a clean file as a duplicate the second time", async () => {
    const a = await openAccount();
    const stamp = Date.now();
    const csv = [
      HEADER,
      `BKCLN${stamp}1,${a},2026-07,1000.00,2026-07-20,SUCCESS,`,
      `BKCLN${stamp}2,${a},2026-08,1000.00,2026-08-10,FAILED,余额不足`,
      `BKCLN${stamp}3,${a},2026-08,1000.00,2026-08-20,SUCCESS,`,
    ].join("\n");
    expect(await imported(csv)).toEqual({ accepted: 2, missed: 1, duplicates: 0, rejected: 0, rows: 3, errors: [] });
    const before = await entryCount();
    expect(await imported(csv)).toEqual({ accepted: 0, missed: 0, duplicates: 3, rejected: 0, rows: 3, errors: [] });
    expect(await entryCount()).toBe(before);
  });

  it("posts each row once when the same file is imported three times at once", async () => {
    const accounts = [await openAccount(), await openAccount()];
    const stamp = Date.now();
    const lines = [HEADER];
    for (const [i, a] of accounts.entries())
      for (const period of ["2026-07", "2026-08", "2026-09"])
        lines.push(`BKCC${stamp}${i}${period.slice(5)},${a},${period},1000.00,2026-09-10,SUCCESS,`);
    lines.push(`BKCC${stamp}F,${accounts[0]},2026-10,1000.00,2026-10-10,FAILED,余额不足`);
    const csv = lines.join("\n");
    const before = await entryCount();
    const results = await Promise.all([1, 2, 3].map(() => importCsv(csv)));
    for (const res of results) expect(res.body.errors).toBeUndefined();
    const outcomes = results.map((r) => r.body.data!.importBankCollection);
    for (const o of outcomes) expect([o.rows, o.rejected, o.errors]).toEqual([7, 0, []]);
    // With one lane one import posts the file and the others count 7 duplicates; with two (PostgreSQL, decision 041)
    // each account's lane goes to whichever import locks the account first. Together: each row posted once.
    const sum = (k: "accepted" | "missed" | "duplicates") => outcomes.reduce((n, o) => n + o[k], 0);
    expect([sum("accepted"), sum("missed"), sum("duplicates")]).toEqual([6, 1, 14]);
    if (t.hub.services.importLanes === 1) expect(outcomes.map((o) => o.accepted).sort()).toEqual([0, 0, 6]);
    expect(await entryCount()).toBe(before + 2 * 6);
    expect([await balanceOf(accounts[0]!), await balanceOf(accounts[1]!)]).toEqual(["3000.00", "3000.00"]);
  });

  it("returns the first result for the same key and file, and refuses the same key with another file", async () => {
    const { csv } = await mixedFile();
    const importKey = key("imp");
    const first = await imported(csv, importKey);
    const before = await entryCount();
    const replay = await imported(csv, importKey);
    expect(replay).toEqual(first);
    expect(await entryCount()).toBe(before);
    const other = await imported(
      `${csv}BKOTHER${Date.now()},1405009999999999,2026-09,1000.00,2026-09-10,FAILED,x\n`,
      importKey,
    );
    expect(other).toEqual({
      accepted: 0,
      missed: 0,
      duplicates: 0,
      rejected: 0,
      rows: 0,
      errors: [expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED", field: "idempotencyKey" })],
    });
    expect(await entryCount()).toBe(before);
  });

  it("rejects an amount without exactly two decimals by line, on the mutation and the streamed route", async () => {
    const a = await openAccount();
    const stamp = key("")
      .replace(/[^0-9a-z]/gi, "")
      .slice(0, 10);
    const csv = [
      HEADER,
      `BKDEC${stamp}1,${a},2026-07,1000,2026-07-20,SUCCESS,`, //   2 INVALID_AMOUNT
      `BKDEC${stamp}2,${a},2026-07,1000.5,2026-07-20,SUCCESS,`, // 3 INVALID_AMOUNT
      `BKDEC${stamp}3,${a},2026-08,1000.000,2026-08-20,SUCCESS,`, // 4 INVALID_AMOUNT
    ].join("\n");
    const before = await entryCount();
    const result = await imported(csv);
    expect(result).toMatchObject({ accepted: 0, rejected: 3, rows: 3 });
    expect(byLine(result.errors)).toEqual([
      ["line:2", "INVALID_AMOUNT"],
      ["line:3", "INVALID_AMOUNT"],
      ["line:4", "INVALID_AMOUNT"],
    ]);
    const streamed = await stream(`${csv.replace(/BKDEC/g, "BKDES")}\n`);
    expect(streamed.status).toBe(200);
    expect(byLine(streamed.body.errors)).toEqual(byLine(result.errors));
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(a)).toBe("0.00");
  });

  it("refuses a file whose header is wrong and posts nothing", async () => {
    const a = await openAccount();
    const before = await entryCount();
    const wrongHeader = [
      `paymentRef,accountNumber,period,amount,paidOn,result`,
      `BKHDR${Date.now()},${a},2026-07,1000.00,2026-07-20,SUCCESS,`,
    ].join("\n");
    const result = await imported(wrongHeader);
    expect(result).toMatchObject({ accepted: 0, duplicates: 0, missed: 0 });
    expect(result.errors).toEqual([expect.objectContaining({ code: "INVALID_HEADER", field: "line:1" })]);
    expect(await imported("")).toMatchObject({
      accepted: 0,
      errors: [expect.objectContaining({ code: "EMPTY_FILE", field: "line:1" })],
    });
    expect(await entryCount()).toBe(before);
    expect(await balanceOf(a)).toBe("0.00");
  });

  it("refuses a csv over 5 MB on the GraphQL mutation with BAD_USER_INPUT", async () => {
    const before = await t.hub.db.prisma.idempotencyRecord.count();
    const big = `${HEADER}\n${"x".repeat(5 * 1024 * 1024)}`;
    const res = await importCsv(big);
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data?.importBankCollection ?? null).toBeNull();
    expect(await t.hub.db.prisma.idempotencyRecord.count()).toBe(before);
  });

  it("is refused for a worker, the center admin and an anonymous caller", async () => {
    const csv = `${HEADER}\n`;
    expect(errorCodes(await importCsv(csv, key(), "WORKER"))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await importCsv(csv, key(), "CENTER_ADMIN"))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await importCsv(csv, key(), null))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("POST /imports/bank-collection", () => {
  it("gives the same result as the mutation for the same kind of file, CRLF line endings included", async () => {
    const { a, b, c, csv } = await mixedFile("\r\n");
    const res = await stream(csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(MIXED_COUNTS);
    expect(byLine(res.body.errors)).toEqual(MIXED_ERRORS);
    expect([await balanceOf(a), await balanceOf(b), await balanceOf(c)]).toEqual(["2000.00", "1000.00", "2000.00"]);
    const viaGraphql = await imported((await mixedFile()).csv);
    expect(res.body).toEqual(viaGraphql);
  });

  it("returns the first result for a replayed key and refuses the key with another file", async () => {
    const a = await openAccount();
    const csv = `${HEADER}\nBKSTR${Date.now()},${a},2026-07,1000.00,2026-07-20,SUCCESS,\n`;
    const importKey = key("stream");
    const first = await stream(csv, { key: importKey });
    expect(first.body).toEqual({ accepted: 1, missed: 0, duplicates: 0, rejected: 0, rows: 1, errors: [] });
    const before = await entryCount();
    expect((await stream(csv, { key: importKey })).body).toEqual(first.body);
    const reused = await stream(`${csv}BKSTR${Date.now()}x,${a},2026-08,1000.00,2026-08-20,SUCCESS,\n`, {
      key: importKey,
    });
    expect(reused.body.errors).toEqual([expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" })]);
    expect(await entryCount()).toBe(before);
  });

  it("returns the first result when a file sent to the mutation is retried on the streaming endpoint under the same key", async () => {
    const a = await openAccount();
    const csv = `${HEADER}\nBKX${Date.now()},${a},2026-07,1000.00,2026-07-20,SUCCESS,\n`;
    const importKey = key("both");
    const first = await imported(csv, importKey);
    expect(first).toMatchObject({ accepted: 1 });
    expect((await stream(csv, { key: importKey })).body).toEqual(first);
  });

  it("refuses a missing or invalid token, a worker, a non-CSV body and a missing key", async () => {
    const csv = `${HEADER}\n`;
    const missing = await stream(csv, { token: null });
    expect([
      missing.status,
      missing.body.errors.map((e) => (e as unknown as { extensions: { code: string } }).extensions.code),
    ]).toEqual([401, ["UNAUTHENTICATED"]]);
    expect((await stream(csv, { token: "not-a-jwt" })).status).toBe(401);
    const worker = await stream(csv, { token: await t.token("WORKER") });
    expect([
      worker.status,
      worker.body.errors.map((e) => (e as unknown as { extensions: { code: string } }).extensions.code),
    ]).toEqual([403, ["FORBIDDEN"]]);
    expect((await stream(csv, { token: await t.token("TAX_BUREAU") })).status).toBe(403);
    const json = await stream(JSON.stringify({ csv }), { contentType: "application/json" });
    expect(json.status).toBe(415);
    expect((await stream(csv, { key: null })).status).toBe(400);
  });

  it("streams a file of 5,000 rows in batches of at most 1,000 and keeps the ledger balanced", async () => {
    // 32 accounts opened 2023-07-15, each paying every month from 2023-07 to 2036-06 in that month (156 rows each).
    const accounts: string[] = [];
    for (let i = 0; i < 2; i++)
      accounts.push(...(await Promise.all(Array.from({ length: 16 }, () => openAccount("2023-07-15")))));
    const periods = Array.from(
      { length: 156 },
      (_, i) => `${2023 + Math.floor((6 + i) / 12)}-${String(((6 + i) % 12) + 1).padStart(2, "0")}`,
    );
    expect([periods.at(0), periods.at(-1)]).toEqual(["2023-07", "2036-06"]);
    const prefix = `BKBIG${Date.now().toString(36).toUpperCase()}`;
    const lines = [HEADER];
    let n = 0;
    for (const period of periods)
      for (const a of accounts)
        lines.push(`${prefix}${String(n++).padStart(6, "0")},${a},${period},300.00,${period}-20,SUCCESS,`);
    for (let i = 0; i < 8; i++) lines.push(`${prefix}F${i},${accounts[i]},2036-06,300.00,2036-06-20,FAILED,余额不足`);
    expect(lines.length - 1).toBe(5000);
    const before = await entryCount();
    const res = await stream(lines.join("\n") + "\n");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 4992, missed: 8, duplicates: 0, rejected: 0, rows: 5000, errors: [] });
    expect(await entryCount()).toBe(before + 2 * 4992);
    expect(await balanceOf(accounts[0]!)).toBe("46800.00");
    expect(await balanceOf(accounts[31]!)).toBe("46800.00");
    // The postings of a batch share its transaction (xmin: postings are never updated): one transaction per
    // BATCH_SIZE rows. With two lanes (PostgreSQL's default, decision 041) each round of 2,000 rows is two batches
    // of 1,000 (16 accounts each), and the last round of 1,000 rows two of 500.
    const batches = await t.hub.db.prisma.$queryRaw<{ postings: bigint }[]>`
      SELECT count(*) AS postings FROM posting WHERE memo LIKE ${`BANK_COLLECTION ${prefix}%`} GROUP BY xmin::text`;
    expect(BATCH_SIZE).toBe(1000);
    expect([t.hub.services.importLanes, batches.length]).toEqual(t.hub.db.kind === "postgres" ? [2, 6] : [1, 5]);
    expect(batches.every((b) => Number(b.postings) <= BATCH_SIZE)).toBe(true);
    expect(batches.reduce((sum, b) => sum + Number(b.postings), 0)).toBe(4992);
    await expectLedgerBalanced(t);
  });
});

// Two imports posting the same references at once on different accounts share no account lock: they meet only on
// the references' keys. PGlite has one session, so only PostgreSQL can hold their transactions open side by side.
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres("two files posting the same references at once (PostgreSQL)", () => {
  it("posts each reference once: a batch that meets the other's key is judged again and counts duplicates", async () => {
    const mine = [await openAccount(), await openAccount()];
    const theirs = [await openAccount(), await openAccount()];
    const stamp = Date.now();
    // The same five references in both files: two months for each of two accounts, and a missed collection.
    const file = (accounts: string[]) =>
      [
        HEADER,
        ...accounts.flatMap((a, i) =>
          ["2026-07", "2026-08"].map((p) => `BKRACE${stamp}${i}${p.slice(5)},${a},${p},1000.00,2026-08-10,SUCCESS,`),
        ),
        `BKRACE${stamp}F,${accounts[0]},2026-09,1000.00,2026-09-10,FAILED,余额不足`,
      ].join("\n");
    const before = await entryCount();
    // Hold every insert into bank_payment_ref until all four batches (two files, two lanes each) have judged their
    // rows fresh and wait to write them; then let them race for the keys.
    const other = new Client({ connectionString: t.database.options.url });
    await other.connect();
    let results: ImportResult[];
    try {
      await other.query("BEGIN");
      await other.query("LOCK TABLE bank_payment_ref IN SHARE MODE");
      const imports = [imported(file(mine)), imported(file(theirs))];
      for (;;) {
        const { rows } = await other.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'bank_payment_ref'::regclass`,
        );
        if (Number(rows[0]!.n) === 4) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await other.query("COMMIT");
      results = await Promise.all(imports);
    } finally {
      await other.end();
    }
    for (const r of results) expect([r.rows, r.rejected, r.errors]).toEqual([5, 0, []]);
    // Which file posts which reference is the race's; together they post each once and count each other's twice.
    const total = (k: "accepted" | "missed" | "duplicates") => results[0]![k] + results[1]![k];
    expect([total("accepted"), total("missed"), total("duplicates")]).toEqual([4, 1, 5]);
    expect(await entryCount()).toBe(before + 2 * 4);
    for (const i of [0, 1]) {
      const pair = [await balanceOf(mine[i]!), await balanceOf(theirs[i]!)].sort();
      expect(pair).toEqual(["0.00", "2000.00"]);
    }
    const refs = await t.hub.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM bank_payment_ref WHERE payment_ref LIKE ${`BKRACE${stamp}%`}`;
    expect(Number(refs[0]!.n)).toBe(5);
  });
});
