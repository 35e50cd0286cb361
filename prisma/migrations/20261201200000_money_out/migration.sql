-- Money out (issue 7): payouts, interest credits and settlements, fiscal claims; interest in the pilot metrics.
-- AlterTable
ALTER TABLE "account" ADD COLUMN     "close_code" CHAR(2);

-- AlterTable
ALTER TABLE "metric_rollup" ADD COLUMN     "interest_amount" DECIMAL(18,2) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "metric_delta" ADD COLUMN     "interest_amount" DECIMAL(18,2) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "payout" (
    "payout_ref" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "requested_on" DATE NOT NULL,
    "posting_id" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "result_on" DATE,
    "reason" TEXT,
    "reversal_posting_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payout_pkey" PRIMARY KEY ("payout_ref")
);

-- CreateTable
CREATE TABLE "interest_credit" (
    "account_id" BIGINT NOT NULL,
    "settlement_year" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "accumulated" DECIMAL(24,2) NOT NULL,
    "interest" DECIMAL(18,2) NOT NULL,
    "subsidy" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "posted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interest_credit_pkey" PRIMARY KEY ("account_id","settlement_year")
);

-- CreateTable
CREATE TABLE "interest_settlement" (
    "settlement_year" INTEGER NOT NULL,
    "settled_on" DATE NOT NULL,
    "as_of" DATE NOT NULL,
    "accounts" INTEGER NOT NULL,
    "interest_amount" DECIMAL(18,2) NOT NULL,
    "subsidy_amount" DECIMAL(18,2) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interest_settlement_pkey" PRIMARY KEY ("settlement_year")
);

-- CreateTable
CREATE TABLE "fiscal_claim" (
    "claim_no" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "settlement_year" INTEGER,
    "item_count" INTEGER NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "status" TEXT NOT NULL,
    "paid_on" DATE,
    "submitted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fiscal_claim_pkey" PRIMARY KEY ("claim_no")
);

-- CreateIndex
CREATE UNIQUE INDEX "payout_posting_id_key" ON "payout"("posting_id");

-- CreateIndex
CREATE UNIQUE INDEX "payout_reversal_posting_id_key" ON "payout"("reversal_posting_id");

-- CreateIndex
CREATE INDEX "payout_account_id_idx" ON "payout"("account_id");

-- CreateIndex
CREATE INDEX "interest_credit_settlement_year_posted_at_idx" ON "interest_credit"("settlement_year", "posted_at");

