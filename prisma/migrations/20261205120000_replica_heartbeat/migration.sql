-- The replica's heartbeat (docs/decisions/058). A hub with a replica (HUB_DB_REPLICA_URL) adds one to `beat` on the
-- primary every probe interval and reads the row back from the replica: the replica holds every commit of the primary
-- made before the newest beat it shows, so how long ago the hub wrote that beat bounds the replica's lag. One row, so
-- that N hubs share it; `beaten_at` (the primary's clock) is for an operator reading the replica by hand.
CREATE TABLE "replica_heartbeat" (
    "id" SMALLINT NOT NULL,
    "beat" BIGINT NOT NULL,
    "beaten_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replica_heartbeat_pkey" PRIMARY KEY ("id")
);

INSERT INTO "replica_heartbeat" ("id", "beat") VALUES (1, 0);
