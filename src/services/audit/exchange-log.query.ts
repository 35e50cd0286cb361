// Reading the exchange log: newest first, keyset-paginated, optionally only the records that touched one
// person; and the verification that recomputes the whole chain.
import type { PrismaClient } from "../../generated/prisma/client";
import { chainHash, GENESIS_HASH } from "./exchange-chain";

export interface ExchangeRecordView {
  id: string;
  at: string;
  consumerRole: string;
  consumerOrg: string;
  consumerSub: string;
  operation: string;
  purpose: string | null;
  subjectCount: number;
  resultSize: number;
  outcome: string;
  hash: string;
  prevHash: string;
}

export interface ExchangePage {
  edges: { cursor: string; node: ExchangeRecordView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export class InvalidExchangeCursorError extends Error {}

const encode = (id: bigint | string) => Buffer.from(`x:${id}`).toString("base64url");
function decode(cursor: string): bigint {
  const match = /^x:(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new InvalidExchangeCursorError("invalid cursor");
  return BigInt(match[1]!);
}

type Row = {
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
  hash: string;
  prev_hash: string;
};

function view(r: Row): ExchangeRecordView {
  return {
    id: r.id.toString(),
    at: r.at.toISOString(),
    consumerRole: r.consumer_role,
    consumerOrg: r.consumer_org,
    consumerSub: r.consumer_sub,
    operation: r.operation,
    purpose: r.purpose,
    subjectCount: r.subject_count,
    resultSize: r.result_size,
    outcome: r.outcome,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

export async function exchangePage(
  prisma: PrismaClient,
  first: number,
  after: string | null | undefined,
  subjectKey?: string | null,
): Promise<ExchangePage> {
  const before = after ? decode(after) : 9223372036854775807n;
  const rows = subjectKey
    ? await prisma.$queryRaw<Row[]>`
        SELECT r.* FROM exchange_subject s JOIN exchange_record r ON r.id = s.record_id
        WHERE s.subject_key = ${subjectKey} AND s.record_id < ${before} ORDER BY s.record_id DESC LIMIT ${first + 1}`
    : await prisma.$queryRaw<
        Row[]
      >`SELECT * FROM exchange_record WHERE id < ${before} ORDER BY id DESC LIMIT ${first + 1}`;
  const page = rows.slice(0, first).map(view);
  const edges = page.map((node) => ({ cursor: encode(node.id), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
}

/** Recomputes every hash in id order, in bounded memory; the first record whose hash or link fails is reported. */
export async function verifyExchangeChain(prisma: PrismaClient, pageSize = 5000): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let lastId = 0n;
  let checked = 0;
  for (;;) {
    const rows = await prisma.$queryRaw<(Row & { subject_keys: string[] | null })[]>`
      SELECT r.*, (SELECT array_agg(s.subject_key::text) FROM exchange_subject s WHERE s.record_id = r.id) AS subject_keys
      FROM exchange_record r WHERE r.id > ${lastId} ORDER BY r.id LIMIT ${pageSize}`;
    if (rows.length === 0) return { ok: true, checked, firstBrokenId: null };
    for (const r of rows) {
      const expected = chainHash(
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
        prev,
      );
      if (r.prev_hash !== prev || r.hash !== expected) return { ok: false, checked, firstBrokenId: r.id.toString() };
      prev = r.hash;
      lastId = r.id;
      checked++;
    }
  }
}
