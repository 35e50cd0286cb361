// 积数计息, set-based: one INSERT ... SELECT computes every account's 积数, interest and interest subsidy for a settlement
// year (the SQL form of domain/interest/interest.rule.ts, which the exit path and the tests use directly), and the
// credits are then posted in chunks (one INTEREST and one INTEREST_SUBSIDY posting per chunk, never a transaction per
// account). An account's year is credited at most once: interest_credit's primary key (account, year) decides, so a
// second or concurrent run, or an exit that already credited the account, posts nothing again.
import type { Tx } from "../../db/transaction";
import { compareDates } from "../../domain/calendar/calendar";
import { settlementYearPeriod, unusedWindowStart } from "../../domain/interest/interest.rule";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { Prisma } from "../../generated/prisma/client";
import type { Ledger } from "../../ledger/ledger";
import type { PostingRequest } from "../../ledger/posting";
import { lockWorkerLedgerRows } from "../../ledger/worker-lock";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { entryViewOf } from "../deposits/deposit-posting";
import type { HubServices } from "../hub-services";

export const INTEREST_RATE = "interest.annualRate";

export interface InterestPolicy {
  year: number;
  from: string;
  to: string;
  rate: MoneyValue;
  subsidyRate: MoneyValue;
  capPerPerson: MoneyValue;
  /** The first day of the unused window; the account must be open by the earlier of it and `from`. */
  windowStart: string;
  openBy: string;
  /** A loan outstanding on any day from here to `to` (the year, or the longer unused window) denies the subsidy. */
  loanFreeFrom: string;
}

/** The parameters in force on the year's 30 June. */
export async function interestPolicyOn(hub: HubServices, year: number): Promise<InterestPolicy> {
  const { from, to } = settlementYearPeriod(year);
  const params = await hub.policy.on(to);
  const windowStart = unusedWindowStart(year, params.int("interestSubsidy.minUnusedMonths"));
  return {
    year,
    from,
    to,
    rate: params.decimal(INTEREST_RATE),
    subsidyRate: params.decimal("interestSubsidy.annualRate"),
    capPerPerson: params.money("interestSubsidy.capPerPerson"),
    windowStart,
    openBy: compareDates(windowStart, from) < 0 ? windowStart : from,
    loanFreeFrom: compareDates(windowStart, from) < 0 ? windowStart : from,
  };
}

/** Kinds that use the deposits (no subsidy for the year when one falls in the unused window). A relative transfer is
 *  one RELATIVE_TRANSFER posting: its debit (the giver's side) is the use; the receiver's credit is not. */
const USE_KINDS = Prisma.raw(`'WITHDRAWAL', 'EXIT_PAYOUT', 'TRANSFER_OUT', 'LOAN_OFFSET'`);

/** Account ids from `from` to `to`, both included: one statement of the year-end run (settle-interest.ts). */
export interface AccountIdRange {
  from: bigint;
  to: bigint;
}

/** Computes the year's credits of every account (or one, or a range of ids) not credited yet; returns how many rows
 *  it added. */
