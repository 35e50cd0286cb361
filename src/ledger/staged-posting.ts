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
export const STAGED_ENTRIES = Prisma.sql`e.posting_id IN (SELECT posting_id FROM staged_posting)`;

export async function postStaged(tx: SqlTx, lines: Prisma.Sql, afterPosting: PostingHook): Promise<StagedTotals> {
  // Session-temporary tables, emptied at commit; created once per connection, cleared before each use.
  await tx.$executeRaw`CREATE TEMP TABLE IF NOT EXISTS staged_line (n bigserial, key bigint, line_no int, kind text,
    posted_on date, memo text, ledger_account_id bigint, side text, amount numeric, worker boolean) ON COMMIT DELETE ROWS`;
  await tx.$executeRaw`CREATE TEMP TABLE IF NOT EXISTS staged_posting (key bigint PRIMARY KEY, posting_id bigint,
    kind text, posted_on date, memo text) ON COMMIT DELETE ROWS`;
  await tx.$executeRaw`DELETE FROM staged_line`;
  await tx.$executeRaw`DELETE FROM staged_posting`;
  const entries = await tx.$executeRaw`
    INSERT INTO staged_line (key, line_no, kind, posted_on, memo, ledger_account_id, side, amount, worker)
    SELECT q.key, q.line_no, q.kind, q.posted_on, q.memo, q.ledger_account_id, q.side, q.amount, q.worker
    FROM (${lines}) q ORDER BY q.key, q.line_no`;
  if (entries === 0) return { postings: 0, entries: 0 };
  // assertBalanced, for every posting at once
  const [bad] = await tx.$queryRaw<{ key: bigint; why: string }[]>`
    SELECT key, CASE WHEN count(*) < 2 THEN 'a posting needs at least two entries'
      WHEN bool_or(amount IS NULL OR amount <= 0 OR amount <> round(amount, 2)) THEN 'an entry amount is not a positive amount in fen'
      WHEN bool_or(side NOT IN ('D', 'C')) THEN 'an entry side is neither D nor C'
      WHEN count(DISTINCT (kind, posted_on, coalesce(memo, ''))) > 1 THEN 'the rows of one posting disagree on kind, date or memo'
      ELSE 'debits do not equal credits' END AS why
    FROM staged_line GROUP BY key
    HAVING count(*) < 2 OR bool_or(amount IS NULL OR amount <= 0 OR amount <> round(amount, 2))
      OR bool_or(side NOT IN ('D', 'C')) OR count(DISTINCT (kind, posted_on, coalesce(memo, ''))) > 1
      OR sum(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0
    LIMIT 1`;
  if (bad) throw new UnbalancedPostingError(`staged posting ${bad.key}: ${bad.why}`);
  // Worker balances: one guarded statement (credit-normal; the whole batch's movement per account).
  const [moved] = await tx.$queryRaw<{ moved: bigint; expected: bigint; failed: bigint | null }[]>`
    WITH d AS (
      SELECT ledger_account_id AS id, sum(CASE WHEN side = 'C' THEN amount ELSE -amount END) AS delta
      FROM staged_line WHERE worker GROUP BY ledger_account_id),
    u AS (
      UPDATE ledger_account la SET balance = la.balance + d.delta FROM d
      WHERE la.id = d.id AND la.type = 'WORKER' AND la.balance + d.delta >= 0 RETURNING la.id)
    SELECT (SELECT count(*) FROM u) AS moved, (SELECT count(*) FROM d) AS expected,
      (SELECT min(d.id) FROM d WHERE d.id NOT IN (SELECT id FROM u)) AS failed`;
  if (moved!.moved !== moved!.expected) throw new InsufficientBalanceError(moved!.failed ?? 0n);
  const postings = await tx.$executeRaw`
    INSERT INTO staged_posting (key, posting_id, kind, posted_on, memo)
    SELECT key, nextval('posting_id_seq'), kind, posted_on, memo
    FROM (SELECT DISTINCT ON (key) key, kind, posted_on, memo FROM staged_line ORDER BY key, line_no) s ORDER BY key`;
  await tx.$executeRaw`
    INSERT INTO posting (id, kind, posted_on, memo) SELECT posting_id, kind, posted_on, memo FROM staged_posting`;
  // Each worker entry's balance after: the balance now, less what the batch's later entries of the account moved.
  const [dipped] = await tx.$queryRaw<{ id: bigint }[]>`
    WITH ins AS (
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, posted_on, balance_after)
      SELECT p.posting_id, l.ledger_account_id, l.kind, CASE WHEN l.side = 'D' THEN l.amount ELSE 0 END,
        CASE WHEN l.side = 'C' THEN l.amount ELSE 0 END, l.posted_on,
        CASE WHEN l.worker THEN la.balance - coalesce(sum(CASE WHEN l.side = 'C' THEN l.amount ELSE -l.amount END)
          OVER (PARTITION BY l.ledger_account_id, l.worker ORDER BY l.n ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) END
      FROM staged_line l JOIN staged_posting p ON p.key = l.key JOIN ledger_account la ON la.id = l.ledger_account_id
      ORDER BY l.n
      RETURNING ledger_account_id, balance_after)
    SELECT ledger_account_id AS id FROM ins WHERE balance_after < 0 LIMIT 1`;
  if (dipped) throw new InsufficientBalanceError(dipped.id);
  await afterPosting(tx, STAGED_ENTRIES);
  return { postings, entries };
}
