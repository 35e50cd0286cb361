// The set-based posting of the batch runs (postStaged: the bank file, the loan offsets): the lines selected in the
// database become postings whose worker entries carry the balance each leaves, the worker balances move by the
// batch's total, the hook sees exactly the staged postings; an unbalanced posting or a worker balance that would go
// below zero is refused and the transaction writes nothing.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import { inTransaction } from "../../../src/db/transaction";
import { Prisma } from "../../../src/generated/prisma/client";
import { loadFundAccounts } from "../../../src/ledger/fund-accounts";
import { createLedger, type Ledger } from "../../../src/ledger/ledger";
import { checkLedger } from "../../../src/ledger/ledger-check";
import { InsufficientBalanceError, UnbalancedPostingError } from "../../../src/ledger/posting";
import { ledgerBalanceOf, ledgerCounts, openWorkerLedgerAccount } from "../../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

let database: TestDatabase;
let db: Database;
let bank: bigint;
let ledger: Ledger;
let w1: bigint;
let w2: bigint;
/** The entries each hook call saw (the staged scope evaluated inside the posting's transaction). */
const hooked: { posting_id: bigint; ledger_account_id: bigint }[][] = [];

const workerAccount = (n: number) => openWorkerLedgerAccount(db.prisma, `WORKER:STAGED-${n}`);

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.options);
  const fund = await loadFundAccounts(db.prisma);
  bank = fund.BANK_SETTLEMENT;
  ledger = createLedger(fund, async (tx, posted) => {
    hooked.push(
      await tx.$queryRaw<{ posting_id: bigint; ledger_account_id: bigint }[]>`
        SELECT e.posting_id, e.ledger_account_id FROM ledger_entry e WHERE ${posted as Prisma.Sql} ORDER BY e.id`,
    );
  });
  w1 = await workerAccount(1);
  w2 = await workerAccount(2);
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

const counts = () => ledgerCounts(db.prisma);
const balanceOf = (id: bigint) => ledgerBalanceOf(db.prisma, id);

/** One row per line: key, line_no, side, amount, worker, the account (w1, w2 or the bank), period. */
type Line = [number, number, "D" | "C", string, boolean, bigint, string | null];
const linesSql = (lines: Line[]) =>
  Prisma.sql`SELECT v.key, v.line_no, 'DEPOSIT' AS kind, DATE '2026-07-10' AS posted_on, 'staged ' || v.key AS memo,
    v.ledger_account_id, v.side, v.amount, v.worker, v.period
    FROM (VALUES ${Prisma.join(
      lines.map(
        ([key, lineNo, side, amount, worker, account, period]) =>
          Prisma.sql`(${key}::bigint, ${lineNo}::int, ${side}::text, ${amount}::numeric, ${worker}::boolean, ${account}::bigint, ${period}::char(7))`,
      ),
    )}) AS v(key, line_no, side, amount, worker, ledger_account_id, period)`;

const stage = (lines: Line[]) =>
  inTransaction(db.prisma, (tx) => ledger.postStaged(tx, linesSql(lines), { period: true }));

test("posts each key as one posting, worker entries with the balance each leaves, balances moved by the total", async () => {
  const before = await counts();
  hooked.length = 0;
  // w1 0.00 + 100.00 + 50.00 = 150.00 (entries leave 100.00 then 150.00); w2 0.00 + 30.00 = 30.00.
  const totals = await stage([
    [10, 1, "D", "100.00", false, bank, null],
    [10, 2, "C", "100.00", true, w1, "2026-06"],
    [11, 1, "D", "30.00", false, bank, null],
    [11, 2, "C", "30.00", true, w2, "2026-06"],
    [12, 1, "D", "50.00", false, bank, null],
    [12, 2, "C", "50.00", true, w1, "2026-07"],
  ]);
  expect(totals).toEqual({ postings: 3, entries: 6 });
  expect(await counts()).toEqual({ postings: before.postings + 3, entries: before.entries + 6 });
  expect(await balanceOf(w1)).toBe("150.00");
  expect(await balanceOf(w2)).toBe("30.00");
  const entries = await db.prisma.$queryRaw<
    { memo: string; account: bigint; debit: string; credit: string; period: string | null; after: string | null }[]
  >`
    SELECT p.memo, e.ledger_account_id AS account, e.debit::text, e.credit::text, e.period, e.balance_after::text AS after
    FROM ledger_entry e JOIN posting p ON p.id = e.posting_id WHERE p.memo LIKE 'staged %' ORDER BY e.id`;
  expect(entries).toEqual([
    { memo: "staged 10", account: bank, debit: "100.00", credit: "0.00", period: null, after: null },
    { memo: "staged 10", account: w1, debit: "0.00", credit: "100.00", period: "2026-06", after: "100.00" },
    { memo: "staged 11", account: bank, debit: "30.00", credit: "0.00", period: null, after: null },
    { memo: "staged 11", account: w2, debit: "0.00", credit: "30.00", period: "2026-06", after: "30.00" },
    { memo: "staged 12", account: bank, debit: "50.00", credit: "0.00", period: null, after: null },
    { memo: "staged 12", account: w1, debit: "0.00", credit: "50.00", period: "2026-07", after: "150.00" },
  ]);
  // The hook saw exactly these six entries.
  expect(hooked).toHaveLength(1);
  expect(hooked[0]!.map((e) => e.ledger_account_id)).toEqual([bank, w1, bank, w2, bank, w1]);
  expect((await checkLedger(db.prisma)).ok).toBe(true);
});

