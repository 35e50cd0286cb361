// The posting engine: every posting is a balanced set of entries, written in the caller's transaction,
// set-based (a fixed number of statements for one posting or a thousand). Worker balances move in the
// statement that guards them (never below zero, checked entry by entry); fund account balances are
// derived from their entries, so no posting queues on one hot row (see LedgerAccount in schema.prisma).
import type { Tx } from "../db/transaction";
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

/** Runs in the posting's transaction after its entries are written (the composition root passes the metric deltas):
 *  the entries by id, or (staged postings, staged-posting.ts) as a condition on ledger entries `e`. */
export type PostingHook = (tx: Tx, entries: readonly bigint[] | Prisma.Sql) => Promise<void>;

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
  tx: Tx,
  postings: number,
  entries: number,
): Promise<{ postingIds: bigint[]; entryIds: bigint[] }> {
  const [row] = await tx.$queryRaw<{ p: bigint[]; e: bigint[] }[]>`
    SELECT ARRAY(SELECT nextval('posting_id_seq') FROM generate_series(1, ${postings}::int)) AS p,
           ARRAY(SELECT nextval('ledger_entry_id_seq') FROM generate_series(1, ${entries}::int)) AS e`;
  return { postingIds: row!.p.map(BigInt), entryIds: row!.e.map(BigInt) };
}

/** Moves every worker balance touched by the batch in one guarded statement; returns each entry's balance after. */
async function moveWorkerBalances(tx: Tx, lines: PostingLine[]): Promise<(MoneyValue | null)[]> {
  const totals = new Map<bigint, MoneyValue>();
  for (const line of lines)
    if (line.worker) totals.set(line.ledgerAccountId, (totals.get(line.ledgerAccountId) ?? ZERO).plus(signed(line)));
  if (totals.size === 0) return lines.map(() => null);
  const ids = [...totals.keys()];
  const rows = await tx.$queryRaw<{ id: bigint; balance: { toFixed(): string } }[]>`
    UPDATE ledger_account la SET balance = la.balance + d.delta
    FROM (SELECT unnest(${ids}::bigint[]) AS id, unnest(${ids.map((id) => totals.get(id)!.toFixed(2))}::numeric[]) AS delta) d
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
  tx: Tx,
  requests: PostingRequest[],
  afterPosting: PostingHook,
): Promise<PostingResult[]> {
  if (requests.length === 0) return [];
  requests.forEach((r) => assertBalanced(r.lines));
  const lines = requests.flatMap((r) => r.lines);
  const balancesAfter = await moveWorkerBalances(tx, lines);
  const { postingIds, entryIds } = await nextIds(tx, requests.length, lines.length);
  await tx.$executeRaw`
    INSERT INTO posting (id, kind, posted_on, memo, reverses_id)
    SELECT * FROM unnest(${postingIds}::bigint[], ${requests.map((r) => r.kind)}::text[], ${requests.map((r) => r.postedOn)}::date[],
                         ${requests.map((r) => r.memo ?? null)}::text[], ${requests.map((r) => r.reversesId ?? null)}::bigint[])`;
  const owner = requests.flatMap((r, i) => r.lines.map(() => ({ postingId: postingIds[i]!, request: r })));
  await tx.$executeRaw`
    INSERT INTO ledger_entry (id, posting_id, ledger_account_id, kind, debit, credit, period, posted_on, balance_after)
    SELECT * FROM unnest(${entryIds}::bigint[], ${owner.map((o) => o.postingId)}::bigint[], ${lines.map((l) => l.ledgerAccountId)}::bigint[],
      ${owner.map((o) => o.request.kind)}::text[], ${lines.map((l) => (l.side === "D" ? l.amount.toFixed(2) : "0"))}::numeric[],
      ${lines.map((l) => (l.side === "C" ? l.amount.toFixed(2) : "0"))}::numeric[], ${lines.map((l) => l.period ?? null)}::text[],
      ${owner.map((o) => o.request.postedOn)}::date[], ${balancesAfter.map((b) => b?.toFixed(2) ?? null)}::numeric[])`;
  // The pilot metric deltas, in the same transaction.
  await afterPosting(tx, entryIds);
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
