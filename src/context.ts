// The per-request context: who is calling, the hub's services, per-request loaders, a request id and logger.
import DataLoader from "dataloader";
import type { Logger } from "pino";

import type { Viewer } from "./auth/viewer";
import {
  type AccountView,
  accountViewsByNumber,
  accountViewsWithEntries,
  type AccountWithEntries,
} from "./services/accounts/account-view";
import { type EntryPage, entryPagesByNumber, type PageRequest } from "./services/accounts/ledger-entries";
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
    /** `account { entries }`: the view and one page of its entries, one statement per page request (decision 027). */
    accountWithEntries: DataLoader<AccountPage, AccountWithEntries | null, string>;
    /** Account.entries of any other parent: one statement per page request. */
    entryPages: DataLoader<AccountPage, EntryPage, string>;
    /** Fraud bans of each account's holder (Account.bans), one statement per batch. */
    bansByAccount: DataLoader<string, FraudBanView[]>;
    loansByAccount: DataLoader<string, LoanView[]>;
  };
}

/** An account number and the page of its entries asked for. */
export interface AccountPage extends PageRequest {
  accountNumber: string;
}

const pageKey = (k: AccountPage) => `${k.first}:${k.before ?? ""}:${k.accountNumber}`;

/** Loads a batch of keys with one call of `read` per distinct page request (usually exactly one). */
function byPage<V>(
  read: (numbers: string[], page: PageRequest) => Promise<Map<string, V>>,
  missing: V,
): DataLoader<AccountPage, V, string> {
  return new DataLoader(
    async (keys: readonly AccountPage[]) => {
      const groups = new Map<string, { page: PageRequest; numbers: string[] }>();
      for (const k of keys) {
        const id = `${k.first}:${k.before ?? ""}`;
        const group = groups.get(id) ?? { page: { first: k.first, before: k.before }, numbers: [] };
        group.numbers.push(k.accountNumber);
        groups.set(id, group);
      }
      const found = new Map<string, V>();
      for (const [id, group] of groups)
        for (const [n, v] of await read(group.numbers, group.page)) found.set(`${id}:${n}`, v);
      return keys.map((k) => found.get(pageKey(k)) ?? missing);
    },
    { cacheKeyFn: pageKey },
  );
}

export function createLoaders(hub: HubServices): HubContext["loaders"] {
  return {
    accountWithEntries: byPage<AccountWithEntries | null>(
      (numbers, page) => accountViewsWithEntries(hub.reads, numbers, page),
      null,
    ),
    entryPages: byPage<EntryPage>((numbers, page) => entryPagesByNumber(hub.reads, numbers, page), {
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    }),
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
