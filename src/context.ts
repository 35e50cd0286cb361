// The per-request context: who is calling, the hub's services, per-request loaders, a request id and logger.
import DataLoader from "dataloader";
import type { Logger } from "pino";

import type { Viewer } from "./auth/viewer";
import { type AccountRead, type AccountReadShape, readAccounts } from "./services/accounts/account-view";
import { type EntryPage, entryPagesByNumber, type PageRequest } from "./services/accounts/ledger-entries";
import { ExchangeCollector } from "./services/audit/exchange-collector";
import type { ExchangeScope } from "./services/audit/exchange-scope";
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
  /** The request's exchange scope (its writes insert their records through it); undefined: nothing recorded. */
  scope: ExchangeScope | undefined;
  loaders: {
    /** `account`: the view shaped as the query asks (stored fields only or all, a page of entries or none), one
     *  statement per shape (decision 027). */
    accounts: DataLoader<AccountKey, AccountRead | null, string>;
    /** Account.entries of any other parent: one statement per page request. */
    entryPages: DataLoader<AccountPage, EntryPage, string>;
    /** Fraud bans of each account's holder (Account.bans), one statement per batch. */
    bansByAccount: DataLoader<string, FraudBanView[]>;
    loansByAccount: DataLoader<string, LoanView[]>;
  };
}

type Loaders = HubContext["loaders"];

/** An account number and the page of its entries asked for. */
export interface AccountPage extends PageRequest {
  accountNumber: string;
}

/** An account number and what is asked of it. */
export interface AccountKey extends AccountReadShape {
  accountNumber: string;
}

const pageId = (page: PageRequest | null) => (page ? `${page.first}:${page.before ?? ""}` : "-");

/**
 * A loader that reads each batch with one call of `read` per distinct shape of request (usually exactly one):
 * `shapeOf` names a key's shape and `read` loads the account numbers of one shape.
 */
function byShape<K extends { accountNumber: string }, V>(
  shapeOf: (key: K) => string,
  read: (numbers: string[], key: K) => Promise<Map<string, V>>,
  missing: V,
): DataLoader<K, V, string> {
  const keyOf = (k: K) => `${shapeOf(k)}|${k.accountNumber}`;
  return new DataLoader(
    async (keys: readonly K[]) => {
      const groups = new Map<string, { first: K; numbers: string[] }>();
      for (const k of keys) {
        const group = groups.get(shapeOf(k));
        if (group) group.numbers.push(k.accountNumber);
        else groups.set(shapeOf(k), { first: k, numbers: [k.accountNumber] });
      }
      const found = new Map<string, V>();
      for (const [shape, group] of groups)
        for (const [n, v] of await read(group.numbers, group.first)) found.set(`${shape}|${n}`, v);
      return keys.map((k) => found.get(keyOf(k)) ?? missing);
    },
    { cacheKeyFn: keyOf },
  );
}

/**
 * The request's loaders, each made on its first use (decision 031): most requests use one of them or none, and four
 * DataLoaders with their caches made for every request were a measurable share of a lookup's CPU.
 */
class RequestLoaders implements Loaders {
  private made: Partial<Loaders> = {};
  constructor(private readonly hub: HubServices) {}

  get accounts(): Loaders["accounts"] {
    const hub = this.hub;
    return (this.made.accounts ??= byShape<AccountKey, AccountRead | null>(
      (k) => `${k.storedOnly ? "s" : "v"}:${pageId(k.page)}`,
      (numbers, k) => readAccounts(hub.reads, numbers, k),
      null,
    ));
  }
  get entryPages(): Loaders["entryPages"] {
    const hub = this.hub;
    return (this.made.entryPages ??= byShape<AccountPage, EntryPage>(
      (k) => pageId(k),
      (numbers, k) => entryPagesByNumber(hub.reads, numbers, k),
      { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    ));
  }
  get bansByAccount(): Loaders["bansByAccount"] {
    const hub = this.hub;
    return (this.made.bansByAccount ??= new DataLoader(async (numbers: readonly string[]) => {
      const bans = await bansByAccountNumber(hub.prisma, numbers);
      return numbers.map((n) => bans.get(n) ?? []);
    }));
  }
  get loansByAccount(): Loaders["loansByAccount"] {
    const hub = this.hub;
    return (this.made.loansByAccount ??= new DataLoader(async (numbers: readonly string[]) => {
      const loans = await loansOfAccounts(hub.prisma, numbers);
      return numbers.map((n) => loans.get(n) ?? []);
    }));
  }
}

export function createLoaders(hub: HubServices): Loaders {
  return new RequestLoaders(hub);
}

/**
 * The context of one GraphQL request. A class so that what is made lazily stays lazy: Apollo copies the context's own
 * properties into a new object of the same prototype for every request (`Object.assign`), which would call a getter
 * of the object itself; getters of the prototype are not called. The request's logger is made when something logs
 * (most requests never do), the loaders when one is used (decision 031).
 */
export class RequestContext implements HubContext {
  readonly loaders: HubContext["loaders"];
  private madeLogger: Logger | undefined = undefined;

  constructor(
    readonly viewer: Viewer | null,
    readonly hub: HubServices,
    readonly requestId: string,
    readonly startedAt: Date,
    readonly exchange: ExchangeCollector,
    private readonly clientRequestId: string | undefined,
    readonly scope: ExchangeScope | undefined = undefined,
  ) {
    this.loaders = createLoaders(hub);
  }

  get logger(): Logger {
    const ids = this.clientRequestId
      ? { requestId: this.requestId, clientRequestId: this.clientRequestId }
      : { requestId: this.requestId };
    return (this.madeLogger ??= this.hub.logger.child(ids));
  }
}

/** The acting identity for services: the verified viewer, the request id and the request's exchange scope. */
export function actorOf(ctx: HubContext): Actor {
  const v = ctx.viewer!;
  return {
    sub: v.sub,
    role: v.role,
    org: v.org,
    requestId: ctx.requestId,
    purpose: v.purpose ?? undefined,
    exchange: ctx.scope,
  };
}
