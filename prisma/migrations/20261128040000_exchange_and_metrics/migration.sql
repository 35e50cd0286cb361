-- AlterTable
ALTER TABLE "duplicate_check" ADD COLUMN     "employment_form" TEXT;

-- CreateTable
CREATE TABLE "exchange_record" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "consumer_role" TEXT NOT NULL,
    "consumer_org" TEXT NOT NULL,
    "consumer_sub" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "purpose" TEXT,
    "request_id" TEXT NOT NULL,
    "subject_count" INTEGER NOT NULL,
    "result_size" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "exchange_record_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exchange_subject" (
    "subject_key" CHAR(64) NOT NULL,
    "record_id" BIGINT NOT NULL,

    CONSTRAINT "exchange_subject_pkey" PRIMARY KEY ("subject_key","record_id")
);

-- CreateTable
CREATE TABLE "hub_setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hub_setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "subsidy_batch" (
    "id" BIGSERIAL NOT NULL,
    "batch_no" TEXT NOT NULL,
    "period" CHAR(7) NOT NULL,
    "status" TEXT NOT NULL,
    "claim_count" INTEGER NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "paid_count" INTEGER NOT NULL DEFAULT 0,
    "paid_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "submitted_at" TIMESTAMP(3),
    "settled_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subsidy_batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subsidy_claim" (
    "id" BIGSERIAL NOT NULL,
    "claim_no" TEXT NOT NULL,
    "batch_id" BIGINT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "person_id" BIGINT NOT NULL,
    "period" CHAR(7) NOT NULL,
    "deposit_amount" DECIMAL(18,2) NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "paid_on" DATE,
    "posting_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subsidy_claim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_rollup" (
    "month" CHAR(7) NOT NULL,
    "county_code" CHAR(6) NOT NULL,
    "employment_form" TEXT NOT NULL,
    "enrolled" INTEGER NOT NULL DEFAULT 0,
    "exited" INTEGER NOT NULL DEFAULT 0,
    "active_delta" INTEGER NOT NULL DEFAULT 0,
    "deposit_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "deposit_count" INTEGER NOT NULL DEFAULT 0,
    "withdrawal_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "loan_count" INTEGER NOT NULL DEFAULT 0,
    "loan_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "graduate_subsidy_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "interest_subsidy_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "duplicate_blocks" INTEGER NOT NULL DEFAULT 0,
    "balance_delta" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "loan_outstanding_delta" DECIMAL(18,2) NOT NULL DEFAULT 0,

    CONSTRAINT "metric_rollup_pkey" PRIMARY KEY ("month","county_code","employment_form")
);

-- CreateTable
CREATE TABLE "metric_delta" (
    "id" BIGSERIAL NOT NULL,
    "month" CHAR(7) NOT NULL,
    "county_code" CHAR(6) NOT NULL,
    "employment_form" TEXT NOT NULL,
    "enrolled" INTEGER NOT NULL DEFAULT 0,
    "exited" INTEGER NOT NULL DEFAULT 0,
    "active_delta" INTEGER NOT NULL DEFAULT 0,
    "deposit_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "deposit_count" INTEGER NOT NULL DEFAULT 0,
    "withdrawal_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "loan_count" INTEGER NOT NULL DEFAULT 0,
    "loan_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "graduate_subsidy_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "interest_subsidy_amount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "duplicate_blocks" INTEGER NOT NULL DEFAULT 0,
    "balance_delta" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "loan_outstanding_delta" DECIMAL(18,2) NOT NULL DEFAULT 0,

    CONSTRAINT "metric_delta_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "exchange_record_at_idx" ON "exchange_record"("at");

-- CreateIndex
CREATE INDEX "exchange_subject_record_id_idx" ON "exchange_subject"("record_id");

-- CreateIndex
CREATE UNIQUE INDEX "subsidy_batch_batch_no_key" ON "subsidy_batch"("batch_no");

-- CreateIndex
CREATE INDEX "subsidy_batch_period_idx" ON "subsidy_batch"("period");

-- CreateIndex
CREATE UNIQUE INDEX "subsidy_claim_claim_no_key" ON "subsidy_claim"("claim_no");

-- CreateIndex
CREATE UNIQUE INDEX "subsidy_claim_posting_id_key" ON "subsidy_claim"("posting_id");

-- CreateIndex
CREATE INDEX "subsidy_claim_batch_id_idx" ON "subsidy_claim"("batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "subsidy_claim_person_id_period_key" ON "subsidy_claim"("person_id", "period");

-- AddForeignKey
ALTER TABLE "exchange_subject" ADD CONSTRAINT "exchange_subject_record_id_fkey" FOREIGN KEY ("record_id") REFERENCES "exchange_record"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subsidy_claim" ADD CONSTRAINT "subsidy_claim_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "subsidy_batch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written rules (PostgreSQL 15 compatible).
ALTER TABLE "subsidy_claim" ADD CONSTRAINT "subsidy_claim_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "subsidy_claim" ADD CONSTRAINT "subsidy_claim_status_valid" CHECK ("status" IN ('CLAIMED', 'PAID', 'REJECTED'));
