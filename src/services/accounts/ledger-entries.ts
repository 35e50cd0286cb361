// A worker's ledger entries, newest first, keyset-paginated by entry id (the cursor is opaque base64).
import { dateToString } from "../../db/dates";
import { formatMoney, toMoney } from "../../domain/money/money";
import type { PrismaClient } from "../../generated/prisma/client";

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

export function entryView(e: {
  id: bigint;
  postedOn: Date | string;
  kind: string;
  debit: { toFixed(): string };
  credit: { toFixed(): string };
  period: string | null;
  balanceAfter: { toFixed(): string } | null;
}): LedgerEntryView {
  const amount = toMoney(e.credit).minus(toMoney(e.debit));
  return {
    id: e.id.toString(),
    postedOn: typeof e.postedOn === "string" ? e.postedOn : dateToString(e.postedOn),
    kind: e.kind,
    amount: formatMoney(amount),
    period: e.period,
    balanceAfter: e.balanceAfter ? formatMoney(toMoney(e.balanceAfter)) : "0.00",
  };
}

export async function entriesPage(
  prisma: PrismaClient,
  accountNumber: string,
  first: number,
  after?: string | null,
): Promise<EntryPage> {
  const before = after ? decodeCursor(after) : undefined;
  const account = await prisma.account.findUnique({ where: { accountNumber }, select: { ledgerAccountId: true } });
  if (!account) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
  const rows = await prisma.ledgerEntry.findMany({
    where: { ledgerAccountId: account.ledgerAccountId, ...(before ? { id: { lt: before } } : {}) },
    orderBy: { id: "desc" },
    take: first + 1,
  });
  const page = rows.slice(0, first);
  const refs = await paymentRefsOf(prisma, page);
  const edges = page.map((r) => ({
    cursor: encodeCursor(r.id),
    node: {
      ...entryView(r),
      paymentRef: refs.get(`${r.postingId}:${r.period ?? ""}`) ?? refs.get(`${r.postingId}:`) ?? null,
    },
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Payment references of a page's entries, keyed "postingId:period": deposits by posting and month, payouts by posting. */
async function paymentRefsOf(
  prisma: PrismaClient,
  entries: readonly { postingId: bigint }[],
): Promise<Map<string, string>> {
  const postingIds = [...new Set(entries.map((e) => e.postingId))];
  if (postingIds.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ posting_id: bigint; period: string | null; ref: string | null }[]>`
    SELECT posting_id, period::text AS period, payment_ref AS ref FROM deposit_month WHERE posting_id = ANY(${postingIds}::bigint[])
    UNION ALL
    SELECT posting_id, NULL, payout_ref FROM payout WHERE posting_id = ANY(${postingIds}::bigint[])`;
  const refs = new Map<string, string>();
  for (const row of rows) if (row.ref !== null) refs.set(`${row.posting_id}:${row.period ?? ""}`, row.ref);
  return refs;
}
