// POST /imports/bank-collection: a bank result file of any size, streamed line by line (text/csv body),
// with the same bearer token rules as the GraphQL mutation and the idempotency key in a header.
import type { IncomingMessage, ServerResponse } from "node:http";

import { ROOT_PERMISSIONS } from "../auth/permissions";
import type { TokenVerifier } from "../auth/token-verifier";
import { HubError } from "../errors";
import { ExchangeCollector } from "../services/audit/exchange-collector";
import { newExchangeScope, runInExchangeScope } from "../services/audit/exchange-scope";
import { BoundedLines } from "../services/deposits/bank-file-lines";
import { runBankImport } from "../services/deposits/bank-import.service";
import type { HubServices } from "../services/hub-services";
import { bearerToken, headerValue, sendError, sendJson } from "./http-io";
import type { HubRateLimiter } from "./rate-limit";

export async function handleBankImport(
  req: IncomingMessage,
  res: ServerResponse,
  hub: HubServices,
  verifier: TokenVerifier,
  requestId: string,
  rateLimiter?: HubRateLimiter,
): Promise<void> {
  const token = bearerToken(req);
  if (!token) return sendError(res, 401, "UNAUTHENTICATED", "请先登录（缺少访问令牌）");
  let viewer;
  try {
    viewer = await verifier.verify(token, headerValue(req, "x-hub-purpose"));
  } catch {
    return sendError(res, 401, "UNAUTHENTICATED", "访问令牌无效或已过期");
  }
  try {
    await rateLimiter?.admitConsumer(viewer, res);
  } catch (e) {
    if (e instanceof HubError) return sendError(res, 429, "RATE_LIMITED", e.message);
    throw e;
  }
  if (!ROOT_PERMISSIONS.Mutation.importBankCollection!.includes(viewer.role)) {
    return sendError(res, 403, "FORBIDDEN", "无权执行此操作");
  }
  const contentType = headerValue(req, "content-type") ?? "";
  if (!/^text\/csv\b/i.test(contentType)) return sendError(res, 415, "BAD_USER_INPUT", "请求体须为 text/csv");
  const key = headerValue(req, "idempotency-key");
  if (!key) return sendError(res, 400, "BAD_USER_INPUT", "缺少 idempotency-key 请求头");
  req.setEncoding("utf8");
  // Bounded lines (issue 11 finding 5): reading stops at a line over MAX_LINE_CHARS or past the row limit.
  const lines = new BoundedLines(req as AsyncIterable<string>);
  const at = new Date();
  // Each committed batch writes its exchange record in its own transaction, through this request's scope.
  const consumer = { role: viewer.role, org: viewer.org, sub: viewer.sub, purpose: viewer.purpose };
  const scope = newExchangeScope(hub, requestId, at, new ExchangeCollector(), consumer);
  const actor = { sub: viewer.sub, role: viewer.role, org: viewer.org, requestId };
  const result = await runInExchangeScope(scope, () => runBankImport(hub, actor, key, lines));
  // A center mutation: its exchange record is written before the answer leaves (rows counted, not indexed one by one).
  await hub.exchangeLog.append({
    at,
    consumerRole: viewer.role,
    consumerOrg: viewer.org,
    consumerSub: viewer.sub,
    operation: "importBankCollection",
    purpose: viewer.purpose,
    requestId,
    subjectKeys: [],
    subjectCount: result.rows,
    resultSize: result.accepted,
    outcome: "OK",
  });
  if (lines.overflow) {
    // What came before the bad line is imported (and recorded above); the rest of the body is not read.
    const { code, line, message } = lines.overflow;
    res.setHeader("connection", "close");
    return sendJson(res, 413, {
      errors: [{ message, extensions: { code: "BAD_USER_INPUT", reason: code, line } }],
      result,
    });
  }
  sendJson(res, 200, result);
}
