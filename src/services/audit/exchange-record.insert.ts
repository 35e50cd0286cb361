// Inserts exchange records unchained (seq, prev_hash, hash null): the chainer links them later. One record is one
// statement (record and subject keys together, so it is atomic on its own); several records take two statements.
import type { SqlTx } from "../../db/driver-sql";

export interface ExchangeEntry {
  at: Date;
  consumerRole: string;
  consumerOrg: string;
  consumerSub: string;
  operation: string;
  purpose: string | null;
  requestId: string;
  /** Keyed hashes of the ID numbers touched (see subject-key.ts), never the ID numbers. */
  subjectKeys: string[];
  subjectCount: number;
  resultSize: number;
  outcome: "OK" | "ERROR";
}

type Db = SqlTx;

export async function insertExchangeRecord(db: Db, e: ExchangeEntry): Promise<void> {
  const keys = [...new Set(e.subjectKeys)];
  await db.$executeRaw`
    WITH r AS (
      INSERT INTO exchange_record (at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome)
      VALUES (${e.at}, ${e.consumerRole}, ${e.consumerOrg}, ${e.consumerSub}, ${e.operation}, ${e.purpose}, ${e.requestId}, ${e.subjectCount}, ${e.resultSize}, ${e.outcome})
      RETURNING id)
    INSERT INTO exchange_subject (subject_key, record_id) SELECT k, r.id FROM r, unnest(${keys}::char(64)[]) AS k`;
}

/** All or nothing: one bad entry fails the statement (the caller then retries one by one). */
export async function insertExchangeRecords(db: Db, entries: readonly ExchangeEntry[]): Promise<void> {
  if (entries.length === 1) return insertExchangeRecord(db, entries[0]!);
  const ids = (
    await db.$queryRaw<
      { id: bigint }[]
    >`SELECT nextval('exchange_record_id_seq') AS id FROM generate_series(1, ${entries.length}::int)`
  ).map((r) => r.id);
  const subjects = entries.flatMap((e, i) => [...new Set(e.subjectKeys)].map((key) => ({ key, id: ids[i]! })));
  await db.$executeRaw`
    WITH r AS (
      INSERT INTO exchange_record (id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome)
      SELECT * FROM unnest(${ids}::bigint[], ${entries.map((e) => e.at.toISOString())}::timestamptz[], ${entries.map((e) => e.consumerRole)}::text[],
        ${entries.map((e) => e.consumerOrg)}::text[], ${entries.map((e) => e.consumerSub)}::text[], ${entries.map((e) => e.operation)}::text[],
        ${entries.map((e) => e.purpose)}::text[], ${entries.map((e) => e.requestId)}::text[], ${entries.map((e) => e.subjectCount)}::int[],
        ${entries.map((e) => e.resultSize)}::int[], ${entries.map((e) => e.outcome)}::text[])
      RETURNING id)
    INSERT INTO exchange_subject (subject_key, record_id)
    SELECT s.key, s.id FROM unnest(${subjects.map((s) => s.key)}::char(64)[], ${subjects.map((s) => s.id)}::bigint[]) AS s(key, id)
    WHERE EXISTS (SELECT 1 FROM r)`;
}
