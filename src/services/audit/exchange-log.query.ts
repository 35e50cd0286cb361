// Reading the exchange log: newest first, keyset-paginated, optionally only the records that touched one
// person. Records not chained yet show empty hashes. Verification is in exchange-log.verify.ts.
import type { PrismaClient } from "../../generated/prisma/client";

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
  hash: string | null;
  prev_hash: string | null;
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
    hash: r.hash ?? "",
    prevHash: r.prev_hash ?? "",
  };
}

/**
 * The page lists records of the consumer roles the contract's Role enum can name (`roles`); records of the hub's
 * own system actor or of an outbound call to an agency without a contract role are chained and verified, but
 * cannot be listed until the contract names those roles (docs/decisions/008).
 */
export async function exchangePage(
  prisma: PrismaClient,
  first: number,
  after: string | null | undefined,
  subjectKey: string | null | undefined,
  roles: readonly string[],
): Promise<ExchangePage> {
  const before = after ? decode(after) : 9223372036854775807n;
  const rows = subjectKey
    ? await prisma.$queryRaw<Row[]>`
        SELECT r.* FROM exchange_subject s JOIN exchange_record r ON r.id = s.record_id
        WHERE s.subject_key = ${subjectKey} AND s.record_id < ${before} AND r.consumer_role = ANY(${roles}::text[])
        ORDER BY s.record_id DESC LIMIT ${first + 1}`
    : await prisma.$queryRaw<Row[]>`
        SELECT * FROM exchange_record WHERE id < ${before} AND consumer_role = ANY(${roles}::text[])
        ORDER BY id DESC LIMIT ${first + 1}`;
  const page = rows.slice(0, first).map(view);
  const edges = page.map((node) => ({ cursor: encode(node.id), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
