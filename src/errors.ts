// The closed list of error codes a client can see, the typed errors that carry them, and formatError,
// which turns anything else into a generic INTERNAL_SERVER_ERROR (no stack, no SQL, no connector body).
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";

import { ConnectorUnavailableError } from "./connectors/connector.errors";
import { isDatabaseUnavailable } from "./db/database-unavailable";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "CONNECTOR_UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const HTTP_STATUS: Record<ErrorCode, number | undefined> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: undefined,
  BAD_USER_INPUT: undefined,
  NOT_FOUND: undefined,
  CONFLICT: undefined,
  RATE_LIMITED: 429,
  CONNECTOR_UNAVAILABLE: undefined,
  INTERNAL_SERVER_ERROR: undefined,
};

export class HubError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status } } : {}) } });
  }
}

export const unauthenticated = (why = "请先登录（缺少或无效的访问令牌） authentication required") =>
  new HubError("UNAUTHENTICATED", why);
export const forbidden = () => new HubError("FORBIDDEN", "无权执行此操作 not allowed for this role");
export const badInput = (message: string, field?: string) =>
  new HubError("BAD_USER_INPUT", message, field ? { field } : {});
export const connectorUnavailable = (connector: string) =>
  new HubError("CONNECTOR_UNAVAILABLE", `外部系统暂不可用，请稍后重试 (${connector} unavailable)`, { connector });

/** Apollo's own codes for malformed requests fold into the contract's BAD_USER_INPUT. */
const FOLDED: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: "BAD_USER_INPUT",
  GRAPHQL_VALIDATION_FAILED: "BAD_USER_INPUT",
  BAD_REQUEST: "BAD_USER_INPUT",
  OPERATION_RESOLUTION_FAILURE: "BAD_USER_INPUT",
  PERSISTED_QUERY_NOT_FOUND: "BAD_USER_INPUT",
  PERSISTED_QUERY_NOT_SUPPORTED: "BAD_USER_INPUT",
};

export const databaseUnavailable = () =>
  new HubError("CONNECTOR_UNAVAILABLE", "数据库暂不可用，请稍后用同一幂等键重试 (database unavailable, retry)", {
    connector: "database",
  });

export function formatError(formatted: GraphQLFormattedError, error: unknown, debug: boolean): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isDatabaseUnavailable(original)) {
    const mapped = databaseUnavailable();
    return {
      message: mapped.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: mapped.extensions,
    };
  }
  if (original instanceof ConnectorUnavailableError) {
    const mapped = connectorUnavailable(original.connector);
    return {
      message: mapped.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "CONNECTOR_UNAVAILABLE", connector: original.connector },
    };
  }
  const raw = formatted.extensions?.code;
  const code = typeof raw === "string" ? (FOLDED[raw] ?? raw) : undefined;
  if (code && (ERROR_CODES as readonly string[]).includes(code) && code !== "INTERNAL_SERVER_ERROR") {
    const { stacktrace: _stack, exception: _exception, ...rest } = formatted.extensions ?? {};
    void _stack;
    void _exception;
    return { ...formatted, extensions: { ...rest, code } };
  }
  return {
    message: "服务器内部错误 internal server error",
    locations: formatted.locations,
    path: formatted.path,
    extensions: {
      code: "INTERNAL_SERVER_ERROR",
      ...(debug ? { debug: String((error as Error)?.message ?? error) } : {}),
    },
  };
}
