-- Accounts that move (issue 8): conversion flexible <-> employer-based, transfers in from other cities and
-- pre-pilot (legacy) accounts. One personal account keeps its whole history; months paid elsewhere are carried.

-- How an agreement ended: EXIT (or NULL, written before this column) is an exit 退出; CONVERTED_TO_EMPLOYER
-- suspends it when the person takes a job (not an exit; counted in converted_to_employer).
ALTER TABLE "agreement" ADD COLUMN "end_reason" TEXT;

-- The employer of an employer-based account (recorded at conversion).
ALTER TABLE "account" ADD COLUMN "employer_name" TEXT;

ALTER TABLE "metric_rollup" ADD COLUMN "converted_to_employer" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "metric_delta" ADD COLUMN "converted_to_employer" INTEGER NOT NULL DEFAULT 0;

-- Months paid before the account's history began here (a transfer in, a pre-pilot system): they count in
-- duration, and the continuous run they end with counts in continuity when it joins the months paid here.
CREATE TABLE "carried_history" (
    "id" BIGSERIAL NOT NULL,
    "account_id" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "paid_months" INTEGER NOT NULL,
    "paid_up_to" CHAR(7) NOT NULL,
    "continuous_months" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carried_history_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "carried_history_source_reference_key" ON "carried_history"("source", "reference");
CREATE INDEX "carried_history_account_id_idx" ON "carried_history"("account_id");
ALTER TABLE "carried_history" ADD CONSTRAINT "carried_history_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A transfer accepted from another city's center, as received (the contact letter is its idempotency).
CREATE TABLE "transfer_in" (
    "id" BIGSERIAL NOT NULL,
    "contact_letter_no" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "from_center" TEXT NOT NULL,
    "principal" DECIMAL(18,2) NOT NULL,
    "interest" DECIMAL(18,2) NOT NULL,
    "opened_month" CHAR(7) NOT NULL,
    "paid_up_to" CHAR(7) NOT NULL,
    "paid_months" INTEGER NOT NULL,
    "last_six_months_continuous" BOOLEAN NOT NULL,
    "loan_count" INTEGER NOT NULL,
    "loan_outstanding" BOOLEAN NOT NULL,
    "fraud_flag" BOOLEAN NOT NULL,
    "received_on" DATE NOT NULL,
    "posting_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transfer_in_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "transfer_in_contact_letter_no_key" ON "transfer_in"("contact_letter_no");
CREATE INDEX "transfer_in_account_id_idx" ON "transfer_in"("account_id");
ALTER TABLE "transfer_in" ADD CONSTRAINT "transfer_in_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The center's clearing account for balances brought over from the pre-pilot system.
INSERT INTO "ledger_account" ("code", "type", "normal_side", "balance", "name") VALUES
  ('FUND:LEGACY_CLEARING', 'FUND', 'D', 0, '历史数据迁移清算 legacy migration clearing');
