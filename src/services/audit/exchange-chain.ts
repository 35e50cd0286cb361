// The exchange log's hash chain: each record's hash covers its own fields, the subject keys it touched and the
// previous record's hash, so editing, deleting or reordering any stored record breaks every hash after it.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainFields {
  id: bigint;
  at: Date;
  consumerRole: string;
  consumerOrg: string;
  consumerSub: string;
  operation: string;
  purpose: string | null;
  requestId: string;
  subjectCount: number;
  resultSize: number;
  outcome: string;
  subjectKeys: readonly string[];
}

export function chainHash(record: ChainFields, prevHash: string): string {
  const canonical = JSON.stringify([
    record.id.toString(),
    record.at.toISOString(),
    record.consumerRole,
    record.consumerOrg,
    record.consumerSub,
    record.operation,
    record.purpose,
    record.requestId,
    record.subjectCount,
    record.resultSize,
    record.outcome,
    [...new Set(record.subjectKeys)].sort(),
    prevHash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** An exchange_record row as read back with its subject keys (snake_case columns). */
export interface StoredExchangeRow {
  id: bigint;
  at: Date;
  request_id: string;
  consumer_role: string;
  consumer_org: string;
  consumer_sub: string;
  operation: string;
  purpose: string | null;
  subject_count: number;
  result_size: number;
  outcome: string;
  subject_keys: string[] | null;
}

/** The chain hash of a stored row: the chainer links with it, the verifier recomputes it. */
export function storedRowHash(r: StoredExchangeRow, prevHash: string): string {
  return chainHash(
    {
      id: r.id,
      at: r.at,
      consumerRole: r.consumer_role,
      consumerOrg: r.consumer_org,
      consumerSub: r.consumer_sub,
      operation: r.operation,
      purpose: r.purpose,
      requestId: r.request_id,
      subjectCount: r.subject_count,
      resultSize: r.result_size,
      outcome: r.outcome,
      subjectKeys: r.subject_keys ?? [],
    },
    prevHash,
  );
}
