import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";

import type { HubContext } from "../../context";
import { badInput, forbidden } from "../../errors";
import { addToResultSize } from "../../graphql/result-size";
import { Account, LedgerEntryConnection } from "../../schema/accounts/account.type";
import { FraudBan } from "../../schema/risk/fraud-ban.types";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import { type AccountView, accountViewByIdNumber } from "../../services/accounts/account-view";
import { entriesPage, InvalidCursorError } from "../../services/accounts/ledger-entries";
import type { FraudBanView } from "../../services/risk/fraud-bans";
import { checkCursorRange } from "../pagination";
import { mayRead, present } from "./account.presenter";

export const MAX_PAGE_SIZE = 200;

@Resolver(() => Account)
export class AccountResolver {
  @Query(() => Account, { nullable: true, description: "CENTER_*: any account; WORKER: only their own." })
  async account(
    @Arg("accountNumber", () => String) accountNumber: string,
    @Ctx() ctx: HubContext,
  ): Promise<AccountView | null> {
    if (accountNumber.length > 32) return null;
    const shown = present(await ctx.loaders.accountByNumber.load(accountNumber), ctx.viewer!);
    if (shown) ctx.exchange.touch([shown.idNumber]);
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
    const size = first ?? 50;
    if (size < 1 || size > MAX_PAGE_SIZE) throw badInput(`first 须在 1 到 ${MAX_PAGE_SIZE} 之间`, "first");
    checkCursorRange(after);
    try {
      return await entriesPage(ctx.hub.prisma, account.accountNumber, size, after);
    } catch (e) {
      if (e instanceof InvalidCursorError) throw badInput("分页游标无效 invalid cursor", "after");
      throw e;
    }
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
