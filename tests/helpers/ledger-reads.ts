// What the ledger tests read back: how many postings and entries there are, and one ledger account's balance.
import type { PrismaClient } from "../../src/generated/prisma/client";

export async function ledgerCounts(prisma: PrismaClient): Promise<{ postings: number; entries: number }> {
  const [row] = await prisma.$queryRaw<{ postings: bigint; entries: bigint }[]>`
    SELECT (SELECT count(*) FROM posting) AS postings, (SELECT count(*) FROM ledger_entry) AS entries`;
  return { postings: Number(row!.postings), entries: Number(row!.entries) };
}

export async function ledgerBalanceOf(prisma: PrismaClient, id: bigint): Promise<string> {
  const [row] = await prisma.$queryRaw<{ balance: { toFixed(n: number): string } }[]>`
    SELECT balance FROM ledger_account WHERE id = ${id}`;
  return row!.balance.toFixed(2);
}
