// The posting engine: every posting is a balanced set of entries, written in the caller's transaction,
// set-based (a fixed number of statements for one posting or a thousand). Worker balances move in the
// statement that guards them (never below zero, checked entry by entry); fund account balances are
// derived from their entries, so no posting queues on one hot row (see LedgerAccount in schema.prisma).
import { inOrder, sendWrite, type SqlTx } from "../db/driver-sql";
import { pgArray } from "../db/pg-array";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../domain/money/money";
import type { Prisma } from "../generated/prisma/client";
import type { PostingKind } from "./posting-kinds";

export interface PostingLine {
  ledgerAccountId: bigint;
  side: "D" | "C";
  amount: MoneyValue;
  /** Set for a worker's own account: its balance moves (credit-normal) and is guarded. */
  worker?: boolean;
  period?: string | null;
}

/** What a batch posted: whole postings by id (postMany, postSqlCredits); or a condition on ledger entries `e`
 *  (staged postings, staged-posting.ts). */
export type PostedScope = { postingIds: readonly bigint[] } | Prisma.Sql;

/** Runs in the posting's transaction after its entries are written (the composition root passes the metric deltas). */
export type PostingHook = (tx: SqlTx, posted: PostedScope) => Promise<void>;

export interface PostingRequest {
  kind: PostingKind;
  postedOn: string;
  memo?: string;
  reversesId?: bigint;
  lines: PostingLine[];
}

export interface PostedEntry {
  id: bigint;
  ledgerAccountId: bigint;
  kind: PostingKind;
  /** From the account holder's side: positive credits the worker. */
  signedAmount: MoneyValue;
  period: string | null;
  postedOn: string;
  balanceAfter: MoneyValue | null;
}

export interface PostingResult {
  postingId: bigint;
  entries: PostedEntry[];
}

export class UnbalancedPostingError extends Error {}
export class InsufficientBalanceError extends Error {
  constructor(readonly ledgerAccountId: bigint) {
    super("the posting would take a worker's balance below zero");
  }
}

export function assertBalanced(lines: PostingLine[]): void {
  if (lines.length < 2) throw new UnbalancedPostingError("a posting needs at least two entries");
  let debit = ZERO;
  let credit = ZERO;
  for (const line of lines) {
    if (!line.amount.isFinite() || line.amount.lessThanOrEqualTo(0) || line.amount.decimalPlaces() > 2) {
      throw new UnbalancedPostingError(`entry amount ${line.amount.toString()} is not a positive amount in fen`);
    }
    if (line.side === "D") debit = debit.plus(line.amount);
    else credit = credit.plus(line.amount);
  }
  if (!debit.equals(credit)) {
    throw new UnbalancedPostingError(`debits ${formatMoney(debit)} do not equal credits ${formatMoney(credit)}`);
  }
}

const signed = (line: PostingLine): MoneyValue => (line.side === "C" ? line.amount : line.amount.negated());

/** Preallocates posting and entry ids in one round trip, so each entry's posting is known before the inserts. */
async function nextIds(
  tx: SqlTx,
  postings: number,
  entries: number,
): Promise<{ postingIds: bigint[]; entryIds: bigint[] }> {
  const [row] = await tx.$queryRaw<{ p: bigint[]; e: bigint[] }[]>`
    SELECT ARRAY(SELECT nextval('posting_id_seq') FROM generate_series(1, ${postings}::int)) AS p,
           ARRAY(SELECT nextval('ledger_entry_id_seq') FROM generate_series(1, ${entries}::int)) AS e`;
  return { postingIds: row!.p.map(BigInt), entryIds: row!.e.map(BigInt) };
}

