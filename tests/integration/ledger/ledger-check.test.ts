// The ledger's guards and its checker, each shown to catch what it claims. The posting engine refuses an unbalanced
// posting and one that would take a worker's balance below zero (entry by entry), and writes nothing; `checkLedger`
// (npm run ledger:check) reports a posting corrupted through SQL, a stored balance that disagrees with its entries, and
// a negative balance. The corruptions are made in this file's own database (the append-only trigger is disabled there
// for the one UPDATE that needs it).
import "reflect-metadata";

import { execFile } from "node:child_process";
import { resolve } from "node:path";

import { type Database, openDatabase } from "../../../src/db/database";
import { inTransaction, type Tx } from "../../../src/db/transaction";
import { toMoney } from "../../../src/domain/money/money";
import { loadFundAccounts } from "../../../src/ledger/fund-accounts";
import { createLedger, type Ledger } from "../../../src/ledger/ledger";
import { checkLedger } from "../../../src/ledger/ledger-check";
import { InsufficientBalanceError, type PostingRequest, UnbalancedPostingError } from "../../../src/ledger/posting";
import { ledgerBalanceOf, ledgerCounts, openWorkerLedgerAccount } from "../../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

let database: TestDatabase;
let db: Database;
let bank: bigint;
let ledger: Ledger;
/** These tests are about the ledger alone: no pilot-metric hook after each posting. */
const noHook = async (): Promise<void> => undefined;
const post = (tx: Tx, request: PostingRequest) => ledger.post(tx, request);
const postMany = (tx: Tx, requests: PostingRequest[]) => ledger.postMany(tx, requests);

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.options);
  const fund = await loadFundAccounts(db.prisma);
  bank = fund.BANK_SETTLEMENT;
  ledger = createLedger(fund, noHook);
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

let workerSeq = 0;
/** A worker's ledger account of its own (balance 0), made directly: these tests are about the ledger alone. */
async function workerAccount(): Promise<bigint> {
  workerSeq += 1;
  return openWorkerLedgerAccount(db.prisma, `WORKER:LEDGER-TEST-${workerSeq}`);
}

const deposit = (worker: bigint, amount: string): PostingRequest => ({
  kind: "DEPOSIT",
  postedOn: "2026-07-20",
  lines: [
    { ledgerAccountId: bank, side: "D", amount: toMoney(amount) },
    { ledgerAccountId: worker, side: "C", amount: toMoney(amount), worker: true, period: "2026-07" },
  ],
});
const withdrawal = (worker: bigint, amount: string): PostingRequest => ({
  kind: "WITHDRAWAL",
  postedOn: "2026-07-21",
  lines: [
    { ledgerAccountId: worker, side: "D", amount: toMoney(amount), worker: true },
    { ledgerAccountId: bank, side: "C", amount: toMoney(amount) },
  ],
});

const counts = () => ledgerCounts(db.prisma);
const balanceOf = (id: bigint) => ledgerBalanceOf(db.prisma, id);

