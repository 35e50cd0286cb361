// settleInterest(settlementYear, asOf): credits a settlement year's interest and interest subsidies, once per year.
// One set-based computation, then chunked postings, then the year's totals and its fiscal claim. Every step can be
// repeated: a second or concurrent run (any key) credits nothing twice and answers the same totals.
import { dateToString } from "../../db/dates";
import { inTransaction, isUniqueViolation } from "../../db/transaction";
import { settlementYearEnded } from "../../domain/interest/interest.rule";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, peekIdempotent, requestHash, validKey } from "../idempotency";
import { userError } from "../user-error";
import { computeYearCredits, fen, interestPolicyOn, postRangeCredits } from "./interest-credits";
import { claimInterestSubsidy } from "./interest-subsidy-claim";

export interface SettleInterestCommand {
  settlementYear: number;
  asOf: string;
  idempotencyKey: string;
}

export interface InterestSettlementView {
  settlementYear: number;
  settledOn: string;
  accounts: number;
  interestAmount: string;
  subsidyAmount: string;
}

/** Account ids computed per statement and posted per transaction. One statement for the whole year outgrew the
 *  database's statement_timeout (15 s) at 100,000 accounts on a busy machine (bench: npm run bench -- --only=interest);
 *  a range of 10,000 ids reads about 10,000 x 12-24 entries through the index and posts two postings of up to 10,000
 *  credits each. */
export const COMPUTE_CHUNK = 10_000n;

function problem(c: SettleInterestCommand) {
  if (!validKey(c.idempotencyKey))
    return userError("INVALID_IDEMPOTENCY_KEY", "幂等键须为 8–128 个可见 ASCII 字符", "idempotencyKey");
  if (!Number.isInteger(c.settlementYear) || c.settlementYear < 2000 || c.settlementYear > 2100)
    return userError("INVALID_SETTLEMENT_YEAR", "结算年度须为 2000–2100 的整数", "settlementYear");
  if (!settlementYearEnded(c.settlementYear, c.asOf))
    return userError("YEAR_NOT_ENDED", `${c.settlementYear} 结算年度尚未结束（6 月 30 日之后才能结息）`, "asOf");
  return null;
}

export async function settleInterest(
  hub: HubServices,
  actor: Actor,
  c: SettleInterestCommand,
): Promise<Outcome<InterestSettlementView>> {
  const refused = problem(c);
  if (refused) return { userErrors: [refused] };
  const request = {
    key: c.idempotencyKey,
    operation: "settleInterest",
    actor: actor.sub,
    exchange: actor.exchange,
    input: c,
  };
  const replay = await peekIdempotent<InterestSettlementView>(hub.prisma, request);
  if (replay) return replay;
  const result = await runSettlement(hub, c.settlementYear, c.asOf);
  await claimInterestSubsidy(hub, c.settlementYear, actor);
  try {
    await hub.prisma.idempotencyRecord.create({
      data: {
        key: request.key,
        operation: request.operation,
        actor: request.actor,
        requestHash: requestHash(request.operation, request.input),
        response: result as unknown as object,
      },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return (await peekIdempotent<InterestSettlementView>(hub.prisma, request)) ?? { ok: result };
  }
  return { ok: result };
}

/** The run itself (also the job's entry point): compute and post range by range, record the totals. */
export async function runSettlement(
  hub: HubServices,
  year: number,
  asOf: string,
  computeChunk: bigint = COMPUTE_CHUNK,
): Promise<InterestSettlementView> {
  const policy = await interestPolicyOn(hub, year);
  // Range by range of account ids: the credits computed in one statement and transaction (final once committed: a
  // second or concurrent run inserts nothing twice, the primary key decides), then posted set-based in a second
  // transaction (SQL computes and posts; no row passes through JS). A concurrent run's range is waited for on its
  // ledger rows and then found posted, so once the loop ends every credit of the year is posted and the totals below
  // are the whole year's. Two transactions, not one: the posting locks ledger rows before credits, as an exit does.
  const [ids] = await hub.prisma.$queryRaw<{ lo: bigint | null; hi: bigint | null }[]>`
    SELECT min(id) AS lo, max(id) AS hi FROM account`;
  if (ids && ids.lo !== null && ids.hi !== null)
    for (let from = ids.lo; from <= ids.hi; from += computeChunk) {
      const range = { from, to: from + computeChunk - 1n };
      await inTransaction(hub.prisma, (tx) => computeYearCredits(tx, policy, range));
      await inTransaction(hub.prisma, (tx) => postRangeCredits(tx, hub.ledger, policy, range));
    }
  return inTransaction(hub.prisma, async (tx) => {
    const [totals] = await tx.$queryRaw<
      { accounts: bigint; interest: { toFixed(): string } | null; subsidy: { toFixed(): string } | null }[]
    >`
      SELECT count(*) FILTER (WHERE interest > 0 OR subsidy > 0) AS accounts, sum(interest) AS interest, sum(subsidy) AS subsidy
      FROM interest_credit WHERE settlement_year = ${year}::int AND source = 'YEAR' AND posted_at IS NOT NULL`;
    const [row] = await tx.$queryRaw<
      {
        settled_on: Date;
        accounts: number;
        interest_amount: { toFixed(): string };
        subsidy_amount: { toFixed(): string };
      }[]
    >`
      INSERT INTO interest_settlement (settlement_year, settled_on, as_of, accounts, interest_amount, subsidy_amount)
      VALUES (${year}::int, ${policy.to}::date, ${asOf}::date, ${Number(totals!.accounts)}::int,
              ${fen(totals!.interest)}::numeric, ${fen(totals!.subsidy)}::numeric)
      ON CONFLICT (settlement_year) DO UPDATE SET accounts = excluded.accounts,
        interest_amount = excluded.interest_amount, subsidy_amount = excluded.subsidy_amount
      RETURNING settled_on, accounts, interest_amount, subsidy_amount`;
    return {
      settlementYear: year,
      settledOn: dateToString(row!.settled_on),
      accounts: row!.accounts,
      interestAmount: fen(row!.interest_amount),
      subsidyAmount: fen(row!.subsidy_amount),
    };
  });
}
