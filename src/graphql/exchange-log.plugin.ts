// Writes the exchange record of a request before its answer is released: every agency call (allowed or not),
// every center mutation, and every center read that touched a person. A mutation whose write committed already
// has its record, inserted in its own transaction (exchange-scope.ts); refused, replayed and failed mutations get
// theirs here. If the record cannot be written, the answer is withheld (INTERNAL_SERVER_ERROR): no data leaves
// without its record, and only this request fails (the writer retries a failed batch record by record).
//
// An agency read whose persons are named in its arguments (rentalEligibility, taxDeductions) has its record written
// ahead: its resolver calls recordReadAhead before it reads, so the record's insert travels with the read instead
// of after it, and the answer waits for both (decision 047). Only for a query of one top-level field, so that the
// record ahead is the request's whole record. If the answer then carries errors, or touched more than the record
// ahead said, a second record with the same request id follows it, as a record written after the read would.
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";

import { AGENCY_ROLES, CENTER_ROLES, type Viewer } from "../auth/viewer";
import type { HubContext } from "../context";
import { isDatabaseUnavailable } from "../db/database-unavailable";
import { databaseUnavailable } from "../errors";
import type { ExchangeEntry } from "../services/audit/exchange-record.insert";
import { addToResultSize } from "./result-size";

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

/** The record of the request as collected so far. */
function entryOf(
  ctx: HubContext,
  viewer: Viewer,
  operation: string,
  resultSize: number,
  outcome: ExchangeEntry["outcome"],
): ExchangeEntry {
  return {
    at: ctx.startedAt,
    consumerRole: viewer.role,
    consumerOrg: viewer.org,
    consumerSub: viewer.sub,
    operation,
    purpose: viewer.purpose,
    requestId: ctx.requestId,
    subjectKeys: [...ctx.exchange.idNumbers].map(ctx.hub.subjectKey),
    subjectCount: ctx.exchange.subjectCount,
    resultSize,
    outcome,
  };
}

/** An agency query of exactly one top-level field (no fragment, no second field or alias): its record may go ahead. */
function mayRecordAhead(ctx: HubContext, operation: OperationDefinitionNode): boolean {
  const selections = operation.selectionSet.selections;
  return (
    operation.operation === "query" &&
    ctx.viewer !== null &&
    AGENCY_ROLES.has(ctx.viewer.role) &&
    selections.length === 1 &&
    selections[0]!.kind === Kind.FIELD &&
    !selections[0]!.name.value.startsWith("__")
  );
}

/**
 * Called by an agency read that answers one item per ID number asked, once its request is found valid and just
 * before it reads: the persons asked are touched, the answers counted, and the request's record sent now, so that it
 * commits while the read runs. Sends nothing when the request's record cannot go ahead (several fields, not an
 * agency, the exchange log off, already sent): willSendResponse then writes it after the read.
 */
export function recordReadAhead(ctx: HubContext, idNumbers: readonly string[]): void {
  ctx.exchange.touch(idNumbers);
  addToResultSize(ctx.exchange, idNumbers.length);
  const operation = ctx.exchange.aheadOperation;
  if (!operation || !ctx.viewer || ctx.exchange.ahead) return;
  const entry = entryOf(ctx, ctx.viewer, operation, ctx.exchange.resultSize, "OK");
  const written = ctx.hub.exchangeLog.append(entry);
  written.catch(() => {}); // awaited in willSendResponse; a failure is handled there
  ctx.exchange.ahead = { subjectCount: entry.subjectCount, resultSize: entry.resultSize, written };
}

export function exchangeLogPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue: ctx, operation }) {
          if (operation && mayRecordAhead(ctx, operation)) ctx.exchange.aheadOperation = operationName(operation);
        },
        async willSendResponse({ contextValue: ctx, operation, response, errors }) {
          const isMutation = operation?.operation === "mutation";
          if (!ctx.viewer || !shouldRecord(ctx, isMutation)) return;
          if (isMutation && (ctx.scope?.committed ?? 0) > 0) return; // recorded with its write
          const single = response.body.kind === "single" ? response.body.singleResult : null;
          const failed = (errors?.length ?? 0) > 0 || (single?.errors?.length ?? 0) > 0;
          const resultSize = failed && !single?.data ? 0 : ctx.exchange.resultSize;
          const ahead = ctx.exchange.ahead;
          try {
            if (ahead) {
              await ahead.written;
              const said = ahead.subjectCount === ctx.exchange.subjectCount && ahead.resultSize === resultSize;
              if (!failed && said) return;
            }
            await ctx.hub.exchangeLog.append(
              entryOf(ctx, ctx.viewer, operationName(operation), resultSize, failed ? "ERROR" : "OK"),
            );
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
