-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "person" (
    "id" BIGSERIAL NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT,
    "sex" CHAR(1) NOT NULL,
    "birth_date" DATE NOT NULL,
    "education" TEXT,
    "graduation_date" DATE,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" BIGSERIAL NOT NULL,
    "account_number" TEXT NOT NULL,
    "person_id" BIGINT NOT NULL,
    "ledger_account_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "county_code" CHAR(6) NOT NULL,
    "employment_form" TEXT,
    "opened_on" DATE NOT NULL,
    "closed_on" DATE,
    "transferred_in_months" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agreement" (
    "id" BIGSERIAL NOT NULL,
    "account_id" BIGINT NOT NULL,
    "signed_on" DATE NOT NULL,
    "commitment_version" TEXT NOT NULL,
    "commitment_date" DATE NOT NULL,
    "commitment_accepted" BOOLEAN NOT NULL,
    "ended_on" DATE,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agreement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deposit_plan" (
    "id" BIGSERIAL NOT NULL,
    "account_id" BIGINT NOT NULL,
    "monthly_amount" DECIMAL(18,2) NOT NULL,
    "deposit_day" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "bank_account" TEXT,
    "effective_from" DATE NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deposit_plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deposit_month" (
    "account_id" BIGINT NOT NULL,
    "period" CHAR(7) NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "paid_on" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "channel" TEXT,
    "payment_ref" TEXT,
    "posting_id" BIGINT NOT NULL,

    CONSTRAINT "deposit_month_pkey" PRIMARY KEY ("account_id","period")
);

