// The exchange record a bare baseline's `-recorded` route commits before it answers (decisions 038, 039): the work
// the hub does for a recorded read, done the naive way, one autocommit insert per read. The hub's own statement
// (`insertExchangeRecord`) and subject keyer with the installation's salt, read from hub_setting (the bench starts a
// hub on the database first, and that hub made the salt). Signed `bench-baseline`, so the bench can count them.
import { randomUUID } from "node:crypto";

import type { Pool } from "pg";

import { driverSql } from "../../src/db/driver-sql";
import { insertExchangeRecord } from "../../src/services/audit/exchange-record.insert";
import { SUBJECT_KEY_SETTING, subjectKeyerOf } from "../../src/services/audit/subject-key";

export interface RecordedRead {
  consumerRole: string;
  consumerOrg: string;
  operation: string;
  purpose: string | null;
  /** The persons the read touched. */
  idNumbers: string[];
  resultSize: number;
}

export async function baselineRecorder(pool: Pool): Promise<(read: RecordedRead, at: Date) => Promise<void>> {
  const sql = driverSql(pool);
  const { rows } = await pool.query<{ value: string }>("SELECT value FROM hub_setting WHERE key = $1", [
    SUBJECT_KEY_SETTING,
  ]);
  const subjectKey = rows[0] ? subjectKeyerOf(rows[0].value) : null;
  return async (read, at) => {
    if (!subjectKey) throw new Error("no subject key salt in hub_setting: start a hub on this database first");
    await insertExchangeRecord(sql, {
      at,
      consumerRole: read.consumerRole,
      consumerOrg: read.consumerOrg,
      consumerSub: "bench-baseline",
      operation: read.operation,
      purpose: read.purpose,
      requestId: randomUUID(),
      subjectKeys: read.idNumbers.map(subjectKey),
      subjectCount: read.idNumbers.length,
      resultSize: read.resultSize,
      outcome: "OK",
    });
  };
}
