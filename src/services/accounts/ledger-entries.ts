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
  const edges = page.map((r) => ({ cursor: encodeCursor(r.id), node: entryView(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
