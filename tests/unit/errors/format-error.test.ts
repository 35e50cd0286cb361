// formatError: the last stop before a client. Known codes pass (without stack traces), Apollo's own request
// codes fold into BAD_USER_INPUT, and anything else becomes a generic INTERNAL_SERVER_ERROR.
import { GraphQLError, type GraphQLFormattedError } from "graphql";

import { ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { ERROR_CODES, formatError, HubError } from "../../../src/errors";

const GENERIC = "服务器内部错误 internal server error";

/** What Apollo hands formatError for an error thrown in a resolver at `path`. */
function fromResolver(original: Error, extensions: Record<string, unknown> = { code: "INTERNAL_SERVER_ERROR" }) {
  const error = new GraphQLError(original.message, { path: ["account"], originalError: original });
  const formatted: GraphQLFormattedError = {
    message: original.message,
    path: ["account"],
    locations: [{ line: 1, column: 3 }],
    extensions: { ...extensions, stacktrace: (original.stack ?? "").split("\n") },
  };
  return { formatted, error };
}

describe("formatError", () => {
  it("turns an unknown error into INTERNAL_SERVER_ERROR with a generic message and no stack trace", () => {
    const { formatted, error } = fromResolver(
      new Error('insert or update on table "Posting" violates foreign key constraint; SELECT * FROM "Account"'),
    );
    const out = formatError(formatted, error, false);
    expect(out).toEqual({
      message: GENERIC,
      path: ["account"],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(JSON.stringify(out)).not.toMatch(/stack|SELECT|Posting|at .*\.ts/);
  });

  it("treats a code outside the closed list, or no code at all, as internal", () => {
    for (const extensions of [{ code: "P2002" }, { code: "ECONNREFUSED" }, {}, { code: 42 }]) {
      const out = formatError({ message: "secret detail", extensions }, new Error("secret detail"), false);
      expect(out).toEqual({ message: GENERIC, extensions: { code: "INTERNAL_SERVER_ERROR" } });
    }
  });

  it("never passes an INTERNAL_SERVER_ERROR's own message through, even when it is a HubError", () => {
    const hubError = new HubError("INTERNAL_SERVER_ERROR", 'relation "Account" does not exist');
    const out = formatError(
      { message: hubError.message, extensions: { code: "INTERNAL_SERVER_ERROR" } },
      hubError,
      false,
    );
    expect(out.message).toBe(GENERIC);
  });

  it("adds the original message as `debug` only when debug output is switched on", () => {
    const { formatted, error } = fromResolver(new Error("boom in the ledger"));
    expect(formatError(formatted, error, true).extensions).toEqual({
      code: "INTERNAL_SERVER_ERROR",
      debug: "boom in the ledger",
    });
    expect(formatError(formatted, error, false).extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
  });

  it.each(ERROR_CODES.filter((c) => c !== "INTERNAL_SERVER_ERROR"))(
    "passes %s through with its message and extra fields, minus the stack trace",
    (code) => {
      const formatted: GraphQLFormattedError = {
        message: "金额超出上限",
        path: ["recordDeposit"],
        extensions: {
          code,
          field: "amount",
          stacktrace: ["Error: x", "    at f (/work/main/src/x.ts:1:1)"],
          exception: { stacktrace: ["y"] },
        },
      };
      const out = formatError(formatted, new HubError(code, "金额超出上限"), false);
      expect(out).toEqual({ message: "金额超出上限", path: ["recordDeposit"], extensions: { code, field: "amount" } });
    },
  );

  it.each([
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
    "BAD_REQUEST",
    "OPERATION_RESOLUTION_FAILURE",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_SUPPORTED",
  ])("folds Apollo's %s into BAD_USER_INPUT and keeps the message", (code) => {
    const message = 'Cannot query field "nope" on type "Query".';
    const out = formatError(
      { message, locations: [{ line: 1, column: 3 }], extensions: { code, stacktrace: ["GraphQLError: …"] } },
      new GraphQLError(message),
      false,
    );
    expect(out).toEqual({ message, locations: [{ line: 1, column: 3 }], extensions: { code: "BAD_USER_INPUT" } });
  });

  it("maps a connector failure to CONNECTOR_UNAVAILABLE without the agency's answer", () => {
    const { formatted, error } = fromResolver(
      new ConnectorUnavailableError(
        "national-platform",
        'HTTP 503 from national platform: {"idNumber":"140502199005170013"}',
        { status: 503 },
      ),
    );
    const out = formatError(formatted, error, false);
    expect(out.extensions).toEqual({ code: "CONNECTOR_UNAVAILABLE", connector: "national-platform" });
    expect(out.path).toEqual(["account"]);
    expect(JSON.stringify(out)).not.toMatch(/503|idNumber|1405021990|stack/);
  });
});
