// The set-based credit posting (postSqlCredits, the year-end interest run's posting): each selected worker credited
// with the balance it leaves on its entry, the fund debited the total, in one statement; lines that could not
// balance are refused and nothing is written.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import { inTransaction } from "../../../src/db/transaction";
import { toMoney } from "../../../src/domain/money/money";
import { Prisma } from "../../../src/generated/prisma/client";
import { loadFundAccounts } from "../../../src/ledger/fund-accounts";
import { createLedger, type Ledger } from "../../../src/ledger/ledger";
import { checkLedger } from "../../../src/ledger/ledger-check";
import { UnbalancedPostingError } from "../../../src/ledger/posting";
import { ledgerBalanceOf, ledgerCounts, openWorkerLedgerAccount } from "../../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

let database: TestDatabase;
let db: Database;
let bank: bigint;
let ledger: Ledger;
let w1: bigint;
let w2: bigint;
/** Postings whose metric hook ran, by id. */
const hooked: unknown[] = [];

const workerAccount = (n: number) => openWorkerLedgerAccount(db.prisma, `WORKER:SQL-CREDITS-${n}`);

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.options);
  const fund = await loadFundAccounts(db.prisma);
  bank = fund.BANK_SETTLEMENT;
  ledger = createLedger(fund, async (_tx, posted) => {
    hooked.push(posted);
  });
  w1 = await workerAccount(1);
  w2 = await workerAccount(2);
  await inTransaction(db.prisma, (tx) =>
    ledger.post(tx, {
      kind: "DEPOSIT",
      postedOn: "2026-07-20",
      lines: [
        { ledgerAccountId: bank, side: "D", amount: toMoney("100.00") },
        { ledgerAccountId: w1, side: "C", amount: toMoney("100.00"), worker: true, period: "2026-07" },
      ],
    }),
  );
  hooked.length = 0;
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

const counts = () => ledgerCounts(db.prisma);
const balanceOf = (id: bigint) => ledgerBalanceOf(db.prisma, id);

const credit = (lines: Prisma.Sql) =>
  inTransaction(db.prisma, (tx) =>
    ledger.postSqlCredits(tx, { kind: "INTEREST", postedOn: "2027-06-30", memo: "test", debitAccountId: bank, lines }),
  );

test("credits each selected worker, debits the fund the total, each entry with the balance it leaves", async () => {
  const before = await counts();
  // w1 100.00 + 15.21 = 115.21; w2 0.00 + 0.05 = 0.05; the bank debited 15.21 + 0.05 = 15.26.
  const postingId = await credit(
    Prisma.sql`SELECT * FROM (VALUES (${w1}::bigint, 15.21::numeric), (${w2}::bigint, 0.05)) v`,
  );
  expect(postingId).not.toBeNull();
  expect(await counts()).toEqual({ postings: before.postings + 1, entries: before.entries + 3 });
  const entries = await db.prisma.ledgerEntry.findMany({ where: { postingId: postingId! } });
  expect(
    entries
      .map((e) => [
        e.ledgerAccountId,
        e.kind,
        e.debit.toFixed(2),
        e.credit.toFixed(2),
        e.balanceAfter?.toFixed(2) ?? null,
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0])),
  ).toEqual(
    [
      [bank, "INTEREST", "15.26", "0.00", null],
      [w1, "INTEREST", "0.00", "15.21", "115.21"],
      [w2, "INTEREST", "0.00", "0.05", "0.05"],
    ].sort((a, b) => Number(a[0]) - Number(b[0])),
  );
  expect(await balanceOf(w1)).toBe("115.21");
  expect(await balanceOf(w2)).toBe("0.05");
  expect(hooked).toEqual([{ postingIds: [postingId] }]);
  expect((await checkLedger(db.prisma)).ok).toBe(true);
});

test("posts nothing when the lines select nothing", async () => {
  const before = await counts();
  expect(await credit(Prisma.sql`SELECT ${w1}::bigint, 1.00::numeric WHERE false`)).toBeNull();
  expect(await counts()).toEqual(before);
  expect(hooked).toHaveLength(1);
});

test("refuses lines that could not balance (a fund account, a repeated worker, a sub-fen amount); writes nothing", async () => {
  const before = await counts();
  await expect(
    credit(Prisma.sql`SELECT * FROM (VALUES (${w1}::bigint, 1.00::numeric), (${bank}::bigint, 1.00)) v`),
  ).rejects.toBeInstanceOf(UnbalancedPostingError);
  await expect(
    credit(Prisma.sql`SELECT * FROM (VALUES (${w1}::bigint, 1.00::numeric), (${w1}::bigint, 2.00)) v`),
  ).rejects.toBeInstanceOf(UnbalancedPostingError);
  // A sub-fen amount moves no balance and its fund entry (0.001 in a fen column) breaks the entry's amount check:
  // refused by whichever comes first.
  await expect(credit(Prisma.sql`SELECT ${w2}::bigint, 0.001::numeric`)).rejects.toThrow();
  expect(await counts()).toEqual(before);
  expect(await balanceOf(w1)).toBe("115.21");
  expect(await balanceOf(w2)).toBe("0.05");
  expect((await checkLedger(db.prisma)).ok).toBe(true);
});
