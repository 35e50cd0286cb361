// One bank file import under an idempotency key. Each paymentRef posts at most once whatever happens (that is
// the real guarantee, batch by batch); on top of it, a replay of the same file under the same key returns the
// first import's result, and the same key with another file is refused.
import { createHash } from "node:crypto";

import { keyInUse, storeCommandResult } from "../command";
import type { Actor, HubServices } from "../hub-services";
import { peekIdempotent, validKey } from "../idempotency";
import { userError } from "../user-error";
import { type BankImportResult, importBankCollection } from "./import-bank-collection";

const OPERATION = "importBankCollection";

function refused(code: string, message: string): BankImportResult {
  return {
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    missed: 0,
    rows: 0,
    errors: [userError(code, message, "idempotencyKey")],
  };
}

/** Hashes the lines as they pass, so a streamed file is hashed without being held in memory. */
async function* hashing(
  lines: AsyncIterable<string> | Iterable<string>,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<string> {
  for await (const line of lines) {
    hash.update(line).update("\n");
    yield line;
  }
}

async function digestOf(lines: AsyncIterable<string> | Iterable<string>): Promise<string> {
  const hash = createHash("sha256");
  for await (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

export async function runBankImport(
  hub: HubServices,
  actor: Actor,
  key: string,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<BankImportResult> {
  if (!validKey(key)) return refused("INVALID_IDEMPOTENCY_KEY", "幂等键须为 8–128 个可见 ASCII 字符");
  if (await keyInUse(hub.prisma, key)) {
    // Only the file's digest is needed to tell a replay from a reuse: read it without posting anything.
    const digest = await digestOf(lines);
    const replay = await peekIdempotent<BankImportResult>(hub.prisma, {
      key,
      operation: OPERATION,
      actor: actor.sub,
      input: { digest },
    });
    if (replay && "ok" in replay) return replay.ok;
    return refused("IDEMPOTENCY_KEY_REUSED", "该幂等键已用于另一份不同的文件");
  }
  const hash = createHash("sha256");
  const result = await importBankCollection(hub, hashing(lines, hash));
  const digest = hash.digest("hex");
  // A concurrent import under the same key that finished first keeps its record: its rows were deduplicated by paymentRef.
  await storeCommandResult(hub.prisma, { key, operation: OPERATION, actor: actor.sub, input: { digest } }, result);
  return result;
}
