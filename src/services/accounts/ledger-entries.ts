// A worker's ledger entries, newest first, keyset-paginated by entry id (the cursor is opaque base64).
//
// One statement per page, through the driver (decision 027): the page is a JSON array built in SQL (one row per
// account, whatever the page size), and each entry's payment reference is looked up by primary key beside it. The
// same SQL fragment (ENTRIES_JSON) is joined into the account view when `account { entries }` is asked in one
// request (account-view.ts), so that read is one statement too; used alone, it serves any other parent of
// `Account.entries` (payloads, accountByIdNumber).
import type { SqlReads } from "../../db/sql-reads";

export interface LedgerEntryView {
  id: string;
  postedOn: string;
  kind: string;
  amount: string;
  period: string | null;
  balanceAfter: string;
  /** The bank's or payer's reference; for a WITHDRAWAL / EXIT_PAYOUT the payout reference the bank file answers to. */
  paymentRef?: string | null;
}

export interface EntryPage {
  edges: { cursor: string; node: LedgerEntryView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export class InvalidCursorError extends Error {}

export function encodeCursor(id: bigint | string): string {
  return Buffer.from(`e:${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, "base64url").toString();
  const match = /^e:(\d{1,19})$/.exec(text);
  if (!match) throw new InvalidCursorError("invalid cursor");
  return BigInt(match[1]!);
}

/** What one page asks: `first` entries older than the cursor's entry (`before`), or the newest when null. */
export interface PageRequest {
  first: number;
  before: bigint | null;
}

/** The page request of GraphQL arguments; throws InvalidCursorError for a cursor that does not decode. */
export function pageRequest(first: number, after: string | null | undefined): PageRequest {
  return { first, before: after ? decodeCursor(after) : null };
}

/** One entry as ENTRIES_JSON builds it: id, postedOn, kind, amount, period, balanceAfter, paymentRef (all text). */
export type EntryTuple = [string, string, string, string, string | null, string, string | null];

/**
 * Up to `$2` entries of account `a` (an alias of `account` in the enclosing statement) with id below `$3` (a bigint
 * or null), newest first, as one JSON array of EntryTuple (null when there is none). Amounts are numeric(18,2), so
 * their text is already the Money scalar's printed form (credit − debit: positive credits the worker). The payment
 * reference is the deposit month's (its posting and month, by the deposit_month primary key: a deposit posting
 * credits one account) or else the payout's (by its unique posting id), as before.
 */
export const ENTRIES_JSON = `
  SELECT json_agg(json_build_array(e.id::text, to_char(e.posted_on, 'YYYY-MM-DD'), e.kind, (e.credit - e.debit)::text,
           e.period::text, coalesce(e.balance_after::text, '0.00'), coalesce(dm.payment_ref, po.payout_ref))
           ORDER BY e.id DESC) AS entries
  FROM (SELECT le.id, le.posting_id, le.kind, le.debit, le.credit, le.period, le.posted_on, le.balance_after
        FROM ledger_entry le
        WHERE le.ledger_account_id = a.ledger_account_id AND le.id <= coalesce($3::bigint - 1, 9223372036854775807)
        ORDER BY le.id DESC LIMIT $2::int) e
  LEFT JOIN deposit_month dm ON dm.account_id = a.id AND dm.period = e.period AND dm.posting_id = e.posting_id
  LEFT JOIN payout po ON po.posting_id = e.posting_id`;

/** The statement's parameters $2 and $3 for a page: one entry more than asked, to know whether there is a next. */
export function pageParameters(page: PageRequest): [number, string | null] {
  return [page.first + 1, page.before === null ? null : page.before.toString()];
}

/** The connection of the entries ENTRIES_JSON returned for `page` (it read one more than the page holds). */
export function pageOf(entries: EntryTuple[] | null, page: PageRequest): EntryPage {
  const read = entries ?? [];
  const edges = read.slice(0, page.first).map(([id, postedOn, kind, amount, period, balanceAfter, paymentRef]) => ({
    cursor: encodeCursor(id),
    node: { id, postedOn, kind, amount, period, balanceAfter, paymentRef },
  }));
  return { edges, pageInfo: { hasNextPage: read.length > page.first, endCursor: edges.at(-1)?.cursor ?? null } };
}

const PAGES_BY_NUMBERS = `
  SELECT a.account_number, en.entries FROM account a
  LEFT JOIN LATERAL (${ENTRIES_JSON}) en ON true
  WHERE a.account_number = ANY($1::text[])`;

/** The same page of each account's entries, in one statement; an unknown account number has an empty page. */
export async function entryPagesByNumber(
  reads: SqlReads,
  numbers: readonly string[],
  page: PageRequest,
): Promise<Map<string, EntryPage>> {
  const rows = await reads.query<{ account_number: string; entries: EntryTuple[] | null }>(
    "hub_entry_pages",
    PAGES_BY_NUMBERS,
    [[...numbers], ...pageParameters(page)],
    numbers.length,
  );
  const pages = new Map(rows.map((r) => [r.account_number, pageOf(r.entries, page)]));
  for (const n of numbers) if (!pages.has(n)) pages.set(n, pageOf(null, page));
  return pages;
}
