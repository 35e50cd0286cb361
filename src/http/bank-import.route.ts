// POST /imports/bank-collection: a bank collection result file of any size, streamed (text/csv body), with the same
// bearer token rules as the GraphQL mutation importBankCollection and the idempotency key in a header.
import type { IncomingMessage, ServerResponse } from "node:http";

import { ROOT_PERMISSIONS } from "../auth/permissions";
import { runBankImport } from "../services/deposits/bank-import.service";
import { handleStreamedImport, type StreamedImportContext } from "./streamed-import";

export function handleBankImport(req: IncomingMessage, res: ServerResponse, ctx: StreamedImportContext): Promise<void> {
  return handleStreamedImport(req, res, ctx, {
    operation: "importBankCollection",
    allowed: ROOT_PERMISSIONS.Mutation.importBankCollection!,
    run: runBankImport,
  });
}
