// Verifies the exchange log: recomputes every chained record's hash in chain order (seq), in bounded memory;
// checks every signed checkpoint kept outside the database against the chain (a checkpoint past the head means
// records were deleted from the tail; a different hash at its seq means history was rewritten, even with every
// later hash recomputed); reports subject rows whose record does not exist; and reports records still unchained
// after a bound (a chainer that stopped working).
import type { PrismaClient } from "../../generated/prisma/client";
import type { ExchangeAnchor, SignedCheckpoint } from "./exchange-anchor";
import { GENESIS_HASH, type StoredExchangeRow, storedRowHash, SUBJECT_KEYS_OF_R } from "./exchange-chain";

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenId: string | null;
  /** Why it failed (for logs and the checkpoint script; the GraphQL type has ok/checked/firstBrokenId). */
  problem: string | null;
}

/** Records older than this and still unchained are reported. */
export const MAX_UNCHAINED_AGE_MS = 5 * 60 * 1000;

type Row = StoredExchangeRow & { seq: bigint; hash: string; prev_hash: string };

const broken = (checked: number, id: string | bigint, problem: string): ChainVerification => ({
  ok: false,
  checked,
  firstBrokenId: id.toString(),
  problem,
});

export async function verifyExchangeLog(
  prisma: PrismaClient,
  anchor: ExchangeAnchor,
  options: { pageSize?: number; maxUnchainedAgeMs?: number; now?: Date } = {},
): Promise<ChainVerification> {
  const checkpoints = anchor.all();
  const forged = checkpoints.find((c) => !anchor.isAuthentic(c));
  if (forged)
    return broken(0, forged.id ?? "0", `checkpoint not signed with the anchor key: ${JSON.stringify(forged)}`);
  const bySeq = new Map<string, SignedCheckpoint[]>();
  for (const c of checkpoints) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);
  let prev = GENESIS_HASH;
  let lastSeq = 0n;
  let checked = 0;
  for (;;) {
    const rows = await prisma.$queryRaw<Row[]>`
      SELECT r.*, ${SUBJECT_KEYS_OF_R}
      FROM exchange_record r WHERE r.seq > ${lastSeq} ORDER BY r.seq LIMIT ${options.pageSize ?? 5000}`;
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== lastSeq + 1n) return broken(checked, r.id, `chain position ${lastSeq + 1n} is missing`);
      if (r.prev_hash !== prev || r.hash !== storedRowHash(r, prev))
        return broken(checked, r.id, `record ${r.id} does not match its hash or link`);
      for (const c of bySeq.get(r.seq.toString()) ?? [])
        if (c.hash !== r.hash || c.id !== r.id.toString())
          return broken(checked, r.id, `record ${r.id} differs from the signed checkpoint at ${c.seq}`);
      prev = r.hash;
      lastSeq = r.seq;
      checked++;
    }
  }
  const beyond = checkpoints.find((c) => BigInt(c.seq) > lastSeq);
  if (beyond) return broken(checked, beyond.id, `the chain ends at ${lastSeq} but a checkpoint saw ${beyond.seq}`);
  // No foreign key refuses a subject row whose record does not exist (decision 049): it is reported here. Both sides
  // are read in record order (the subject rows' primary key starts with record_id), so this is one merge of two
  // index scans, about what the walk above already read.
  const [orphan] = await prisma.$queryRaw<{ record_id: bigint }[]>`
    SELECT s.record_id FROM exchange_subject s
    WHERE NOT EXISTS (SELECT 1 FROM exchange_record r WHERE r.id = s.record_id) ORDER BY s.record_id LIMIT 1`;
  if (orphan)
    return broken(checked, orphan.record_id, `subject rows name record ${orphan.record_id}, which does not exist`);
  const bound = new Date((options.now ?? new Date()).getTime() - (options.maxUnchainedAgeMs ?? MAX_UNCHAINED_AGE_MS));
  const [stale] = await prisma.$queryRaw<
    { id: bigint }[]
  >`SELECT id FROM exchange_record WHERE seq IS NULL AND at < ${bound} ORDER BY id LIMIT 1`;
  if (stale) return broken(checked, stale.id, `record ${stale.id} is still unchained`);
  return { ok: true, checked, firstBrokenId: null, problem: null };
}
