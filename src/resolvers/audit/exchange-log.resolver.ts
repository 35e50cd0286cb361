import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";

import type { HubContext } from "../../context";
import { badInput } from "../../errors";
import { ChainVerification, ExchangeRecordConnection } from "../../schema/audit/exchange-record.types";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import {
  type ExchangePage,
  exchangePage,
  InvalidExchangeCursorError,
  verifyExchangeChain,
} from "../../services/audit/exchange-log.query";
import { checkCursorRange } from "../pagination";

const MAX_PAGE = 200;

async function page(
  ctx: HubContext,
  first: number | null,
  after: string | null,
  subjectKey: string | null,
): Promise<ExchangePage> {
  const size = first ?? 50;
  if (size < 1 || size > MAX_PAGE) throw badInput(`first 须在 1 到 ${MAX_PAGE} 之间`, "first");
  checkCursorRange(after);
  await ctx.hub.exchangeLog.drain(); // include records still being appended by concurrent requests
  try {
    return await exchangePage(ctx.hub.prisma, size, after, subjectKey);
  } catch (e) {
    if (e instanceof InvalidExchangeCursorError) throw badInput("分页游标无效 invalid cursor", "after");
    throw e;
  }
}

@Resolver()
export class ExchangeLogResolver {
  @Query(() => ExchangeRecordConnection, {
    description: "AUDITOR: the exchange log, newest first; with idNumber, only the records that touched that person.",
  })
  async exchangeLog(
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Arg("idNumber", () => IdNumberScalar, { nullable: true }) idNumber: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<ExchangePage> {
    return page(ctx, first, after, idNumber ? ctx.hub.subjectKey(idNumber) : null);
  }

  @Query(() => ExchangeRecordConnection, {
    description: "WORKER: who read my data, when and why (a data tracker). 我的数据被谁查询。",
  })
  async myDataAccess(
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<ExchangePage> {
    const owner = await ctx.hub.prisma.account.findUnique({
      where: { accountNumber: ctx.viewer!.sub },
      select: { person: { select: { idNumber: true } } },
    });
    if (!owner) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    return page(ctx, first, after, ctx.hub.subjectKey(owner.person.idNumber));
  }

  @Query(() => ChainVerification, { description: "AUDITOR: recompute the hash chain of the whole exchange log." })
  async verifyExchangeLog(@Ctx() ctx: HubContext): Promise<ChainVerification> {
    await ctx.hub.exchangeLog.drain();
    return verifyExchangeChain(ctx.hub.prisma);
  }
}
