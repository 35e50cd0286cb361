-- The loan book (issue 9): loans, their instalments, the postings of each loan, applications, overdue spells;
-- loan applications and overdue loans in the pilot metrics; the fund accounts of loan interest and risk compensation.
-- AlterTable
ALTER TABLE "metric_rollup" ADD COLUMN "loan_applications" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "metric_rollup" ADD COLUMN "loan_overdue_delta" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "metric_delta" ADD COLUMN "loan_applications" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "metric_delta" ADD COLUMN "loan_overdue_delta" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "loan" (
    "id" BIGSERIAL NOT NULL,
    "loan_number" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "person_id" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "annual_rate" DECIMAL(8,5) NOT NULL,
    "term_months" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "offset_from_balance" BOOLEAN NOT NULL,
    "applied_on" DATE NOT NULL,
    "monthly_income" DECIMAL(18,2) NOT NULL,
    "house_price" DECIMAL(18,2) NOT NULL,
    "first_home" BOOLEAN NOT NULL,
    "quota" JSONB NOT NULL,
    "disbursed_on" DATE,
    "level_amount" DECIMAL(18,2),
    "outstanding_principal" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "closed_on" DATE,
    "written_off_amount" DECIMAL(18,2),
    "risk_claim_no" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_instalment" (
    "loan_id" BIGINT NOT NULL,
    "number" INTEGER NOT NULL,
    "period" CHAR(7) NOT NULL,
    "principal" DECIMAL(18,2) NOT NULL,
    "interest" DECIMAL(18,2) NOT NULL,
    "paid_principal" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "paid_interest" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,

    CONSTRAINT "loan_instalment_pkey" PRIMARY KEY ("loan_id","number")
);

-- CreateTable
CREATE TABLE "loan_posting" (
    "posting_id" BIGINT NOT NULL,
    "loan_id" BIGINT NOT NULL,

    CONSTRAINT "loan_posting_pkey" PRIMARY KEY ("posting_id")
);

-- CreateTable
CREATE TABLE "loan_application" (
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "applied_on" DATE NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "loan_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loan_application_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_overdue_spell" (
    "id" BIGSERIAL NOT NULL,
    "loan_id" BIGINT NOT NULL,
    "from_on" DATE NOT NULL,
    "to_on" DATE,

    CONSTRAINT "loan_overdue_spell_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "loan_loan_number_key" ON "loan"("loan_number");
CREATE INDEX "loan_account_id_idx" ON "loan"("account_id");
CREATE INDEX "loan_person_id_idx" ON "loan"("person_id");
CREATE INDEX "loan_status_idx" ON "loan"("status");
CREATE INDEX "loan_instalment_period_status_idx" ON "loan_instalment"("period", "status");
CREATE INDEX "loan_posting_loan_id_idx" ON "loan_posting"("loan_id");
CREATE UNIQUE INDEX "loan_application_idempotency_key_key" ON "loan_application"("idempotency_key");
CREATE INDEX "loan_application_account_id_idx" ON "loan_application"("account_id");
CREATE INDEX "loan_overdue_spell_loan_id_idx" ON "loan_overdue_spell"("loan_id");

-- AddForeignKey
ALTER TABLE "loan" ADD CONSTRAINT "loan_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "loan_instalment" ADD CONSTRAINT "loan_instalment_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One loan at a time per person (applied for or outstanding): the backstop of the application's lock.
CREATE UNIQUE INDEX "loan_one_open_per_person" ON "loan" ("person_id") WHERE "status" IN ('APPROVED', 'DISBURSED');
-- At most one open overdue spell per loan.
CREATE UNIQUE INDEX "loan_overdue_spell_one_open" ON "loan_overdue_spell" ("loan_id") WHERE "to_on" IS NULL;
ALTER TABLE "loan" ADD CONSTRAINT "loan_status_valid" CHECK ("status" IN ('APPROVED', 'DISBURSED', 'SETTLED', 'WRITTEN_OFF'));
ALTER TABLE "loan" ADD CONSTRAINT "loan_outstanding_nonnegative" CHECK ("outstanding_principal" >= 0);
ALTER TABLE "loan_instalment" ADD CONSTRAINT "loan_instalment_status_valid" CHECK ("status" IN ('DUE', 'PAID', 'OVERDUE'));

-- Fund accounts of the loan book.
INSERT INTO "ledger_account" ("code", "type", "normal_side", "balance", "name") VALUES
  ('FUND:LOAN_INTEREST_INCOME', 'FUND', 'C', 0, '贷款利息收入 loan interest income'),
  ('FUND:RISK_COMPENSATION_RECEIVABLE', 'FUND', 'D', 0, '应收风险补偿金 risk compensation receivable');
