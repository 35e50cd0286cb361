// The request context makes its logger and loaders on first use (decision 031), and stays lazy through Apollo's copy
// of the context (`Object.assign` into an object of the same prototype, ApolloServer.js cloneObject).
import pino from "pino";

import { RequestContext } from "../../../src/context";
import { ExchangeCollector } from "../../../src/services/audit/exchange-collector";
import type { HubServices } from "../../../src/services/hub-services";

function contextWithCountedLogger() {
  const base = pino({ level: "silent" });
  const made: Record<string, unknown>[] = [];
  const logger = Object.assign(Object.create(base) as typeof base, {
    child: (bindings: Record<string, unknown>) => {
      made.push(bindings);
      return base.child(bindings);
    },
  });
  const hub = { logger } as unknown as HubServices;
  const ctx = new RequestContext(null, hub, "req-1", new Date(), new ExchangeCollector(), "client-7");
  return { ctx, made };
}

it("makes no logger until one is asked for, also through Apollo's copy, and then one with the request's ids", () => {
  const { ctx, made } = contextWithCountedLogger();
  const copy = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as RequestContext, ctx);
  expect(made).toEqual([]);
  const first = copy.logger;
  expect(copy.logger).toBe(first);
  expect(made).toEqual([{ requestId: "req-1", clientRequestId: "client-7" }]);
});

it("makes a loader on its first use and keeps it for the request", () => {
  const { ctx } = contextWithCountedLogger();
  const loader = ctx.loaders.accounts;
  expect(ctx.loaders.accounts).toBe(loader);
  expect(ctx.loaders.entryPages).not.toBe(loader);
});
