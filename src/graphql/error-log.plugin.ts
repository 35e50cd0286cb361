// Every error the client sees only as INTERNAL_SERVER_ERROR is logged in full with its request id, so an operator
// can find what a client reports ("request 3f2a… failed") without the answer revealing anything.
import type { ApolloServerPlugin } from "@apollo/server";

import type { HubContext } from "../context";
import { formatError } from "../errors";

export function errorLogPlugin(): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue: ctx, errors }) {
          for (const error of errors) {
            const shown = formatError({ message: error.message, extensions: error.extensions }, error, false);
            if (shown.extensions?.code !== "INTERNAL_SERVER_ERROR") continue;
            ctx.logger.error(
              { err: error.originalError ?? error, requestId: ctx.requestId, path: error.path },
              "internal error masked in the answer",
            );
          }
        },
      };
    },
  };
}