export async function computeYearCredits(
  tx: Tx,
  p: InterestPolicy,
  accounts?: bigint | AccountIdRange,
): Promise<number> {
  const only =
    accounts === undefined
      ? Prisma.empty
      : typeof accounts === "bigint"
        ? Prisma.sql`AND a.id = ${accounts}::bigint`
        : Prisma.sql`AND a.id BETWEEN ${accounts.from}::bigint AND ${accounts.to}::bigint`;
  // 积数 = Σ entries' amount × days from max(entry date, 1 July) to 30 June, both included (= Σ end-of-day balances).
  // Per account through the (ledger_account_id, id) index (the LATERAL), so that a range of accounts reads its own
  // entries only: a join let the planner scan every entry of the ledger for each range (bench, 100,000 accounts).
  // An account without entries up to 30 June has a null 积数 and is left out, as the inner join left it out.
  // The subsidy cap is cumulative per person: earlier years' subsidies (rows committed before this statement) count.
  // No subsidy when the owner had a loan outstanding on any day of the year (domain.md): disbursed by 30 June and not
  // settled or written off before 1 July (closed_on is the day it ended; the loan book, loan.types.ts).
  return tx.$executeRaw`
    INSERT INTO interest_credit (account_id, settlement_year, source, accumulated, interest, subsidy)
    SELECT x.account_id, ${p.year}::int, 'YEAR', x.acc, round(x.acc * ${p.rate.toString()}::numeric / 360, 2),
      CASE WHEN x.opened_on <= ${p.openBy}::date AND NOT x.used AND NOT EXISTS (
          SELECT 1 FROM loan l WHERE l.person_id = x.person_id AND l.disbursed_on <= ${p.to}::date
            AND (l.closed_on IS NULL OR l.closed_on >= ${p.loanFreeFrom}::date))
        THEN greatest(least(round(x.acc * ${p.subsidyRate.toString()}::numeric / 360, 2),
                            ${p.capPerPerson.toFixed(2)}::numeric - coalesce(prior.received, 0)), 0)
        ELSE 0 END
    FROM (
      SELECT a.id AS account_id, a.person_id, a.opened_on, s.acc, s.used
      FROM account a CROSS JOIN LATERAL (
        SELECT sum((e.credit - e.debit) * ((${p.to}::date - greatest(e.posted_on, ${p.from}::date)) + 1)) AS acc,
          coalesce(bool_or((e.kind IN (${USE_KINDS}) OR (e.kind = 'RELATIVE_TRANSFER' AND e.debit > 0))
            AND e.posted_on >= ${p.windowStart}::date), false) AS used
        FROM ledger_entry e WHERE e.ledger_account_id = a.ledger_account_id AND e.posted_on <= ${p.to}::date
      ) s
      WHERE true ${only}
    ) x
    LEFT JOIN LATERAL (
      SELECT sum(ic.subsidy) AS received FROM interest_credit ic JOIN account a2 ON a2.id = ic.account_id
      WHERE a2.person_id = x.person_id
    ) prior ON true
    WHERE x.acc > 0
    ON CONFLICT DO NOTHING`;
}

export interface PostedCredit {
  accountId: bigint;
  view: LedgerEntryView;
}

interface PendingRow {
  account_id: bigint;
  ledger_account_id: bigint;
  interest: { toFixed(): string };
  subsidy: { toFixed(): string };
}

function creditPosting(
  kind: "INTEREST" | "INTEREST_SUBSIDY",
  fundAccount: bigint,
  postedOn: string,
  memo: string,
  lines: { ledgerAccountId: bigint; amount: MoneyValue }[],
): PostingRequest | null {
  const paid = lines.filter((l) => l.amount.greaterThan(0));
  if (paid.length === 0) return null;
  const total = paid.reduce((sum, l) => sum.plus(l.amount), ZERO);
  return {
    kind,
    postedOn,
    memo,
    lines: [
      { ledgerAccountId: fundAccount, side: "D", amount: total },
      ...paid.map((l) => ({ ledgerAccountId: l.ledgerAccountId, side: "C" as const, amount: l.amount, worker: true })),
    ],
  };
}

/** Posts up to `limit` computed, unposted credits of the year. Rows another run is posting are skipped, or with
 *  `wait`, awaited (they are then found posted and left alone), so a run can tell when its year is complete. */
export async function postPendingCredits(
  tx: Tx,
  ledger: Ledger,
  p: InterestPolicy,
  limit: number,
  accountId?: bigint,
  wait = false,
): Promise<PostedCredit[]> {
  const only = accountId === undefined ? Prisma.empty : Prisma.sql`AND ic.account_id = ${accountId}::bigint`;
  const locking = wait ? Prisma.sql`FOR UPDATE OF ic` : Prisma.sql`FOR UPDATE OF ic SKIP LOCKED`;
  const rows = await tx.$queryRaw<PendingRow[]>`
    SELECT ic.account_id, a.ledger_account_id, ic.interest, ic.subsidy
    FROM interest_credit ic JOIN account a ON a.id = ic.account_id
    WHERE ic.settlement_year = ${p.year}::int AND ic.posted_at IS NULL ${only}
    ORDER BY ic.account_id LIMIT ${limit}::int
    ${locking}`;
  if (rows.length === 0) return [];
  const ledgerIds = rows.map((r) => r.ledger_account_id);
  // Worker rows locked in id order, as every multi-account writer does, so a bank import batch never deadlocks with us.
  await lockWorkerLedgerRows(tx, ledgerIds);
  const fund = ledger.fund;
  const requests = [
    creditPosting(
      "INTEREST",
      fund.INTEREST_EXPENSE,
      p.to,
      `${p.year}年度结息 积数计息`,
      rows.map((r) => ({ ledgerAccountId: r.ledger_account_id, amount: toMoney(r.interest) })),
    ),
    creditPosting(
      "INTEREST_SUBSIDY",
      fund.INTEREST_SUBSIDY_RECEIVABLE,
      p.to,
      `${p.year}年度利息补贴`,
      rows.map((r) => ({ ledgerAccountId: r.ledger_account_id, amount: toMoney(r.subsidy) })),
    ),
  ].filter((r): r is PostingRequest => r !== null);
  const postings = await ledger.postMany(tx, requests);
  await tx.$executeRaw`
    UPDATE interest_credit SET posted_at = now()
    WHERE settlement_year = ${p.year}::int AND account_id = ANY(${rows.map((r) => r.account_id)}::bigint[])`;
  const accountOf = new Map(rows.map((r) => [r.ledger_account_id, r.account_id]));
  return postings.flatMap((posting) =>
    posting.entries
      .filter((e) => accountOf.has(e.ledgerAccountId))
      .map((e) => ({ accountId: accountOf.get(e.ledgerAccountId)!, view: entryViewOf(e) })),
  );
}

