-- The exchange log's subject rows keyed by record first (docs/decisions/049). The primary key was (subject_key,
-- record_id): every subject row went to a random leaf of a B-tree as large as the log, beside a second index on
-- record_id, and a foreign-key trigger ran once per row. Now the primary key (record_id, subject_key) is appended in
-- record order and serves the chainer's and the verifier's reads by record; a hash index (a 4-byte code per row, about
-- a quarter of the B-tree) finds a person's records; and no foreign key: the rows are inserted in their record's own
-- statement, the chain's hash covers them, and verifyExchangeLog reports any row whose record does not exist.

-- DropForeignKey
ALTER TABLE "exchange_subject" DROP CONSTRAINT "exchange_subject_record_id_fkey";

-- DropIndex
DROP INDEX "exchange_subject_record_id_idx";

-- AlterTable
ALTER TABLE "exchange_subject" DROP CONSTRAINT "exchange_subject_pkey",
ADD CONSTRAINT "exchange_subject_pkey" PRIMARY KEY ("record_id", "subject_key");

-- CreateIndex
CREATE INDEX "exchange_subject_subject_key_idx" ON "exchange_subject" USING HASH ("subject_key");
