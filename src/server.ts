// The HTTP server: /graphql (Apollo), GraphiQL (bundled, off in production), /healthz, /readyz and the
// streaming bank import. Shuts down gracefully: stops accepting, lets in-flight requests finish.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { ApolloServer, HeaderMap } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDisableSuggestions } from "@apollo/server/plugin/disableSuggestions";
import type { GraphQLSchema } from "graphql";

import type { TokenVerifier } from "./auth/token-verifier";
import { type HubContext, RequestContext } from "./context";
import { answersWithin } from "./db/database";
import { isDatabaseUnavailable } from "./db/database-unavailable";
import { databaseUnavailable, formatError } from "./errors";
import { compiledExecution, type CompiledExecutionStats } from "./graphql/compiled-execution";
import { errorLogPlugin } from "./graphql/error-log.plugin";
import { exchangeLogPlugin } from "./graphql/exchange-log.plugin";
import { aliasLimitRule, depthLimitRule } from "./graphql/limits";
import { AdmissionGate, mutationAdmissionPlugin } from "./graphql/mutation-admission.plugin";
import { requestCostPlugin } from "./graphql/request-cost.plugin";
import { handleBankImport } from "./http/bank-import.route";
import { handleBankPayoutImport } from "./http/bank-payout-import.route";
import {
  applyConnectionLimits,
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  guardBodyDeadline,
  guardBodyIdle,
  serverOptionsFor,
} from "./http/connection-guards";
import { graphiqlAsset, graphiqlPage } from "./http/graphiql.page";
import { bearerToken, BodyTooLargeError, headerValue, readBodyBytes, sendError, sendJson } from "./http/http-io";
import { handleLegacyImport } from "./http/legacy-import.route";
import type { HubMetrics } from "./http/prometheus";
import type { HubRateLimiter } from "./http/rate-limit";
import { decodeUtf8, GRAPHQL_LIMITS, graphqlRequestProblem } from "./http/request-guards";
import { ExchangeCollector } from "./services/audit/exchange-collector";
import { newExchangeScope } from "./services/audit/exchange-scope";
import type { HubServices } from "./services/hub-services";

