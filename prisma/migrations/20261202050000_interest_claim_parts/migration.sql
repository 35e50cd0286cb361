-- The interest subsidy's yearly claim in parts (docs/decisions/021): each posted subsidy credit names the fiscal claim
-- that collects it, so a year of a million subsidies goes to finance as parts of at most 10,000 items
-- (IS-<year>-0001, -0002, ...), each claimed exactly once, and a credit posted after a part was sent (an exit settling
-- an earlier year) is collected by the next part instead of never.
-- AlterTable
ALTER TABLE "interest_credit" ADD COLUMN "claim_no" TEXT;

-- Credits already collected by a year's single claim (IS-<year>-0001, before this change): those posted before it.
UPDATE "interest_credit" ic SET "claim_no" = fc."claim_no"
FROM "fiscal_claim" fc
WHERE fc."claim_no" = 'IS-' || ic."settlement_year" || '-0001'
  AND ic."subsidy" > 0 AND ic."posted_at" IS NOT NULL AND ic."posted_at" <= fc."created_at";

-- CreateIndex
CREATE INDEX "interest_credit_claim_no_idx" ON "interest_credit"("claim_no");

-- The subsidies still to claim, in account order: a part reads its next rows here instead of walking past the claimed
-- ones (a million-subsidy year is a hundred parts).
CREATE INDEX "interest_credit_unclaimed_subsidy" ON "interest_credit" ("settlement_year", "account_id")
WHERE "claim_no" IS NULL AND "subsidy" > 0;