-- CreateTable
CREATE TABLE "ledger_account" (
    "id" BIGSERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "normal_side" CHAR(1) NOT NULL,
    "balance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "name" TEXT NOT NULL,

    CONSTRAINT "ledger_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "posting" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "posted_on" DATE NOT NULL,
    "reverses_id" BIGINT,
    "memo" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "posting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entry" (
    "id" BIGSERIAL NOT NULL,
    "posting_id" BIGINT NOT NULL,
    "ledger_account_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "debit" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "credit" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "period" CHAR(7),
    "posted_on" DATE NOT NULL,
    "balance_after" DECIMAL(18,2),

    CONSTRAINT "ledger_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "policy_parameter" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "unit" TEXT,
    "effective_from" DATE NOT NULL,
    "source" TEXT,
    "recorded_by" TEXT NOT NULL,
    "recorded_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_parameter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "duplicate_check" (
    "id" BIGSERIAL NOT NULL,
    "operation" TEXT NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "county_code" CHAR(6),
    "reason" TEXT NOT NULL,
    "checked_on" DATE NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "duplicate_check_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "missed_collection" (
    "id" BIGSERIAL NOT NULL,
    "payment_ref" TEXT NOT NULL,
    "account_id" BIGINT,
    "account_number" TEXT NOT NULL,
    "period" CHAR(7) NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "paid_on" DATE NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "missed_collection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bank_payment_ref" (
    "payment_ref" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bank_payment_ref_pkey" PRIMARY KEY ("payment_ref")
);

-- CreateTable
CREATE TABLE "outbox_message" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "person_id_number_key" ON "person"("id_number");

-- CreateIndex
CREATE UNIQUE INDEX "account_account_number_key" ON "account"("account_number");

-- CreateIndex
CREATE UNIQUE INDEX "account_ledger_account_id_key" ON "account"("ledger_account_id");

-- CreateIndex
CREATE INDEX "account_person_id_idx" ON "account"("person_id");

-- CreateIndex
CREATE INDEX "account_county_code_status_idx" ON "account"("county_code", "status");

-- CreateIndex
CREATE INDEX "agreement_account_id_idx" ON "agreement"("account_id");

-- CreateIndex
CREATE INDEX "deposit_plan_account_id_effective_from_idx" ON "deposit_plan"("account_id", "effective_from");

-- CreateIndex
CREATE INDEX "deposit_month_paid_on_idx" ON "deposit_month"("paid_on");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_account_code_key" ON "ledger_account"("code");

-- CreateIndex
CREATE UNIQUE INDEX "posting_reverses_id_key" ON "posting"("reverses_id");

-- CreateIndex
CREATE INDEX "posting_posted_on_idx" ON "posting"("posted_on");

-- CreateIndex
CREATE INDEX "ledger_entry_ledger_account_id_id_idx" ON "ledger_entry"("ledger_account_id", "id");

-- CreateIndex
CREATE INDEX "ledger_entry_posting_id_idx" ON "ledger_entry"("posting_id");

-- CreateIndex
CREATE INDEX "policy_parameter_key_effective_from_idx" ON "policy_parameter"("key", "effective_from");

-- CreateIndex
CREATE INDEX "duplicate_check_checked_on_idx" ON "duplicate_check"("checked_on");

-- CreateIndex
CREATE UNIQUE INDEX "missed_collection_payment_ref_key" ON "missed_collection"("payment_ref");

-- CreateIndex
CREATE INDEX "outbox_message_done_at_next_attempt_at_idx" ON "outbox_message"("done_at", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agreement" ADD CONSTRAINT "agreement_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deposit_plan" ADD CONSTRAINT "deposit_plan_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deposit_month" ADD CONSTRAINT "deposit_month_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_posting_id_fkey" FOREIGN KEY ("posting_id") REFERENCES "posting"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Integrity rules the Prisma schema language cannot express (hand-written, PostgreSQL 15 compatible).

-- A worker's balance never goes below zero; fund accounts carry no stored balance.
ALTER TABLE "ledger_account" ADD CONSTRAINT "ledger_account_worker_balance_nonnegative"
  CHECK ("type" <> 'WORKER' OR "balance" >= 0);
ALTER TABLE "ledger_account" ADD CONSTRAINT "ledger_account_type_valid" CHECK ("type" IN ('WORKER', 'FUND'));
ALTER TABLE "ledger_account" ADD CONSTRAINT "ledger_account_normal_side_valid" CHECK ("normal_side" IN ('C', 'D'));

-- An entry is exactly one positive debit or one positive credit.
ALTER TABLE "ledger_entry" ADD CONSTRAINT "ledger_entry_one_side"
  CHECK (("debit" > 0 AND "credit" = 0) OR ("credit" > 0 AND "debit" = 0));

ALTER TABLE "deposit_month" ADD CONSTRAINT "deposit_month_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "deposit_month" ADD CONSTRAINT "deposit_month_period_format" CHECK ("period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$');
ALTER TABLE "deposit_plan" ADD CONSTRAINT "deposit_plan_day_range" CHECK ("deposit_day" BETWEEN 1 AND 28);
ALTER TABLE "account" ADD CONSTRAINT "account_kind_valid" CHECK ("kind" IN ('FLEXIBLE', 'EMPLOYER'));
ALTER TABLE "account" ADD CONSTRAINT "account_status_valid" CHECK ("status" IN ('ACTIVE', 'SEALED', 'CLOSED', 'FROZEN'));

-- One active account per person in this center (the national platform checks the rest of the country).
CREATE UNIQUE INDEX "account_one_active_per_person" ON "account" ("person_id") WHERE "status" = 'ACTIVE';

-- The ledger is append-only: corrections are reversing postings, never edits.
CREATE FUNCTION hub_refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$;
CREATE TRIGGER "posting_immutable" BEFORE UPDATE OR DELETE ON "posting"
  FOR EACH ROW EXECUTE FUNCTION hub_refuse_ledger_change();
CREATE TRIGGER "ledger_entry_immutable" BEFORE UPDATE OR DELETE ON "ledger_entry"
  FOR EACH ROW EXECUTE FUNCTION hub_refuse_ledger_change();

-- Account numbers: center code 140500 + a 10-digit sequence.
CREATE SEQUENCE "account_number_seq" START 1;

-- The fund's own book accounts (asset and expense accounts are debit-normal).
INSERT INTO "ledger_account" ("code", "type", "normal_side", "balance", "name") VALUES
  ('FUND:BANK_SETTLEMENT', 'FUND', 'D', 0, '银行存款-结算户 bank settlement'),
  ('FUND:SUBSIDY_RECEIVABLE', 'FUND', 'D', 0, '应收财政缴存补贴 graduate subsidy receivable'),
  ('FUND:INTEREST_EXPENSE', 'FUND', 'D', 0, '利息支出 interest expense'),
  ('FUND:INTEREST_SUBSIDY_RECEIVABLE', 'FUND', 'D', 0, '应收财政利息补贴 interest subsidy receivable'),
  ('FUND:TRANSFER_CLEARING', 'FUND', 'D', 0, '异地转移清算 transfer clearing'),
  ('FUND:LOAN_RECEIVABLE', 'FUND', 'D', 0, '个人住房贷款 loans receivable');