export interface ServerOptions {
  schema: GraphQLSchema;
  hub: HubServices;
  verifier: TokenVerifier;
  production: boolean;
  debugErrors: boolean;
  ready: () => Promise<boolean>;
  /** Benchmarks only (never configurable from the environment): measure a request without its exchange record. */
  benchmarkWithoutExchangeLog?: boolean;
  /** Rate limits per address and consumer (issue 11); none when absent. */
  rateLimiter?: HubRateLimiter;
  /** Connection cap and slow-client timeouts (defaults: DEFAULT_CONNECTION_LIMITS). */
  connectionLimits?: ConnectionLimits;
  /** Prometheus metrics: every request counted and timed, every GraphQL operation timed (absent: none). */
  metrics?: HubMetrics;
  /** graphql-jit for often-seen queries (decision 023); default on. `false` executes everything with graphql-js. */
  compiledExecution?: boolean | { compileAfter?: number };
  /** At most this many mutations execute at once, the others wait their turn (decision 029); absent: no cap. */
  maxConcurrentMutations?: number;
  /** Extra routes (the dashboard, later issues), tried before the 404. */
  routes?: ((req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>)[];
}

export interface HubServer {
  server: Server;
  url: string;
  /** How queries were executed (compiled or graphql-js); absent when compiled execution is off. */
  execution?: CompiledExecutionStats;
  /** The cap on mutations executing at once (decision 029); absent when there is none. */
  admission?: AdmissionGate;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, waits up to graceMs for requests in flight, then cuts the rest and says which. */
  close(graceMs: number): Promise<{ cut: CutRequest[] }>;
}

/** A request still running when the shutdown grace period ran out. */
export interface CutRequest {
  method: string;
  path: string;
  requestId: string;
}

/** /readyz answers within this, whatever the database does. */
const READY_WITHIN_MS = 900;

/** GraphQL bodies up to 6 MB: a 5 MB CSV inside a JSON string, with room for escaping. */
export const MAX_GRAPHQL_BODY_BYTES = 6 * 1024 * 1024;

/** A client's own request id is kept for logs only if it is short visible ASCII (no spaces, controls or unicode). */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * The hub's id of a request is always its own (a client could otherwise reuse one id for many requests, or pick
 * another request's id, and confuse the logs and the exchange log). A well-formed x-request-id of the client is
 * kept beside it as `clientRequestId` (logs only; answered back in x-client-request-id).
 */
export function requestIdsOf(req: IncomingMessage): { requestId: string; clientRequestId: string | undefined } {
  const given = headerValue(req, "x-request-id");
  return { requestId: randomUUID(), clientRequestId: given && CLIENT_REQUEST_ID.test(given) ? given : undefined };
}

/** The ids a response carries, for a log line about it. */
function requestIdsFor(res: ServerResponse): { requestId?: string; clientRequestId?: string } {
  const requestId = res.getHeader("x-request-id");
  const clientRequestId = res.getHeader("x-client-request-id");
  return {
    ...(typeof requestId === "string" ? { requestId } : {}),
    ...(typeof clientRequestId === "string" ? { clientRequestId } : {}),
  };
}

export async function createHubServer(options: ServerOptions): Promise<HubServer> {
  const { hub, verifier } = options;
  const limits = options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS;
  const compiled =
    options.compiledExecution === false
      ? undefined
      : compiledExecution(
          options.schema,
          typeof options.compiledExecution === "object" ? options.compiledExecution : {},
        );
  const admission = options.maxConcurrentMutations ? new AdmissionGate(options.maxConcurrentMutations) : undefined;
  const apollo = new ApolloServer<HubContext>({
    ...(compiled ? { gateway: compiled.gateway } : { schema: options.schema }),
    introspection: !options.production,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT (drain requests, close PGlite, release the folder lock). Apollo's own handler
    // (on by default outside NODE_ENV=test) re-raises the signal once Apollo stops, killing the process mid-shutdown.
    stopOnTerminationSignals: false,
    validationRules: [depthLimitRule(), aliasLimitRule()],
    parseOptions: { maxTokens: GRAPHQL_LIMITS.parseMaxTokens },
    formatError: (formatted, error) => {
      const safe = formatError(formatted, error, options.debugErrors);
      // ApolloServerPluginDisableSuggestions cleans validation errors only; variable coercion errors
      // ("… enum. Did you mean the enum value …?") would still reveal the schema in production.
      return options.production ? { ...safe, message: safe.message.replace(/ ?Did you mean(.+?)\?$/, "") } : safe;
    },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // The hub sets no cache hints; Apollo's default cache-control plugin wrapped every field's resolver to collect
      // them (a tax page has 18,000 Money fields).
      ApolloServerPluginCacheControlDisabled(),
      requestCostPlugin(),
      errorLogPlugin(),
      ...(admission ? [mutationAdmissionPlugin(admission)] : []),
      ...(options.benchmarkWithoutExchangeLog ? [] : [exchangeLogPlugin()]),
      ...(options.metrics ? [options.metrics.graphqlPlugin()] : []),
      ...(options.production ? [ApolloServerPluginDisableSuggestions()] : []),
    ],
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => hub.logger.warn(m),
      error: (m) => hub.logger.error(m),
    },
  });
  await apollo.start();

  async function graphql(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    clientRequestId: string | undefined,
  ): Promise<void> {
    const startedAt = new Date();
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    if (/%00/.test(url.search)) return sendError(res, 400, "BAD_USER_INPUT", "请求含有不允许的空字符 (NUL character)");
    let body: unknown = undefined;
    if (req.method === "POST") {
      guardBodyDeadline(req, limits.graphqlBodyTimeoutMs);
      const text = decodeUtf8(await readBodyBytes(req, MAX_GRAPHQL_BODY_BYTES));
      if (text === null) return sendError(res, 400, "BAD_USER_INPUT", "请求体不是合法的 UTF-8 (invalid UTF-8)");
      // No field of the hub takes a NUL character and PostgreSQL text cannot hold one: refuse it up front.
      if (text.includes("\u0000") || /\\u0000/i.test(text))
        return sendError(res, 400, "BAD_USER_INPUT", "请求含有不允许的空字符 (NUL character)");
      const type = headerValue(req, "content-type") ?? "";
      if (/^application\/(graphql-response\+)?json\b/i.test(type)) {
        try {
          body = JSON.parse(text);
        } catch {
          return sendError(res, 400, "BAD_USER_INPUT", "请求体不是合法的 JSON (malformed JSON body)");
        }
      } else {
        body = text;
      }
    }
    const problem = graphqlRequestProblem(body, url.searchParams);
    if (problem) return sendError(res, problem.status, problem.code, problem.message);
    const exchange = new ExchangeCollector();
    // The exchange scope lets a mutation's transaction write the request's record itself (exchange-scope.ts); the
    // context hands it to the services through the actor.
    const scope = options.benchmarkWithoutExchangeLog
      ? undefined
      : newExchangeScope(hub, requestId, startedAt, exchange);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => {
        const token = bearerToken(req);
        const viewer = token === undefined ? null : await verifier.verify(token, headerValue(req, "x-hub-purpose"));
        if (viewer && scope)
          scope.consumer = { role: viewer.role, org: viewer.org, sub: viewer.sub, purpose: viewer.purpose };
        if (viewer) await options.rateLimiter?.admitConsumer(viewer, res);
        return new RequestContext(viewer, hub, requestId, startedAt, exchange, clientRequestId, scope);
      },
    });
    const outHeaders: Record<string, string> = { "x-request-id": requestId };
    for (const [k, v] of response.headers) outHeaders[k] = v;
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === "complete") {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://hub.local");
    const { requestId, clientRequestId } = requestIdsOf(req);
    res.setHeader("x-request-id", requestId);
    if (clientRequestId) res.setHeader("x-client-request-id", clientRequestId);
    if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (url.pathname === "/readyz") {
      // Within a second, whatever the database does: a silent one is "not ready" (503), never a hung probe.
      const ready = await answersWithin(options.ready, READY_WITHIN_MS);
      return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready" });
    }
    if (options.rateLimiter && !(await options.rateLimiter.admitAddress(req, res))) return;
    guardBodyIdle(req, limits);
    if (url.pathname === "/graphql") {
      const wantsPage =
        req.method === "GET" &&
        !url.searchParams.has("query") &&
        (headerValue(req, "accept") ?? "").includes("text/html");
      if (wantsPage && !options.production) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return void res.end(graphiqlPage());
      }
      return graphql(req, res, url, requestId, clientRequestId);
    }
    if (url.pathname === "/graphiql" && !options.production) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return void res.end(graphiqlPage());
    }
    if (url.pathname.startsWith("/graphiql/assets/") && !options.production) {
      const asset = graphiqlAsset(url.pathname.slice("/graphiql/assets/".length));
      if (asset) {
        res.writeHead(200, { "content-type": asset.type, "cache-control": "public, max-age=86400" });
        return void res.end(asset.body);
      }
    }
    if (url.pathname === "/imports/bank-collection" && req.method === "POST") {
      return handleBankImport(req, res, { hub, verifier, requestId, rateLimiter: options.rateLimiter });
    }
    if (url.pathname === "/imports/bank-payouts" && req.method === "POST") {
      return handleBankPayoutImport(req, res, { hub, verifier, requestId, rateLimiter: options.rateLimiter });
    }
    if (url.pathname === "/imports/legacy-accounts" && req.method === "POST") {
      return handleLegacyImport(req, res, hub, verifier, requestId);
    }
    for (const extra of options.routes ?? []) if (await extra(req, res, url)) return;
    sendError(res, 404, "NOT_FOUND", "not found");
  }

  const inFlight = new Map<ServerResponse, CutRequest>();
  let idle: (() => void) | null = null;
  const server = createServer(serverOptionsFor(limits), (req, res) => {
    options.metrics?.track(req, res);
    inFlight.set(res, { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]!, requestId: "" });
    res.on("close", () => {
      inFlight.delete(res);
      if (inFlight.size === 0) idle?.();
    });
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        res.setHeader("connection", "close");
        return sendError(res, 413, "BAD_USER_INPUT", "请求体过大 request body too large");
      }
      if (isDatabaseUnavailable(error) && !res.headersSent) {
        hub.logger.warn({ err: error, ...requestIdsFor(res) }, "database unavailable");
        return sendError(res, 503, "CONNECTOR_UNAVAILABLE", databaseUnavailable().message);
      }
      hub.logger.error({ err: error, ...requestIdsFor(res) }, "request failed");
      if (!res.headersSent) sendError(res, 500, "INTERNAL_SERVER_ERROR", "服务器内部错误 internal server error");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  applyConnectionLimits(server, limits);

  const hubServer: HubServer = {
    server,
    url: "",
    execution: compiled?.stats,
    ...(admission ? { admission } : {}),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          hubServer.url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
          resolve(hubServer.url);
        });
      }),
    close: async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight.size > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      const cut = [...inFlight.entries()].map(([res, r]) => ({
        ...r,
        requestId: String(res.getHeader("x-request-id") ?? ""),
      }));
      server.closeAllConnections();
      await closed;
      await apollo.stop();
      return { cut };
    },
  };
  return hubServer;
}
