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
