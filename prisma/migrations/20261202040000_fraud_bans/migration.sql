-- Fraud bans (issue 9 part 3): one store for the center's decisions, the national platform's sanctions and the
-- fraud flags of transfers in (docs/decisions/017).
-- CreateTable
CREATE TABLE "fraud_ban" (
    "id" BIGSERIAL NOT NULL,
    "person_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "decided_on" DATE NOT NULL,
    "until" DATE NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "source_ref" TEXT NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fraud_ban_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "fraud_ban_person_id_source_source_ref_key" ON "fraud_ban"("person_id", "source", "source_ref");

-- AddForeignKey
ALTER TABLE "fraud_ban" ADD CONSTRAINT "fraud_ban_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Transfers already received with a fraud flag: the ban they carry, as receiveTransfer records it from now on
-- (a withdrawal-fraud ban from the day received, for the years in force then; 3 when no parameter row exists).
INSERT INTO "fraud_ban" ("person_id", "kind", "decided_on", "until", "reason", "source", "source_ref", "recorded_by")
SELECT a."person_id", 'WITHDRAWAL_FRAUD', t."received_on",
       (t."received_on" + make_interval(years => COALESCE((
          SELECT p."value"::int FROM "policy_parameter" p
           WHERE p."key" = 'risk.fraudWithdrawalBanYears' AND p."effective_from" <= t."received_on"
           ORDER BY p."effective_from" DESC, p."id" DESC LIMIT 1), 3)))::date,
       '转入时原中心标记骗提骗贷（联系函 ' || t."contact_letter_no" || '，原中心 ' || t."from_center" || '）',
       'TRANSFER', t."contact_letter_no", 'migration'
  FROM "transfer_in" t JOIN "account" a ON a."id" = t."account_id"
 WHERE t."fraud_flag"
ON CONFLICT DO NOTHING;
