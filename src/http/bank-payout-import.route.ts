// POST /imports/bank-payouts: a bank payout result file of any size, streamed (text/csv body), with the same bearer
// token rules as the GraphQL mutation importBankPayouts and the idempotency key in a header.
import type { IncomingMessage, ServerResponse } from "node:http";

import { ROOT_PERMISSIONS } from "../auth/permissions";
import { runPayoutImport } from "../services/withdrawals/import-bank-payouts";
import { handleStreamedImport, type StreamedImportContext } from "./streamed-import";

export function handleBankPayoutImport(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: StreamedImportContext,
): Promise<void> {
  return handleStreamedImport(req, res, ctx, {
    operation: "importBankPayouts",
    allowed: ROOT_PERMISSIONS.Mutation.importBankPayouts!,
    run: runPayoutImport,
  });
}
