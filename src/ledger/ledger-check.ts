// Proves the ledger's invariants: every posting balances (so Σdebits = Σcredits overall), every worker's stored
// balance equals the sum of its entries, the last entry's balance-after equals that balance, and no balance is negative.
import { formatMoney, toMoney } from "../domain/money/money";
import type { PrismaClient } from "../generated/prisma/client";

export interface LedgerCheckReport {
  ok: boolean;
  postings: number;
  entries: number;
  totalDebit: string;
  totalCredit: string;
  unbalancedPostings: string[];
  balanceMismatches: { ledgerAccountId: string; stored: string; fromEntries: string }[];
  lastEntryMismatches: string[];
  negativeBalances: string[];
}

export async function checkLedger(prisma: PrismaClient): Promise<LedgerCheckReport> {
  const [totals] = await prisma.$queryRaw<
    { postings: bigint; entries: bigint; debit: { toFixed(): string } | null; credit: { toFixed(): string } | null }[]
  >`
    SELECT (SELECT count(*) FROM posting) AS postings, count(*) AS entries, sum(debit) AS debit, sum(credit) AS credit FROM ledger_entry`;
  const unbalanced = await prisma.$queryRaw<{ id: bigint }[]>`
    SELECT p.id FROM posting p LEFT JOIN ledger_entry e ON e.posting_id = p.id
    GROUP BY p.id HAVING coalesce(sum(e.debit), 0) <> coalesce(sum(e.credit), 0) OR count(e.id) < 2 LIMIT 100`;
  const mismatched = await prisma.$queryRaw<
    { id: bigint; stored: { toFixed(): string }; computed: { toFixed(): string } }[]
  >`
    SELECT la.id, la.balance AS stored, coalesce(sum(e.credit - e.debit), 0) AS computed
    FROM ledger_account la LEFT JOIN ledger_entry e ON e.ledger_account_id = la.id
    WHERE la.type = 'WORKER' GROUP BY la.id HAVING la.balance <> coalesce(sum(e.credit - e.debit), 0) LIMIT 100`;
  const lastEntry = await prisma.$queryRaw<{ id: bigint }[]>`
    SELECT la.id FROM ledger_account la
    JOIN LATERAL (SELECT balance_after FROM ledger_entry e WHERE e.ledger_account_id = la.id ORDER BY e.id DESC LIMIT 1) last ON true
    WHERE la.type = 'WORKER' AND last.balance_after IS DISTINCT FROM la.balance LIMIT 100`;
  const negative = await prisma.$queryRaw<
    { id: bigint }[]
  >`SELECT id FROM ledger_account WHERE type = 'WORKER' AND balance < 0 LIMIT 100`;
  const debit = toMoney(totals?.debit ?? "0");
  const credit = toMoney(totals?.credit ?? "0");
  const report: LedgerCheckReport = {
    ok: false,
    postings: Number(totals?.postings ?? 0),
    entries: Number(totals?.entries ?? 0),
    totalDebit: formatMoney(debit),
    totalCredit: formatMoney(credit),
    unbalancedPostings: unbalanced.map((r) => r.id.toString()),
    balanceMismatches: mismatched.map((r) => ({
      ledgerAccountId: r.id.toString(),
      stored: formatMoney(toMoney(r.stored)),
      fromEntries: formatMoney(toMoney(r.computed)),
    })),
    lastEntryMismatches: lastEntry.map((r) => r.id.toString()),
    negativeBalances: negative.map((r) => r.id.toString()),
  };
  report.ok =
    debit.equals(credit) &&
    report.unbalancedPostings.length === 0 &&
    report.balanceMismatches.length === 0 &&
    report.lastEntryMismatches.length === 0 &&
    report.negativeBalances.length === 0;
  return report;
}