/** Moves every worker balance touched by the batch in one guarded statement; returns each entry's balance after. */
async function moveWorkerBalances(tx: SqlTx, lines: PostingLine[]): Promise<(MoneyValue | null)[]> {
  const totals = new Map<bigint, MoneyValue>();
  for (const line of lines)
    if (line.worker) totals.set(line.ledgerAccountId, (totals.get(line.ledgerAccountId) ?? ZERO).plus(signed(line)));
  if (totals.size === 0) return lines.map(() => null);
  const ids = [...totals.keys()];
  const rows = await tx.$queryRaw<{ id: bigint; balance: { toFixed(): string } }[]>`
    UPDATE ledger_account la SET balance = la.balance + d.delta
    FROM (SELECT unnest(${pgArray(ids)}::bigint[]) AS id, unnest(${pgArray(ids.map((id) => totals.get(id)!.toFixed(2)))}::numeric[]) AS delta) d
    WHERE la.id = d.id AND la.type = 'WORKER' AND la.balance + d.delta >= 0
    RETURNING la.id, la.balance`;
  if (rows.length !== ids.length) {
    const moved = new Set(rows.map((r) => r.id));
    throw new InsufficientBalanceError(ids.find((id) => !moved.has(id))!);
  }
  // Walk forward from the balance before the batch, so that no entry's running balance dips below zero.
  const running = new Map(rows.map((r) => [r.id, toMoney(r.balance).minus(totals.get(r.id)!)]));
  return lines.map((line) => {
    if (!line.worker) return null;
    const after = running.get(line.ledgerAccountId)!.plus(signed(line));
    if (after.isNegative()) throw new InsufficientBalanceError(line.ledgerAccountId);
    running.set(line.ledgerAccountId, after);
    return after;
  });
}

export async function postMany(
  tx: SqlTx,
  requests: PostingRequest[],
  afterPosting: PostingHook,
): Promise<PostingResult[]> {
  if (requests.length === 0) return [];
  requests.forEach((r) => assertBalanced(r.lines));
  const lines = requests.flatMap((r) => r.lines);
  // Two round trips whatever the batch: the balances and the ids together, then the inserts and the metric deltas
  // sent without waiting (the transaction waits for them before COMMIT; see inOrder and sendWrite).
  const [balancesAfter, { postingIds, entryIds }] = await inOrder(
    tx,
    () => moveWorkerBalances(tx, lines),
    () => nextIds(tx, requests.length, lines.length),
  );
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO posting (id, kind, posted_on, memo, reverses_id)
    SELECT * FROM unnest(${pgArray(postingIds)}::bigint[], ${pgArray(requests.map((r) => r.kind))}::text[], ${pgArray(requests.map((r) => r.postedOn))}::date[],
                         ${pgArray(requests.map((r) => r.memo ?? null))}::text[], ${pgArray(requests.map((r) => r.reversesId ?? null))}::bigint[])`,
  );
  const owner = requests.flatMap((r, i) => r.lines.map(() => ({ postingId: postingIds[i]!, request: r })));
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO ledger_entry (id, posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
    SELECT * FROM unnest(${pgArray(entryIds)}::bigint[], ${pgArray(owner.map((o) => o.postingId))}::bigint[], ${pgArray(lines.map((l) => l.ledgerAccountId))}::bigint[],
      ${pgArray(owner.map((o) => o.request.kind))}::text[], ${pgArray(lines.map((l) => (l.side === "D" ? l.amount.toFixed(2) : "0")))}::numeric[],
      ${pgArray(lines.map((l) => (l.side === "C" ? l.amount.toFixed(2) : "0")))}::numeric[], ${pgArray(lines.map((l) => l.period ?? null))}::text[],
      ${pgArray(owner.map((o) => o.request.postedOn))}::date[], ${pgArray(balancesAfter.map((b) => b?.toFixed(2) ?? null))}::numeric[])`,
  );
  // The pilot metric deltas, in the same transaction (the entries of these postings: the ones just inserted).
  await sendWrite(tx, () => afterPosting(tx, { postingIds }));
  let index = 0;
  return requests.map((r, i) => ({
    postingId: postingIds[i]!,
    entries: r.lines.map((line) => {
      const at = index++;
      return {
        id: entryIds[at]!,
        ledgerAccountId: line.ledgerAccountId,
        kind: r.kind,
        signedAmount: signed(line),
        period: line.period ?? null,
        postedOn: r.postedOn,
        balanceAfter: balancesAfter[at] ?? null,
      };
    }),
  }));
}

