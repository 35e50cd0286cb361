// The exchange log's hash chain: each record's hash covers its own fields, the subject keys it touched and the
// previous record's hash, so editing, deleting or reordering any stored record breaks every hash after it.
import { createHash } from "node:crypto";

import { commaList } from "../../db/pg-array";
import { Prisma } from "../../generated/prisma/client";

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
  /** `string_agg(subject_key, ',')` (SUBJECT_KEYS_OF_R): hex keys, never a comma. */
  subject_keys: string | null;
}

/** The subject keys of record `r`, as StoredExchangeRow reads them (the chainer's and the verifier's column). */
export const SUBJECT_KEYS_OF_R = Prisma.raw(
  `(SELECT string_agg(s.subject_key::text, ',') FROM exchange_subject s WHERE s.record_id = r.id) AS subject_keys`,
);

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
      subjectKeys: commaList(r.subject_keys),
    },
    prevHash,
  );
}
