-- Accounts that move (issue 8, rest): transfers out through the national platform. Relative transfers and legacy
-- accounts need no table of their own (ledger postings, carried_history and FUND:LEGACY_CLEARING exist already).

-- A transfer out 异地转出: the contact letter is issued (PENDING) before the national platform is asked, so a retry
-- after a lost answer sends the same letter with the same figures; ACCEPTED closes the account (status code 04).
CREATE TABLE "transfer_out" (
    "id" BIGSERIAL NOT NULL,
    "contact_letter_no" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "to_center" CHAR(6) NOT NULL,
    "requested_on" DATE NOT NULL,
    "principal" DECIMAL(18,2) NOT NULL,
    "interest" DECIMAL(18,2) NOT NULL,
    "opened_month" CHAR(7) NOT NULL,
    "paid_up_to" CHAR(7) NOT NULL,
    "paid_months" INTEGER NOT NULL,
    "last_six_months_continuous" BOOLEAN NOT NULL,
    "loan_count" INTEGER NOT NULL,
    "loan_outstanding" BOOLEAN NOT NULL,
    "fraud_flag" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "posting_id" BIGINT,
    "result" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMP(3),

    CONSTRAINT "transfer_out_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "transfer_out_contact_letter_no_key" ON "transfer_out"("contact_letter_no");
CREATE INDEX "transfer_out_account_id_idx" ON "transfer_out"("account_id");
ALTER TABLE "transfer_out" ADD CONSTRAINT "transfer_out_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