describe("the posting guards", () => {
  let worker: bigint;
  beforeAll(async () => {
    worker = await workerAccount();
    await inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "100.00")));
  });

  it("refuses a posting whose debits and credits differ, and writes nothing", async () => {
    const before = await counts();
    const unbalanced: PostingRequest = {
      kind: "DEPOSIT",
      postedOn: "2026-07-20",
      lines: [
        { ledgerAccountId: bank, side: "D", amount: toMoney("100.00") },
        { ledgerAccountId: worker, side: "C", amount: toMoney("100.01"), worker: true },
      ],
    };
    await expect(inTransaction(db.prisma, (tx) => post(tx, unbalanced))).rejects.toThrow(
      new UnbalancedPostingError("debits 100.00 do not equal credits 100.01"),
    );
    expect(await counts()).toEqual(before);
    expect(await balanceOf(worker)).toBe("100.00");
  });

  it("refuses a one-sided posting and a zero or sub-fen amount", async () => {
    const oneLine: PostingRequest = {
      kind: "DEPOSIT",
      postedOn: "2026-07-20",
      lines: [{ ledgerAccountId: worker, side: "C", amount: toMoney("5.00"), worker: true }],
    };
    await expect(inTransaction(db.prisma, (tx) => post(tx, oneLine))).rejects.toThrow(UnbalancedPostingError);
    await expect(inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "0.00")))).rejects.toThrow(
      UnbalancedPostingError,
    );
    await expect(inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "0.001")))).rejects.toThrow(
      UnbalancedPostingError,
    );
    expect(await balanceOf(worker)).toBe("100.00");
  });

  it("refuses a withdrawal that would take the balance below zero, and writes nothing", async () => {
    const before = await counts();
    const refused = inTransaction(db.prisma, (tx) => post(tx, withdrawal(worker, "100.01")));
    await expect(refused).rejects.toBeInstanceOf(InsufficientBalanceError);
    await expect(refused).rejects.toMatchObject({ ledgerAccountId: worker });
    expect(await counts()).toEqual(before);
    expect(await balanceOf(worker)).toBe("100.00");
  });

  it("refuses a batch whose running balance dips below zero even when its net is positive", async () => {
    // 100.00 - 150.00 = -50.00 before the 200.00 credit arrives: the batch nets +50.00 but is refused.
    const before = await counts();
    const batch = [withdrawal(worker, "150.00"), deposit(worker, "200.00")];
    await expect(inTransaction(db.prisma, (tx) => postMany(tx, batch))).rejects.toBeInstanceOf(
      InsufficientBalanceError,
    );
    expect(await counts()).toEqual(before);
    expect(await balanceOf(worker)).toBe("100.00");
  });

  it("takes a withdrawal of exactly the balance (down to 0.00)", async () => {
    const result = await inTransaction(db.prisma, (tx) => post(tx, withdrawal(worker, "100.00")));
    expect(result.entries.map((e) => e.balanceAfter?.toFixed(2) ?? null)).toEqual(["0.00", null]);
    expect(await balanceOf(worker)).toBe("0.00");
  });
});

describe("checkLedger", () => {
  it("is ok on a ledger written by the posting engine", async () => {
    const report = await checkLedger(db.prisma);
    expect(report).toMatchObject({
      ok: true,
      unbalancedPostings: [],
      balanceMismatches: [],
      lastEntryMismatches: [],
      negativeBalances: [],
    });
    // The guards' file posted 100.00 in and 100.00 out through the bank: 200.00 on each side.
    expect({ debit: report.totalDebit, credit: report.totalCredit }).toEqual({ debit: "200.00", credit: "200.00" });
  });

  it("reports a stored balance that disagrees with its entries, then is ok again once repaired", async () => {
    const worker = await workerAccount();
    await inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "80.00")));
    await db.prisma.$executeRaw`UPDATE ledger_account SET balance = 79.99 WHERE id = ${worker}`;
    const report = await checkLedger(db.prisma);
    expect(report.ok).toBe(false);
    expect(report.balanceMismatches).toEqual([
      { ledgerAccountId: worker.toString(), stored: "79.99", fromEntries: "80.00" },
    ]);
    expect(report.lastEntryMismatches).toEqual([worker.toString()]);
    expect(report.unbalancedPostings).toEqual([]);
    await db.prisma.$executeRaw`UPDATE ledger_account SET balance = 80.00 WHERE id = ${worker}`;
    expect((await checkLedger(db.prisma)).ok).toBe(true);
  });

  it("reports a negative balance (past the database's own CHECK, dropped in this database for the test)", async () => {
    const worker = await workerAccount();
    // The database refuses it first...
    await expect(
      db.prisma.$executeRaw`UPDATE ledger_account SET balance = -5.00 WHERE id = ${worker}`,
    ).rejects.toThrow();
    expect(await balanceOf(worker)).toBe("0.00");
    // ...so the corruption goes around the constraint.
    await db.prisma.$executeRawUnsafe(
      `ALTER TABLE ledger_account DROP CONSTRAINT ledger_account_worker_balance_nonnegative`,
    );
    try {
      await db.prisma.$executeRaw`UPDATE ledger_account SET balance = -5.00 WHERE id = ${worker}`;
      const report = await checkLedger(db.prisma);
      expect(report.ok).toBe(false);
      expect(report.negativeBalances).toEqual([worker.toString()]);
      expect(report.balanceMismatches).toEqual([
        { ledgerAccountId: worker.toString(), stored: "-5.00", fromEntries: "0.00" },
      ]);
    } finally {
      await db.prisma.$executeRaw`UPDATE ledger_account SET balance = 0 WHERE id = ${worker}`;
      await db.prisma.$executeRawUnsafe(
        `ALTER TABLE ledger_account ADD CONSTRAINT ledger_account_worker_balance_nonnegative CHECK ("type" <> 'WORKER' OR "balance" >= 0)`,
      );
    }
    expect((await checkLedger(db.prisma)).ok).toBe(true);
  });

  it("reports a posting with an entry added to one side only", async () => {
    const worker = await workerAccount();
    const { postingId } = await inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "30.00")));
    // One more credit to the bank inside the same posting: 30.00 debit against 60.00 credit.
    await db.prisma.$executeRaw`
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on)
      VALUES (${postingId}, ${bank}, 'DEPOSIT', 0, 30.00, '2026-07-20')`;
    const report = await checkLedger(db.prisma);
    expect(report.ok).toBe(false);
    expect(report.unbalancedPostings).toEqual([postingId.toString()]);
    // Before: 200.00 (guards) + 80.00 (balance test) + 30.00 on each side; now 30.00 more credit.
    expect({ debit: report.totalDebit, credit: report.totalCredit }).toEqual({ debit: "310.00", credit: "340.00" });
    // Put it right the way the ledger is put right: a balancing entry (rows are never edited).
    await db.prisma.$executeRaw`
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on)
      VALUES (${postingId}, ${bank}, 'DEPOSIT', 30.00, 0, '2026-07-20')`;
    expect((await checkLedger(db.prisma)).ok).toBe(true);
  });

  it("reports an entry whose amount was edited behind the append-only trigger", async () => {
    const worker = await workerAccount();
    const { postingId, entries } = await inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "40.00")));
    const bankEntry = entries.find((e) => e.ledgerAccountId === bank)!.id;
    // The trigger refuses the edit (PGlite's adapter loses the message, so only the refusal and its effect are asserted)...
    await expect(db.prisma.$executeRaw`UPDATE ledger_entry SET debit = 4.00 WHERE id = ${bankEntry}`).rejects.toThrow();
    expect((await checkLedger(db.prisma)).ok).toBe(true);
    // ...so the corruption goes around it, in this test's own database.
    await db.prisma.$executeRawUnsafe(`ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_immutable`);
    try {
      await db.prisma.$executeRaw`UPDATE ledger_entry SET debit = 4.00 WHERE id = ${bankEntry}`;
      const report = await checkLedger(db.prisma);
      expect(report.ok).toBe(false);
      expect(report.unbalancedPostings).toEqual([postingId.toString()]);
      expect(report.balanceMismatches).toEqual([]);
      await db.prisma.$executeRaw`UPDATE ledger_entry SET debit = 40.00 WHERE id = ${bankEntry}`;
    } finally {
      await db.prisma.$executeRawUnsafe(`ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_immutable`);
    }
    expect((await checkLedger(db.prisma)).ok).toBe(true);
  });
});

