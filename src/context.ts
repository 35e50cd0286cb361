// The per-request context: who is calling, the hub's services, per-request loaders, a request id and logger.
import DataLoader from "dataloader";
import type { Logger } from "pino";

import type { Viewer } from "./auth/viewer";
import { type AccountView, accountViewsByNumber } from "./services/accounts/account-view";
import { ExchangeCollector } from "./services/audit/exchange-collector";
import type { Actor, HubServices } from "./services/hub-services";
import { loansOfAccounts, type LoanView } from "./services/loans/loan-book";
import { bansByAccountNumber, type FraudBanView } from "./services/risk/fraud-bans";

export interface HubContext {
  viewer: Viewer | null;
  hub: HubServices;
  requestId: string;
  startedAt: Date;
  logger: Logger;
  /** What this request touched, for its exchange record. */
  exchange: ExchangeCollector;
  loaders: {
    accountByNumber: DataLoader<string, AccountView | null>;
    /** Fraud bans of each account's holder (Account.bans), one statement per batch. */
    bansByAccount: DataLoader<string, FraudBanView[]>;
    loansByAccount: DataLoader<string, LoanView[]>;
  };
}

export function createLoaders(hub: HubServices): HubContext["loaders"] {
  return {
    accountByNumber: new DataLoader(async (numbers: readonly string[]) => {
      const views = await accountViewsByNumber(hub.reads, numbers);
      return numbers.map((n) => views.get(n) ?? null);
    }),
    bansByAccount: new DataLoader(async (numbers: readonly string[]) => {
      const bans = await bansByAccountNumber(hub.prisma, numbers);
      return numbers.map((n) => bans.get(n) ?? []);
    }),
    loansByAccount: new DataLoader(async (numbers: readonly string[]) => {
      const loans = await loansOfAccounts(hub.prisma, numbers);
      return numbers.map((n) => loans.get(n) ?? []);
    }),
  };
}

/** The acting identity for services: the verified viewer plus the request id. */
export function actorOf(ctx: HubContext): Actor {
  const v = ctx.viewer!;
  return { sub: v.sub, role: v.role, org: v.org, requestId: ctx.requestId, purpose: v.purpose ?? undefined };
}
