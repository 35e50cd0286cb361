import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from "type-graphql";

import type { HubContext } from "../../context";
import { badInput, forbidden } from "../../errors";
import { childArguments, childSelections } from "../../graphql/lookahead";
import { addToResultSize } from "../../graphql/result-size";
import { Account, LedgerEntryConnection } from "../../schema/accounts/account.type";
import { FraudBan } from "../../schema/risk/fraud-ban.types";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import {
  type AccountReadShape,
  type AccountView,
  accountViewByIdNumber,
  STORED_FIELDS,
} from "../../services/accounts/account-view";
import {
  type EntryPage,
  InvalidCursorError,
  type PageRequest,
  pageRequest,
} from "../../services/accounts/ledger-entries";
import type { FraudBanView } from "../../services/risk/fraud-bans";
import { checkCursorRange } from "../pagination";
import { mayRead, present } from "./account.presenter";

export const MAX_PAGE_SIZE = 200;

/** The page of entries read with an account view (`account { entries }` in one statement), by the view it came with. */
const readWithView = new WeakMap<AccountView, { page: PageRequest; entries: EntryPage }>();

/** The page request of `entries` arguments; throws BAD_USER_INPUT as the field always has. */
function entriesRequest(first: number | null, after: string | null): PageRequest {
  const size = first ?? 50;
  if (size < 1 || size > MAX_PAGE_SIZE) throw badInput(`first 须在 1 到 ${MAX_PAGE_SIZE} 之间`, "first");
  checkCursorRange(after);
  try {
    return pageRequest(size, after);
  } catch (e) {
    if (e instanceof InvalidCursorError) throw badInput("分页游标无效 invalid cursor", "after");
    throw e;
  }
}

/** Fields of Account with resolvers of their own (they read what they need themselves). */
const OWN_RESOLVERS = new Set(["entries", "loans", "bans", "__typename"]);

/**
 * What the query asks of the account (decision 027): only stored fields, or the computed ones too; and the page of
 * `entries` when the viewer may read it and the page asked is valid (the first selection's, if several: the others
 * read their own).
 */
function askedShape(info: GraphQLResolveInfo, readable: boolean): AccountReadShape {
  const selections = childSelections(info);
  let storedOnly = true;
  for (const name of selections.keys()) if (!STORED_FIELDS.has(name) && !OWN_RESOLVERS.has(name)) storedOnly = false;
  const entries = selections.get("entries")?.[0];
  const args = readable && entries ? childArguments(info, "entries", entries) : null;
  if (!args) return { storedOnly, page: null };
  try {
    const page = entriesRequest(
      (args.first as number | null | undefined) ?? null,
      (args.after as string | null) ?? null,
    );
    return { storedOnly, page };
  } catch {
    return { storedOnly, page: null }; // the entries field refuses it itself, at its own path
  }
}

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => Account, { nullable: true, description: "CENTER_*: any account; WORKER: only their own." })
  async account(
    @Arg("accountNumber", () => String) accountNumber: string,
    @Ctx() ctx: HubContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<AccountView | null> {
    if (accountNumber.length > 32) return null;
    // One statement: what the query asks of the account, with its page of entries if it asks one and the viewer may
    // read the account (decision 027).
    const shape = askedShape(info, mayRead(ctx.viewer!, accountNumber));
    const read = await ctx.loaders.accounts.load({ accountNumber, ...shape });
    // A read of the stored fields carries only those: the query resolves nothing else of it (askedShape saw to that).
    const shown = present((read?.view as AccountView | undefined) ?? null, ctx.viewer!);
    if (shown) ctx.exchange.touch([shown.idNumber]);
    if (shown && shape.page && read?.entries) readWithView.set(shown, { page: shape.page, entries: read.entries });
    return shown;
  }

  @Query(() => Account, { nullable: true, description: "CENTER_*: any person's account; WORKER: only their own." })
  async accountByIdNumber(
    @Arg("idNumber", () => IdNumberScalar) idNumber: string,
    @Ctx() ctx: HubContext,
  ): Promise<AccountView | null> {
    ctx.exchange.touch([idNumber]);
    const shown = present(await accountViewByIdNumber(ctx.hub.reads, idNumber), ctx.viewer!);
    addToResultSize(ctx.exchange, shown ? 1 : 0);
    return shown;
  }

  @FieldResolver(() => LedgerEntryConnection, { description: "Ledger entries, newest first." })
  async entries(
    @Root() account: AccountView,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<LedgerEntryConnection> {
    const page = entriesRequest(first, after);
    const read = readWithView.get(account);
    if (read && read.page.first === page.first && read.page.before === page.before) return read.entries;
    return ctx.loaders.entryPages.load({ accountNumber: account.accountNumber, ...page });
  }

  @FieldResolver(() => [FraudBan], {
    description: "Fraud bans of the person, newest decision first; CENTER_* and the owner only. 骗提骗贷惩戒记录。",
  })
  async bans(@Root() account: AccountView, @Ctx() ctx: HubContext): Promise<FraudBanView[]> {
    // Only center staff and the owner ever get an Account; the field says so again, should another path appear.
    if (!mayRead(ctx.viewer!, account.accountNumber)) throw forbidden();
    return ctx.loaders.bansByAccount.load(account.accountNumber);
  }
}
