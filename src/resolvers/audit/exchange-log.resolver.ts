import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";

import type { HubContext } from "../../context";
import { badInput } from "../../errors";
import { ChainVerification, ExchangeRecordConnection } from "../../schema/audit/exchange-record.types";
import { Role } from "../../schema/common/enums";
import { IdNumberScalar } from "../../schema/scalars/id-number.scalar";
import { type ExchangePage, exchangePage, InvalidExchangeCursorError } from "../../services/audit/exchange-log.query";
import { verifyExchangeLog } from "../../services/audit/exchange-log.verify";

/** Consumer roles the contract's Role enum can name (the others are chained and verified, not listed). */
const LISTED_ROLES = Object.values(Role);

/** Records still being appended by concurrent requests are written and linked before the log is read. */
async function settleLog(ctx: HubContext): Promise<void> {
  await ctx.hub.exchangeLog.drain();
  await ctx.hub.exchangeChainer.chainPending();
}
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
  await settleLog(ctx);
  try {
    return await exchangePage(ctx.hub.prisma, size, after, subjectKey, LISTED_ROLES);
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

  @Query(() => ChainVerification, {
    description:
      "AUDITOR: recompute the hash chain of the whole exchange log and check it against the signed checkpoints kept outside the database.",
  })
  async verifyExchangeLog(@Ctx() ctx: HubContext): Promise<ChainVerification> {
    await settleLog(ctx);
    const result = await verifyExchangeLog(ctx.hub.prisma, ctx.hub.exchangeChainer.anchor);
    if (!result.ok)
      ctx.logger.warn({ problem: result.problem, firstBrokenId: result.firstBrokenId }, "exchange log broken");
    return result;
  }
}