test("a transaction may stage twice: the second call posts only its own lines", async () => {
  hooked.length = 0;
  const before = await counts();
  // w2 30.00 + 5.00 = 35.00, then + 7.00 = 42.00.
  const [first, second] = await inTransaction(db.prisma, async (tx) => [
    await ledger.postStaged(
      tx,
      linesSql([
        [1, 1, "D", "5.00", false, bank, null],
        [1, 2, "C", "5.00", true, w2, "2026-08"],
      ]),
      { period: true },
    ),
    await ledger.postStaged(
      tx,
      linesSql([
        [1, 1, "D", "7.00", false, bank, null],
        [1, 2, "C", "7.00", true, w2, "2026-09"],
      ]),
      { period: true },
    ),
  ]);
  expect(first).toEqual({ postings: 1, entries: 2 });
  expect(second).toEqual({ postings: 1, entries: 2 });
  expect(await counts()).toEqual({ postings: before.postings + 2, entries: before.entries + 4 });
  expect(await balanceOf(w2)).toBe("42.00");
  expect(hooked.map((h) => h.length)).toEqual([2, 2]);
  const [last] = await db.prisma.$queryRaw<{ after: string }[]>`
    SELECT balance_after::text AS after FROM ledger_entry WHERE ledger_account_id = ${w2} ORDER BY id DESC LIMIT 1`;
  expect(last!.after).toBe("42.00");
  expect((await checkLedger(db.prisma)).ok).toBe(true);
});

test("a worker debit that would take the balance below zero is refused and nothing is written", async () => {
  hooked.length = 0;
  const before = await counts();
  // w1 holds 150.00: a 100.00 credit to w2 is fine, but w1 is then debited 150.01 (key 21).
  await expect(
    stage([
      [20, 1, "D", "100.00", false, bank, null],
      [20, 2, "C", "100.00", true, w2, null],
      [21, 1, "D", "150.01", true, w1, null],
      [21, 2, "C", "150.01", false, bank, null],
    ]),
  ).rejects.toBeInstanceOf(InsufficientBalanceError);
  expect(await counts()).toEqual(before);
  expect(await balanceOf(w1)).toBe("150.00");
  expect(await balanceOf(w2)).toBe("42.00");
  expect(hooked).toHaveLength(0);
});

test("an entry that leaves a negative balance on the way is refused even when the batch's total is positive", async () => {
  const before = await counts();
  // w2 holds 42.00: debited 50.00 (key 30, leaving -8.00) and then credited 60.00 (key 31): the total +10.00 is
  // covered, the first entry's balance after is not.
  await expect(
    stage([
      [30, 1, "D", "50.00", true, w2, null],
      [30, 2, "C", "50.00", false, bank, null],
      [31, 1, "D", "60.00", false, bank, null],
      [31, 2, "C", "60.00", true, w2, null],
    ]),
  ).rejects.toBeInstanceOf(InsufficientBalanceError);
  expect(await counts()).toEqual(before);
  expect(await balanceOf(w2)).toBe("42.00");
});

// The accounts exist only once beforeAll ran: each case builds its lines then.
test.each<[string, () => Line[], RegExp]>([
  [
    "debits and credits differ",
    () => [
      [40, 1, "D", "10.00", false, bank, null],
      [40, 2, "C", "9.99", true, w1, null],
    ],
    /staged posting 40: debits do not equal credits/,
  ],
  [
    "a posting of one entry",
    () => [[41, 1, "D", "10.00", false, bank, null]],
    /staged posting 41: a posting needs at least two/,
  ],
  [
    "an amount below a fen",
    () => [
      [42, 1, "D", "10.001", false, bank, null],
      [42, 2, "C", "10.001", true, w1, null],
    ],
    /staged posting 42: an entry amount is not a positive amount in fen/,
  ],
])("an unbalanced batch (%s) is refused before anything is written", async (_name, linesOf, message) => {
  const before = await counts();
  const good: Line[] = [
    [1, 1, "D", "1.00", false, bank, null],
    [1, 2, "C", "1.00", true, w1, null],
  ];
  const refused = stage([...good, ...linesOf()]);
  await expect(refused).rejects.toBeInstanceOf(UnbalancedPostingError);
  await expect(refused).rejects.toThrow(message);
  expect(await counts()).toEqual(before);
  expect(await balanceOf(w1)).toBe("150.00");
});

test("no lines: nothing posted, the hook not called", async () => {
  hooked.length = 0;
  const before = await counts();
  const totals = await inTransaction(db.prisma, (tx) =>
    ledger.postStaged(
      tx,
      Prisma.sql`SELECT * FROM (${linesSql([
        [50, 1, "D", "1.00", false, bank, null],
        [50, 2, "C", "1.00", true, w1, null],
      ])}) q WHERE false`,
      { period: true },
    ),
  );
  expect(totals).toEqual({ postings: 0, entries: 0 });
  expect(await counts()).toEqual(before);
  expect(hooked).toHaveLength(0);
});
