// One bank collection file under an idempotency key, through the shared streamed-import engine: each paymentRef
// posts at most once whatever happens (the real guarantee, batch by batch); on top of it, a replay of the same file
// under the same key returns the first import's result, and the same key with another file is refused.
import type { Actor, HubServices } from "../hub-services";
import { runStreamedImport, type StreamedImportOutcome } from "../imports/streamed-import";
import { BANK_COLLECTION_IMPORT } from "./import-bank-collection";

export function runBankImport(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
): Promise<StreamedImportOutcome> {
  return runStreamedImport(hub, actor, key, input, BANK_COLLECTION_IMPORT);
}