/** `npm run ledger:check` on this file's database: its exit code and its JSON report. */
function ledgerCheckScript(): Promise<{ code: number; report: { ok: boolean; unbalancedPostings: string[] } }> {
  const root = resolve(__dirname, "../../..");
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["-r", "@swc-node/register", "scripts/ledger-check.ts"],
      { cwd: root, env: { ...process.env, DATABASE_URL: database.options.url, HUB_DATA_DIR: "" } },
      (error, stdout) => {
        try {
          done({ code: error ? Number(error.code) : 0, report: JSON.parse(stdout) });
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
        }
      },
    );
  });
}

// The script opens the configured database from another process: an in-memory PGlite cannot be shared, so this
// runs on PostgreSQL only (CI's second pass).
(process.env.DATABASE_URL ? describe : describe.skip)("npm run ledger:check", () => {
  it("exits 1 with the report while a posting is unbalanced, and 0 once it is balanced again", async () => {
    const worker = await workerAccount();
    const { postingId } = await inTransaction(db.prisma, (tx) => post(tx, deposit(worker, "12.00")));
    await db.prisma.$executeRaw`
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on)
      VALUES (${postingId}, ${bank}, 'DEPOSIT', 0, 12.00, '2026-07-20')`;
    const broken = await ledgerCheckScript();
    expect(broken.code).toBe(1);
    expect(broken.report).toMatchObject({ ok: false, unbalancedPostings: [postingId.toString()] });
    await db.prisma.$executeRaw`
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on)
      VALUES (${postingId}, ${bank}, 'DEPOSIT', 12.00, 0, '2026-07-20')`;
    const repaired = await ledgerCheckScript();
    expect(repaired).toMatchObject({ code: 0, report: { ok: true, unbalancedPostings: [] } });
  });
});
