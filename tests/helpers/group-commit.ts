// What the group-commit tests (deposits, withdrawals) share: waiting for a batch to block on another session's lock,
// and reading what each request's stored result points at in the exchange log.
import type { Client } from "pg";

import type { TestHub } from "./test-hub";

/** Until a session of this database waits for a lock (the hub's batch, behind the test's own transaction). */
export async function waitForALockWait(other: Client): Promise<void> {
  for (;;) {
    const { rows } = await other.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
       WHERE NOT l.granted AND s.datname = current_database()`,
    );
    if (Number(rows[0]!.n) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Per stored key of `operation` among `keys`: how many exchange records of its request, and their subject rows. */
export async function recordsPerStoredKey(
  t: TestHub,
  operation: string,
  keys: readonly string[],
): Promise<[records: number, subjects: number][]> {
  const rows = await t.hub.db.prisma.$queryRaw<{ key: string; records: bigint; subjects: bigint }[]>`
    SELECT ir.key, count(DISTINCT er.id) AS records, count(es.subject_key) AS subjects
    FROM idempotency_record ir
    JOIN exchange_record er ON er.request_id = ir.request_id AND er.operation = ${operation}
    LEFT JOIN exchange_subject es ON es.record_id = er.id
    WHERE ir.key = ANY(${[...keys]}::text[])
    GROUP BY ir.key`;
  return rows.map((r) => [Number(r.records), Number(r.subjects)]);
}
