// Writes the exchange record of a request before its answer is released: every agency call (allowed or not),
// every center mutation, and every center read that touched a person. A mutation whose write committed already
// has its record, inserted in its own transaction (exchange-scope.ts); refused, replayed and failed mutations get
// theirs here. If the record cannot be written, the answer is withheld (INTERNAL_SERVER_ERROR): no data leaves
// without its record, and only this request fails (the writer retries a failed batch record by record).
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";

import { AGENCY_ROLES, CENTER_ROLES } from "../auth/viewer";
import type { HubContext } from "../context";
import { isDatabaseUnavailable } from "../db/database-unavailable";
import { databaseUnavailable } from "../errors";
import { currentExchangeScope } from "../services/audit/exchange-scope";

function operationName(operation: OperationDefinitionNode | undefined | null): string {
  if (!operation) return "(invalid)";
  const fields = operation.selectionSet.selections
    .filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith("__"))
    .map((s) => (s.kind === Kind.FIELD ? s.name.value : ""));
  return fields.length > 0 ? [...new Set(fields)].join(",").slice(0, 200) : "(introspection)";
}

export function shouldRecord(ctx: HubContext, isMutation: boolean): boolean {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (AGENCY_ROLES.has(viewer.role)) return true;
  if (isMutation) return true;
  return CENTER_ROLES.has(viewer.role) && ctx.exchange.subjectCount > 0;
}

export function exchangeLogPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, operation, response, errors }) {
          const isMutation = operation?.operation === "mutation";
          if (!ctx.viewer || !shouldRecord(ctx, isMutation)) return;
          if (isMutation && (currentExchangeScope()?.committed ?? 0) > 0) return; // recorded with its write
          const single = response.body.kind === "single" ? response.body.singleResult : null;
          const failed = (errors?.length ?? 0) > 0 || (single?.errors?.length ?? 0) > 0;
          try {
            await ctx.hub.exchangeLog.append({
              at: ctx.startedAt,
              consumerRole: ctx.viewer.role,
              consumerOrg: ctx.viewer.org,
              consumerSub: ctx.viewer.sub,
              operation: operationName(operation),
              purpose: ctx.viewer.purpose,
              requestId: ctx.requestId,
              subjectKeys: [...ctx.exchange.idNumbers].map(ctx.hub.subjectKey),
              subjectCount: ctx.exchange.subjectCount,
              resultSize: failed && !single?.data ? 0 : ctx.exchange.resultSize,
              outcome: failed ? "ERROR" : "OK",
            });
          } catch (e) {
            ctx.logger.error({ err: e }, "exchange record not written: answer withheld");
            // The database being away is a typed, retryable failure (same idempotency key), not an internal error.
            const away = isDatabaseUnavailable(e) ? databaseUnavailable() : null;
            response.http.status = away ? 503 : 500;
            response.body = {
              kind: "single",
              singleResult: {
                errors: [
                  away
                    ? { message: away.message, extensions: away.extensions }
                    : {
                        message: "服务器内部错误 internal server error",
                        extensions: { code: "INTERNAL_SERVER_ERROR" },
                      },
                ],
              },
            };
          }
        },
      };
    },
  };
}
