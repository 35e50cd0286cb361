import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from "type-graphql";

import type { HubContext } from "../../context";
import { badInput, forbidden } from "../../errors";
import { childFieldArguments } from "../../graphql/lookahead";
import { addToResultSize } from "../../graphql/result-size";
import { Account, LedgerEntryConnection } from "../../schema/accounts/account.type";
import { FraudBan } from "../../schema/risk/fraud-ban.types";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import { type AccountView, accountViewByIdNumber } from "../../services/accounts/account-view";
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

/** The page the query asks of `entries` under this field, if it asks one that is valid (the first, if several). */
function askedEntries(info: GraphQLResolveInfo): PageRequest | null {
  const [args] = childFieldArguments(info, "entries");
  if (!args) return null;
  try {
    return entriesRequest((args.first as number | null | undefined) ?? null, (args.after as string | null) ?? null);
  } catch {
    return null; // the entries field refuses it itself, at its own path
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
    // Asked with its entries, by someone who may read it: the view and the page in one statement.
    const page = mayRead(ctx.viewer!, accountNumber) ? askedEntries(info) : null;
    const read = page ? await ctx.loaders.accountWithEntries.load({ accountNumber, ...page }) : null;
    const shown = present(
      page ? (read?.view ?? null) : await ctx.loaders.accountByNumber.load(accountNumber),
      ctx.viewer!,
    );
    if (shown) ctx.exchange.touch([shown.idNumber]);
    if (shown && page && read) readWithView.set(shown, { page, entries: read.entries });
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
