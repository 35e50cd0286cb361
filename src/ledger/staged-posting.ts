// Set-based posting for the batch runs (the monthly loan run: tens of thousands of postings at once): the same
// postings and the same guarantees as postMany (balanced, positive amounts in fen, worker balances moved in the
// statement that guards them and never below zero, entry by entry, each entry's balance after, the posting hook in
// the same transaction), but the lines are selected by a query inside the database and never travel to the hub
// and back. A fixed number of statements for any number of postings.
//
// `lines` selects one row per entry, in these columns:
//   key bigint       rows sharing a key form one posting (the caller's id: a loan's id, say)
//   line_no int      the entry's order within its posting
//   kind text, posted_on date, memo text     the posting's (the same on every row of a key)
//   ledger_account_id bigint, side text ('D' | 'C'), amount numeric, worker boolean (a worker's own account)
//   period char(7)   the month an entry is for (a deposit's worker credit), only with `{ period: true }`; else NULL
// Afterwards, until the transaction ends, the temporary table `staged_posting (key, posting_id)` maps each key to
// its posting (to link the postings to their loans, say).
import type { SqlTx } from "../db/driver-sql";
import { Prisma } from "../generated/prisma/client";
import { InsufficientBalanceError, type PostingHook, UnbalancedPostingError } from "./posting";

export interface StagedTotals {
  postings: number;
  entries: number;
}

/** The staged postings, as a condition on ledger entries `e` (for the posting hook). */
export const STAGED_ENTRIES = Prisma.sql`e.posting_id = ANY(ARRAY(SELECT posting_id FROM staged_posting))`;

export interface StagedOptions {
  /** `lines` selects a `period` column too (the month of each entry; NULL where none). */
  period?: boolean;
}

/**
 * The session-temporary tables, emptied at commit: created on a connection's first use and cleared before each use
 * (a transaction may stage twice), in one statement (a DO block: a single statement on both databases).
 */
const PREPARE_TABLES = `DO $$ BEGIN
  CREATE TEMP TABLE IF NOT EXISTS staged_line (n bigserial, key bigint, line_no int, kind text, posted_on date,
    memo text, ledger_account_id bigint, side text, amount numeric, worker boolean, period char(7)) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS staged_posting (key bigint PRIMARY KEY, posting_id bigint, kind text,
    posted_on date, memo text) ON COMMIT DELETE ROWS;
  DELETE FROM staged_line;
  DELETE FROM staged_posting;
END $$`;

/**
 * Four statements for any number of postings (decision 032): the tables prepared; the lines staged and checked
 * (assertBalanced for every posting at once, on the rows just staged); the worker balances, the postings and their
 * entries written by one statement; the posting hook. A refusal found by the write statement (a worker balance that
 * would go below zero) throws after it, and the caller's transaction rolls every write of the batch back: a caller
 * must let the error end its transaction, never catch it and go on in the same one.
 */
