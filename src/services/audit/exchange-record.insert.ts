// Inserts exchange records unchained (seq, prev_hash, hash null): the chainer links them later. One record is one
// statement (record and subject keys together, so it is atomic on its own); several records too (ids drawn in the statement).
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
  // One statement: the ids are drawn in a materialized CTE (nextval is volatile, so it runs once per row), the
  // records and their subject keys joined to them by their position in the batch.
  const subjects = entries.flatMap((e, i) => [...new Set(e.subjectKeys)].map((key) => ({ key, n: i + 1 })));
  await db.$executeRaw`
    WITH ids AS MATERIALIZED (
      SELECT nextval('exchange_record_id_seq') AS id, n FROM generate_series(1, ${entries.length}::int) AS n
    ), r AS (
      INSERT INTO exchange_record (id, at, consumer_role, consumer_org, consumer_sub, operation, purpose, request_id, subject_count, result_size, outcome)
      SELECT ids.id, u.at, u.role, u.org, u.sub, u.operation, u.purpose, u.request_id, u.subject_count, u.result_size, u.outcome
      FROM unnest(${entries.map((e) => e.at.toISOString())}::timestamptz[], ${entries.map((e) => e.consumerRole)}::text[],
        ${entries.map((e) => e.consumerOrg)}::text[], ${entries.map((e) => e.consumerSub)}::text[], ${entries.map((e) => e.operation)}::text[],
        ${entries.map((e) => e.purpose)}::text[], ${entries.map((e) => e.requestId)}::text[], ${entries.map((e) => e.subjectCount)}::int[],
        ${entries.map((e) => e.resultSize)}::int[], ${entries.map((e) => e.outcome)}::text[])
        WITH ORDINALITY AS u(at, role, org, sub, operation, purpose, request_id, subject_count, result_size, outcome, n)
      JOIN ids ON ids.n = u.n
      ORDER BY u.n
      RETURNING id)
    INSERT INTO exchange_subject (subject_key, record_id)
    SELECT s.key, ids.id FROM unnest(${subjects.map((s) => s.key)}::char(64)[], ${subjects.map((s) => s.n)}::int[]) AS s(key, n)
    JOIN ids ON ids.n = s.n
    WHERE EXISTS (SELECT 1 FROM r)`;
}
