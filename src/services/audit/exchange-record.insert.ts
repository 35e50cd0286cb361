// Inserts exchange records unchained (seq, prev_hash, hash null): the chainer links them later. One record is one
// statement (record and subject keys together, so it is atomic on its own), and so are several records.
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

/**
 * All or nothing, in one statement: one bad entry fails it (the caller then retries one by one). Each record's id is
 * drawn in the statement, in the order of `entries`, and its subject keys are joined to it by the entry's position
 * (decision 031: a separate statement drew the ids first, one more round trip per batch).
 */
export async function insertExchangeRecords(db: Db, entries: readonly ExchangeEntry[]): Promise<void> {
  if (entries.length === 1) return insertExchangeRecord(db, entries[0]!);
  const subjects = entries.flatMap((e, i) => [...new Set(e.subjectKeys)].map((key) => ({ key, n: i + 1 })));
  await db.$executeRaw`
    WITH e AS MATERIALIZED (
      SELECT nextval('exchange_record_id_seq') AS id, u.*
      FROM unnest(${entries.map((e) => e.at.toISOString())}::timestamptz[], ${entries.map((e) => e.consumerRole)}::text[],
        ${entries.map((e) => e.consumerOrg)}::text[], ${entries.map((e) => e.consumerSub)}::text[], ${entries.map((e) => e.operation)}::text[],
        ${entries.map((e) => e.purpose)}::text[], ${entries.map((e) => e.requestId)}::text[], ${entries.map((e) => e.subjectCount)}::int[],
        ${entries.map((e) => e.resultSize)}::int[], ${entries.map((e) => e.outcome)}::text[]) WITH ORDINALITY
        AS u(at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome, n)
    ), r AS (
      INSERT INTO exchange_record (id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome)
      SELECT id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome FROM e
      RETURNING id)
    INSERT INTO exchange_subject (subject_key, record_id)
    SELECT s.key, e.id FROM unnest(${subjects.map((s) => s.key)}::char(64)[], ${subjects.map((s) => s.n)}::int[]) AS s(key, n)
    JOIN e ON e.n = s.n
    WHERE EXISTS (SELECT 1 FROM r)`;
}