/** Posts every computed, unposted credit of the year in a range of account ids, set-based: the range's worker ledger
 *  rows locked in id order (as every multi-account writer and an exit lock them, before the credits), the pending credits
 *  claimed (marked posted) into a transaction-local table, then one INTEREST and one INTEREST_SUBSIDY posting whose
 *  lines are selected from it in SQL, with their metric deltas, in the caller's transaction. A concurrent run waits on
 *  the ledger rows, then finds the range's credits posted and claims nothing; returns how many credits it posted. */
export async function postRangeCredits(
  tx: Tx,
  ledger: Ledger,
  p: InterestPolicy,
  range: AccountIdRange,
): Promise<number> {
  const pending = Prisma.sql`ic.settlement_year = ${p.year}::int AND ic.posted_at IS NULL
    AND ic.account_id BETWEEN ${range.from}::bigint AND ${range.to}::bigint`;
  const [waiting] = await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM interest_credit ic WHERE ${pending}`;
  if (waiting!.n === 0n) return 0;
  // Every worker ledger row of the range, not only those with a pending credit: a credit a concurrent run commits
  // between this lock and the claim below is then still behind a lock taken first.
  await tx.$queryRaw`
    SELECT count(*) AS n FROM (
      SELECT la.id FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
      WHERE a.id BETWEEN ${range.from}::bigint AND ${range.to}::bigint ORDER BY la.id FOR UPDATE OF la) x`;
  await tx.$executeRaw`
    CREATE TEMP TABLE interest_claim (ledger_account_id bigint PRIMARY KEY, interest numeric(18, 2), subsidy numeric(18, 2))
    ON COMMIT DROP`;
  const claimed = await tx.$executeRaw`
    WITH c AS (
      UPDATE interest_credit ic SET posted_at = now() FROM account a
      WHERE a.id = ic.account_id AND ${pending}
      RETURNING a.ledger_account_id, ic.interest, ic.subsidy)
    INSERT INTO interest_claim SELECT * FROM c`;
  const fund = ledger.fund;
  await ledger.postSqlCredits(tx, {
    kind: "INTEREST",
    postedOn: p.to,
    memo: `${p.year}年度结息 积数计息`,
    debitAccountId: fund.INTEREST_EXPENSE,
    lines: Prisma.sql`SELECT ledger_account_id, interest FROM interest_claim WHERE interest > 0`,
  });
  await ledger.postSqlCredits(tx, {
    kind: "INTEREST_SUBSIDY",
    postedOn: p.to,
    memo: `${p.year}年度利息补贴`,
    debitAccountId: fund.INTEREST_SUBSIDY_RECEIVABLE,
    lines: Prisma.sql`SELECT ledger_account_id, subsidy FROM interest_claim WHERE subsidy > 0`,
  });
  await tx.$executeRaw`DROP TABLE interest_claim`;
  return claimed;
}

/** Settles one account's year inside the caller's transaction (an exit settling an earlier year first). */
export async function creditYearsFor(
  tx: Tx,
  ledger: Ledger,
  year: number,
  p: InterestPolicy,
  accountId: bigint,
): Promise<PostedCredit[]> {
  if (p.year !== year) throw new RangeError(`policy of ${p.year} given for ${year}`);
  await computeYearCredits(tx, p, accountId);
  return postPendingCredits(tx, ledger, p, 1, accountId);
}

export const fen = (v: { toFixed(): string } | null): string => formatMoney(v === null ? ZERO : toMoney(v));
