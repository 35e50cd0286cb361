// The fund's own book accounts, created by the first migration, looked up once by code.
import type { PrismaClient } from "../generated/prisma/client";

export const FUND_ACCOUNT_CODES = [
  "BANK_SETTLEMENT",
  "SUBSIDY_RECEIVABLE",
  "INTEREST_EXPENSE",
  "INTEREST_SUBSIDY_RECEIVABLE",
  "TRANSFER_CLEARING",
  "LOAN_RECEIVABLE",
  "LEGACY_CLEARING",
] as const;
export type FundAccountCode = (typeof FUND_ACCOUNT_CODES)[number];
export type FundAccounts = Readonly<Record<FundAccountCode, bigint>>;

export async function loadFundAccounts(prisma: PrismaClient): Promise<FundAccounts> {
  const rows = await prisma.ledgerAccount.findMany({ where: { type: "FUND" }, select: { id: true, code: true } });
  const byCode = new Map(rows.map((r) => [r.code, r.id]));
  const entries = FUND_ACCOUNT_CODES.map((code) => {
    const id = byCode.get(`FUND:${code}`);
    if (id === undefined) throw new Error(`fund account FUND:${code} is missing: are the migrations applied?`);
    return [code, id] as const;
  });
  return Object.fromEntries(entries) as FundAccounts;
}