/** A reversing posting: the same entries with sides swapped (corrections never edit entries). */
export function reversalOf(
  original: { id: bigint; postedOn: string; lines: PostingLine[] },
  postedOn: string,
): PostingRequest {
  return {
    kind: "REVERSAL",
    postedOn,
    reversesId: original.id,
    memo: `reverses posting ${original.id}`,
    lines: original.lines.map((l) => ({ ...l, side: l.side === "D" ? "C" : "D" })),
  };
}

/** A posting of one credit to each of many workers, balanced by one debit of their total to a fund account, whose
 *  lines come from SQL: `lines` selects (ledger_account_id, amount), one row per worker ledger account, amounts in
 *  fen. One statement moves the balances and writes the posting and its entries (each worker entry's balance-after
 *  is the balance it leaves), however many lines, so nothing passes through JS row by row. The caller locks the
 *  workers' ledger rows first (worker-lock.ts). Returns the posting id, or null when `lines` selects nothing. */
export interface SqlCreditPosting {
  kind: PostingKind;
  postedOn: string;
  memo: string;
  /** The fund account debited with the total. */
  debitAccountId: bigint;
  /** SELECT ledger_account_id, amount ... (amount > 0, one row per ledger account). */
  lines: Prisma.Sql;
}

export async function postSqlCredits(
  tx: SqlTx,
  request: SqlCreditPosting,
  afterPosting: PostingHook,
): Promise<bigint | null> {
  const { kind, postedOn, memo, debitAccountId, lines } = request;
  const [row] = await tx.$queryRaw<{ posting_id: bigint | null; lines: bigint; moved: bigint; bad: bigint }[]>`
    WITH src AS MATERIALIZED (SELECT l.ledger_account_id, l.amount FROM (${lines}) AS l(ledger_account_id, amount)),
    moved AS (
      UPDATE ledger_account la SET balance = la.balance + s.amount FROM src s
      WHERE la.id = s.ledger_account_id AND la.type = 'WORKER' AND s.amount > 0 AND s.amount = round(s.amount, 2)
      RETURNING la.id, la.balance, s.amount
    ), p AS (
      INSERT INTO posting (id, kind, posted_on, memo)
      SELECT nextval('posting_id_seq'), ${kind}, ${postedOn}::date, ${memo} WHERE EXISTS (SELECT 1 FROM src)
      RETURNING id
    ), fund AS (
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
      SELECT p.id, ${debitAccountId}::bigint, ${kind}, (SELECT sum(amount) FROM src), 0, NULL, ${postedOn}::date, NULL FROM p
    ), workers AS (
      INSERT INTO ledger_entry (posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
      SELECT p.id, m.id, ${kind}, 0, m.amount, NULL, ${postedOn}::date, m.balance FROM moved m CROSS JOIN p ORDER BY m.id
    )
    SELECT (SELECT id FROM p) AS posting_id, (SELECT count(*) FROM src) AS lines, (SELECT count(*) FROM moved) AS moved,
      (SELECT count(*) - count(DISTINCT ledger_account_id) FROM src) AS bad`;
  if (row!.posting_id === null) return null;
  // Every line must have moved exactly one worker balance, or the posting would not balance: refuse it (the caller's
  // transaction rolls back).
  if (row!.moved !== row!.lines || row!.bad !== 0n)
    throw new UnbalancedPostingError(
      `${row!.lines} credit lines moved ${row!.moved} worker balances (${row!.bad} repeated accounts)`,
    );
  await afterPosting(tx, { postingIds: [row!.posting_id] });
  return row!.posting_id;
}