export async function postStaged(
  tx: SqlTx,
  lines: Prisma.Sql,
  afterPosting: PostingHook,
  options: StagedOptions = {},
): Promise<StagedTotals> {
  await tx.$executeRawUnsafe(PREPARE_TABLES);
  const [staged] = await tx.$queryRaw<{ entries: bigint; key: bigint | null; why: string | null }[]>`
    WITH ins AS (
      INSERT INTO staged_line (key, line_no, kind, posted_on, memo, ledger_account_id, side, amount, worker, period)
      SELECT q.key, q.line_no, q.kind, q.posted_on, q.memo, q.ledger_account_id, q.side, q.amount, q.worker,
        ${options.period ? Prisma.sql`q.period` : Prisma.sql`NULL`}
      FROM (${lines}) q ORDER BY q.key, q.line_no
      RETURNING key, kind, posted_on, memo, side, amount),
    bad AS (
      SELECT key, CASE WHEN count(*) < 2 THEN 'a posting needs at least two entries'
        WHEN bool_or(amount IS NULL OR amount <= 0 OR amount <> round(amount, 2)) THEN 'an entry amount is not a positive amount in fen'
        WHEN bool_or(side NOT IN ('D', 'C')) THEN 'an entry side is neither D nor C'
        WHEN count(DISTINCT (kind, posted_on, coalesce(memo, ''))) > 1 THEN 'the rows of one posting disagree on kind, date or memo'
        ELSE 'debits do not equal credits' END AS why
      FROM ins GROUP BY key
      HAVING count(*) < 2 OR bool_or(amount IS NULL OR amount <= 0 OR amount <> round(amount, 2))
        OR bool_or(side NOT IN ('D', 'C')) OR count(DISTINCT (kind, posted_on, coalesce(memo, ''))) > 1
        OR sum(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0
      ORDER BY key LIMIT 1)
    SELECT (SELECT count(*) FROM ins) AS entries, bad.key, bad.why FROM (SELECT 1) one LEFT JOIN bad ON true`;
  if (staged!.key !== null) throw new UnbalancedPostingError(`staged posting ${staged!.key}: ${staged!.why}`);
  const entries = Number(staged!.entries);
  if (entries === 0) return { postings: 0, entries: 0 };
  // Worker balances: one guarded update (credit-normal; the whole batch's movement per account). Each worker
  // entry's balance after: the balance the update left, less what the batch's later entries of the account moved.
  const [written] = await tx.$queryRaw<
    { moved: bigint; expected: bigint; failed: bigint | null; postings: bigint; dipped: bigint | null }[]
  >`
    WITH d AS (
      SELECT ledger_account_id AS id, sum(CASE WHEN side = 'C' THEN amount ELSE -amount END) AS delta
      FROM staged_line WHERE worker GROUP BY ledger_account_id),
    u AS (
      UPDATE ledger_account la SET balance = la.balance + d.delta FROM d
      WHERE la.id = d.id AND la.type = 'WORKER' AND la.balance + d.delta >= 0 RETURNING la.id, la.balance),
    sp AS (
      INSERT INTO staged_posting (key, posting_id, kind, posted_on, memo)
      SELECT key, nextval('posting_id_seq'), kind, posted_on, memo
      FROM (SELECT DISTINCT ON (key) key, kind, posted_on, memo FROM staged_line ORDER BY key, line_no) s ORDER BY key
      RETURNING key, posting_id, kind, posted_on, memo),
    p AS (
      INSERT INTO posting (id, kind, posted_on, memo) SELECT posting_id, kind, posted_on, memo FROM sp ORDER BY posting_id),
    e AS (
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
      SELECT sp.posting_id, l.ledger_account_id, l.kind, CASE WHEN l.side = 'D' THEN l.amount ELSE 0 END,
        CASE WHEN l.side = 'C' THEN l.amount ELSE 0 END, l.period, l.posted_on,
        CASE WHEN l.worker THEN u.balance - coalesce(sum(CASE WHEN l.side = 'C' THEN l.amount ELSE -l.amount END)
          OVER (PARTITION BY l.ledger_account_id, l.worker ORDER BY l.n ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) END
      FROM staged_line l JOIN sp ON sp.key = l.key LEFT JOIN u ON l.worker AND u.id = l.ledger_account_id
      ORDER BY l.n
      RETURNING ledger_account_id, balance_after)
    SELECT (SELECT count(*) FROM u) AS moved, (SELECT count(*) FROM d) AS expected,
      (SELECT min(d.id) FROM d WHERE d.id NOT IN (SELECT id FROM u)) AS failed, (SELECT count(*) FROM sp) AS postings,
      (SELECT min(ledger_account_id) FROM e WHERE balance_after < 0) AS dipped`;
  if (written!.moved !== written!.expected) throw new InsufficientBalanceError(written!.failed ?? 0n);
  if (written!.dipped !== null) throw new InsufficientBalanceError(written!.dipped);
  await afterPosting(tx, STAGED_ENTRIES);
  return { postings: Number(written!.postings), entries };
}
