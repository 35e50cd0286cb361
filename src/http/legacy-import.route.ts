// POST /imports/legacy-accounts: the pre-pilot system's account export of any size, streamed (text/csv body), with the
// same bearer token rules as the GraphQL mutation importLegacyAccounts and the idempotency key in a header. Records
// are bounded (4,096 bytes) and so is the row count (1,000,000 per request; 413 beyond, what came before is posted).
import type { IncomingMessage, ServerResponse } from "node:http";

import { ROOT_PERMISSIONS } from "../auth/permissions";
import type { TokenVerifier } from "../auth/token-verifier";
import { importLegacyAccounts } from "../services/accounts/import-legacy-accounts";
import { ExchangeCollector } from "../services/audit/exchange-collector";
import { newExchangeScope } from "../services/audit/exchange-scope";
import type { HubServices } from "../services/hub-services";
import { bearerToken, headerValue, sendError, sendJson } from "./http-io";

export async function handleLegacyImport(
  req: IncomingMessage,
  res: ServerResponse,
  hub: HubServices,
  verifier: TokenVerifier,
  requestId: string,
): Promise<void> {
  const token = bearerToken(req);
  if (!token) return sendError(res, 401, "UNAUTHENTICATED", "请先登录（缺少访问令牌）");
  let viewer;
  try {
    viewer = await verifier.verify(token, headerValue(req, "x-hub-purpose"));
  } catch {
    return sendError(res, 401, "UNAUTHENTICATED", "访问令牌无效或已过期");
  }
  if (!ROOT_PERMISSIONS.Mutation.importLegacyAccounts!.includes(viewer.role)) {
    return sendError(res, 403, "FORBIDDEN", "无权执行此操作");
  }
  const contentType = headerValue(req, "content-type") ?? "";
  if (!/^text\/csv\b/i.test(contentType)) return sendError(res, 415, "BAD_USER_INPUT", "请求体须为 text/csv");
  const key = headerValue(req, "idempotency-key");
  if (!key) return sendError(res, 400, "BAD_USER_INPUT", "缺少 idempotency-key 请求头");
  const at = new Date();
  // Each committed batch writes its exchange record in its own transaction, through this request's scope.
  const consumer = { role: viewer.role, org: viewer.org, sub: viewer.sub, purpose: viewer.purpose };
  const exchange = newExchangeScope(hub, requestId, at, new ExchangeCollector(), consumer);
  const actor = { sub: viewer.sub, role: viewer.role, org: viewer.org, requestId, exchange };
  const { result, truncated } = await importLegacyAccounts(hub, actor, key, req);
  // A center mutation: its exchange record is written before the answer leaves (rows counted, not indexed one by one).
  await hub.exchangeLog.append({
    at,
    consumerRole: viewer.role,
    consumerOrg: viewer.org,
    consumerSub: viewer.sub,
    operation: "importLegacyAccounts",
    purpose: viewer.purpose,
    requestId,
    subjectKeys: [],
    subjectCount: result.rows,
    resultSize: result.accepted,
    outcome: "OK",
  });
  if (truncated) {
    res.setHeader("connection", "close");
    const cut = result.errors.find((e) => e.code === "TOO_MANY_ROWS");
    return sendJson(res, 413, {
      errors: [
        { message: cut?.message ?? "too many rows", extensions: { code: "BAD_USER_INPUT", reason: "TOO_MANY_ROWS" } },
      ],
      result,
    });
  }
  sendJson(res, 200, result);
}
