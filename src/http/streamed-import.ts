// The HTTP side of every streamed CSV import (POST /imports/bank-collection, /imports/bank-payouts; the legacy-accounts
// import is to use it too): the same bearer token rules as the GraphQL mutation, the consumer's rate limit, the
// idempotency key in a header, a text/csv body read as it arrives (never whole) by the streamed-import engine
// (src/services/imports/streamed-import.ts), each committed batch recorded in its own transaction through the
// request's exchange scope, and the request's own record before the answer leaves. A line over 4,096 characters or
// more than 1,000,000 rows stops reading: 413 with a JSON error and the result of what came before.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Role } from "../auth/role";
import type { TokenVerifier } from "../auth/token-verifier";
import { HubError } from "../errors";
import { ExchangeCollector } from "../services/audit/exchange-collector";
import { newExchangeScope } from "../services/audit/exchange-scope";
import type { Actor, HubServices } from "../services/hub-services";
import type { StreamedImportOutcome } from "../services/imports/streamed-import";
import { bearerToken, headerValue, sendError, sendJson } from "./http-io";
import type { HubRateLimiter } from "./rate-limit";

export interface StreamedImportRoute {
  /** The GraphQL mutation this route streams for (its exchange-log operation and permission). */
  operation: string;
  allowed: readonly Role[];
  run(hub: HubServices, actor: Actor, key: string, body: AsyncIterable<string>): Promise<StreamedImportOutcome>;
}

export interface StreamedImportContext {
  hub: HubServices;
  verifier: TokenVerifier;
  requestId: string;
  rateLimiter?: HubRateLimiter;
}

export async function handleStreamedImport(
  req: IncomingMessage,
  res: ServerResponse,
  { hub, verifier, requestId, rateLimiter }: StreamedImportContext,
  route: StreamedImportRoute,
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
  if (!route.allowed.includes(viewer.role)) return sendError(res, 403, "FORBIDDEN", "无权执行此操作");
  const contentType = headerValue(req, "content-type") ?? "";
  if (!/^text\/csv\b/i.test(contentType)) return sendError(res, 415, "BAD_USER_INPUT", "请求体须为 text/csv");
  const key = headerValue(req, "idempotency-key");
  if (!key) return sendError(res, 400, "BAD_USER_INPUT", "缺少 idempotency-key 请求头");
  req.setEncoding("utf8");
  const at = new Date();
  // Each committed batch writes its exchange record in its own transaction, through this request's scope.
  const consumer = { role: viewer.role, org: viewer.org, sub: viewer.sub, purpose: viewer.purpose };
  const exchange = newExchangeScope(hub, requestId, at, new ExchangeCollector(), consumer);
  const actor = { sub: viewer.sub, role: viewer.role, org: viewer.org, requestId, exchange };
  const { result, overflow } = await route.run(hub, actor, key, req as AsyncIterable<string>);
  // A center mutation: its exchange record is written before the answer leaves (rows counted, not indexed one by one).
  await hub.exchangeLog.append({
    at,
    consumerRole: viewer.role,
    consumerOrg: viewer.org,
    consumerSub: viewer.sub,
    operation: route.operation,
    purpose: viewer.purpose,
    requestId,
    subjectKeys: [],
    subjectCount: result.rows,
    resultSize: result.accepted,
    outcome: "OK",
  });
  if (overflow) {
    // What came before the bad line is imported (and recorded above); the rest of the body is not read.
    const { code, line, message } = overflow;
    res.setHeader("connection", "close");
    return sendJson(res, 413, {
      errors: [{ message, extensions: { code: "BAD_USER_INPUT", reason: code, line } }],
      result,
    });
  }
  sendJson(res, 200, result);
}
