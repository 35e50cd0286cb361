// What the ledger tests set up and read back: a bare worker ledger account, how many postings and entries there are,
// one ledger account's balance.
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

/** A bare worker ledger account (no person or account row) for the posting engine's own tests. */
export async function openWorkerLedgerAccount(prisma: PrismaClient, code: string): Promise<bigint> {
  const [row] = await prisma.$queryRaw<{ id: bigint }[]>`
    INSERT INTO ledger_account (code, type, normal_side, balance, name)
    VALUES (${code}, 'WORKER', 'C', 0, 'ledger test') RETURNING id`;
  return row!.id;
}
