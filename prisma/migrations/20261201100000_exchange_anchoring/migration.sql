-- Exchange records are inserted unchained by their own request (a mutation's record in the mutation's own
-- transaction) and linked later by the chainer: seq is the position in the chain (null until chained).
-- AlterTable
ALTER TABLE "exchange_record" ADD COLUMN     "seq" BIGINT,
ALTER COLUMN "prev_hash" DROP NOT NULL,
ALTER COLUMN "hash" DROP NOT NULL;

-- Records chained before this migration were chained in id order.
UPDATE "exchange_record" r SET "seq" = n.rn FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS rn FROM "exchange_record") n WHERE n."id" = r."id";

-- AlterTable
ALTER TABLE "idempotency_record" ADD COLUMN     "request_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "exchange_record_seq_key" ON "exchange_record"("seq");

-- CreateIndex
CREATE INDEX "exchange_record_request_id_idx" ON "exchange_record"("request_id");
