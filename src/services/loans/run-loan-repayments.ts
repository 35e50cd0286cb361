// runLoanRepayments(period): the month's run, set-based. First the offsets 冲还贷: loans that chose them, in chunks of
// CHUNK loans per transaction (never one per loan), each chunk locking its borrowers' ledger rows in id order, reading
// their balances and unpaid instalments once, allocating the balance oldest instalment first, interest before principal
// (loan-repayment.rule.ts's rule, planned in SQL), and posting one LOAN_OFFSET per loan with ledger.postStaged
// (decision 022: no loan row goes through JS). An offset takes only what is still
// unpaid, so running a period again takes only what a new balance now covers. Then, in the command's own transaction
// (stored under the idempotency key with the exchange record): instalments of earlier months still unpaid become
// OVERDUE, loans with one open an overdue spell (on the first day of the period), and loans whose oldest unpaid
// instalment is at least `loan.writeOffOverdueMonths` months before the period are written off (LOAN_WRITE_OFF, the
// remaining principal against the risk-compensation receivable) and claimed from finance as one RISK_COMPENSATION
// fiscal claim, sent after the commit (an outage leaves it CLAIMED; the next run sends it).
import { ConnectorUnavailableError } from "../../connectors/connector.errors";
import type { Tx } from "../../db/transaction";
import { inTransaction } from "../../db/transaction";
import { addMonths, firstDayOfMonth, isValidMonth } from "../../domain/calendar/calendar";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { Prisma } from "../../generated/prisma/client";
import { STAGED_ENTRIES } from "../../ledger/staged-posting";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { callFor } from "../audit/outbound-exchange";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, peekIdempotent, validKey } from "../idempotency";
import { recordLoanPostingMetrics, recordOverdueSpells } from "../metrics/metric-deltas";
import { userError } from "../user-error";
import { closeOverdueSpells, postForLoans, settleLoans } from "./loan-postings";

export const WRITE_OFF_MONTHS = "loan.writeOffOverdueMonths";
const CHUNK = 10000;

export interface LoanRunResult {
  period: string;
  offsets: number;
  offsetAmount: string;
  due: number;
  overdue: number;
}

interface OffsetTotals {
  offsets: number;
  amount: MoneyValue;
}

/** The last day of a month (YYYY-MM-DD): the offset's business date (instalments fall due by the end of their month). */
function lastDayOf(period: string): string {
  const next = firstDayOfMonth(addMonths(period, 1));
  const [y, m, d] = next.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d - 1));
  return date.toISOString().slice(0, 10);
}

/**
 * One chunk of offsets: the next CHUNK loans (id > after) with something unpaid up to the period; returns the last
 * loan id taken (null when none is left). Every step is one set-based statement inside the database (the loans'
 * rows never travel to the hub): lock the borrowers' ledger rows in id order, plan the offsets (offset_plan, the
 * allocation of loan-repayment.rule.ts `allocate` in SQL: take = least(balance, owed); the instalments' interest and
 * principal paid in order, oldest instalment first, interest before principal, each part as far as the take
 * goes), post them (ledger.postStaged), link them to their loans with their loan metrics, pay the instalments, take
 * the principal off the loans, settle the loans now repaid and close the overdue spells of loans no longer overdue.
 */
async function offsetChunk(
  hub: HubServices,
  period: string,
  after: bigint,
  totals: OffsetTotals,
): Promise<bigint | null> {
  return inTransaction(hub.prisma, async (tx) => {
    // The chunk's ids travel as one array literal (text) and go back verbatim as one parameter: no per-element
    // (de)serialisation in the hub (decision 024's pgArray reasoning).
    const [chunk] = await tx.$queryRaw<{ ids: string | null; last: bigint | null }[]>`
      WITH c AS (
        SELECT l.id, a.ledger_account_id FROM loan l JOIN account a ON a.id = l.account_id
        WHERE l.status = 'DISBURSED' AND l.offset_from_balance AND l.id > ${after}::bigint
          AND EXISTS (SELECT 1 FROM loan_instalment i WHERE i.loan_id = l.id AND i.period <= ${period} AND i.status <> 'PAID')
        ORDER BY l.id LIMIT ${CHUNK}),
      locked AS (
        SELECT la.id FROM ledger_account la WHERE la.id IN (SELECT ledger_account_id FROM c) ORDER BY la.id FOR UPDATE)
      SELECT (SELECT array_agg(id ORDER BY id)::text FROM c) AS ids, (SELECT max(id) FROM c) AS last,
        (SELECT count(*) FROM locked) AS locked`;
    const ids = chunk?.ids ?? null;
    const last = chunk?.last ?? null;
    if (ids === null || last === null) return null;
    await tx.$executeRaw`CREATE TEMP TABLE IF NOT EXISTS offset_plan (loan_id bigint, ledger_account_id bigint,
      number int, to_interest numeric, to_principal numeric, settled boolean) ON COMMIT DELETE ROWS`;
    await tx.$executeRaw`DELETE FROM offset_plan`;
    // Read after the locks: a concurrent run or repayment of these borrowers has committed, and only what is still
    // unpaid is taken (so two runs never take one instalment twice).
    await tx.$executeRaw`
      INSERT INTO offset_plan (loan_id, ledger_account_id, number, to_interest, to_principal, settled)
      WITH owed AS (
        SELECT l.id AS loan_id, la.id AS ledger_account_id, la.balance, i.number,
          i.interest - i.paid_interest AS interest_owed, i.principal - i.paid_principal AS principal_owed
        FROM loan l JOIN account a ON a.id = l.account_id JOIN ledger_account la ON la.id = a.ledger_account_id
          JOIN loan_instalment i ON i.loan_id = l.id AND i.period <= ${period} AND i.status <> 'PAID'
        WHERE l.id = ANY(${ids}::bigint[]) AND l.status = 'DISBURSED' AND l.offset_from_balance
          AND la.balance > 0),
      run AS (
        SELECT *, coalesce(sum(interest_owed + principal_owed) OVER (PARTITION BY loan_id ORDER BY number
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
          least(balance, sum(interest_owed + principal_owed) OVER (PARTITION BY loan_id)) AS take
        FROM owed),
      paid AS (
        SELECT loan_id, ledger_account_id, number, interest_owed, principal_owed,
          least(interest_owed, greatest(take - before, 0)) AS to_interest,
          least(principal_owed, greatest(take - before - interest_owed, 0)) AS to_principal
        FROM run)
      SELECT loan_id, ledger_account_id, number, to_interest, to_principal,
        to_interest = interest_owed AND to_principal = principal_owed
      FROM paid WHERE to_interest > 0 OR to_principal > 0`;
    const on = lastDayOf(period);
    const { LOAN_RECEIVABLE, LOAN_INTEREST_INCOME } = hub.ledger.fund;
    const posted = await hub.ledger.postStaged(
      tx,
      Prisma.sql`
        SELECT o.loan_id AS key, x.line_no, 'LOAN_OFFSET' AS kind, ${on}::date AS posted_on, ${`冲还贷 ${period}`}::text AS memo,
          x.ledger_account_id, x.side, x.amount, x.worker
        FROM (SELECT loan_id, ledger_account_id, sum(to_principal) AS principal, sum(to_interest) AS interest
              FROM offset_plan GROUP BY loan_id, ledger_account_id) o
        CROSS JOIN LATERAL (VALUES (1, o.ledger_account_id, 'D', o.principal + o.interest, true),
          (2, ${LOAN_RECEIVABLE}::bigint, 'C', o.principal, false),
          (3, ${LOAN_INTEREST_INCOME}::bigint, 'C', o.interest, false)) AS x(line_no, ledger_account_id, side, amount, worker)
        WHERE x.amount > 0`,
    );
    if (posted.postings > 0) {
      await tx.$executeRaw`INSERT INTO loan_posting (posting_id, loan_id) SELECT posting_id, key FROM staged_posting`;
      await recordLoanPostingMetrics(tx, STAGED_ENTRIES);
      await tx.$executeRaw`
        UPDATE loan_instalment i SET paid_principal = i.paid_principal + p.to_principal,
          paid_interest = i.paid_interest + p.to_interest, status = CASE WHEN p.settled THEN 'PAID' ELSE i.status END
        FROM offset_plan p WHERE i.loan_id = p.loan_id AND i.number = p.number`;
      const paidOff = await tx.$queryRaw<{ id: bigint }[]>`
        WITH p AS (SELECT loan_id, sum(to_principal) AS principal FROM offset_plan GROUP BY loan_id HAVING sum(to_principal) > 0),
        u AS (UPDATE loan l SET outstanding_principal = l.outstanding_principal - p.principal FROM p
          WHERE l.id = p.loan_id RETURNING l.id, l.outstanding_principal)
        SELECT id FROM u WHERE outstanding_principal = 0 ORDER BY id`;
      const closed = await settleLoans(
        tx,
        paidOff.map((r) => r.id),
        on,
        CENTER_CODE,
      );
      // a loan whose overdue instalments the offset paid is no longer overdue
      const cleared = await tx.$queryRaw<{ id: bigint }[]>`
        UPDATE loan_overdue_spell s SET to_on = ${on}::date
        WHERE s.to_on IS NULL AND s.loan_id IN (SELECT loan_id FROM offset_plan)
          AND EXISTS (SELECT 1 FROM loan l WHERE l.id = s.loan_id AND l.status = 'DISBURSED')
          AND NOT EXISTS (SELECT 1 FROM loan_instalment i WHERE i.loan_id = s.loan_id AND i.status = 'OVERDUE')
        RETURNING s.id`;
      closed.push(...cleared.map((r) => r.id));
      await recordOverdueSpells(tx, [], closed);
      const [sums] = await tx.$queryRaw<{ offsets: bigint; amount: { toFixed(): string } | null }[]>`
        SELECT count(*) AS offsets, sum(to_interest + to_principal) AS amount FROM offset_plan`;
      totals.offsets += Number(sums!.offsets);
      totals.amount = totals.amount.plus(toMoney(sums!.amount ?? "0"));
    }
    return BigInt(last);
  });
}

async function offsetAll(hub: HubServices, period: string): Promise<OffsetTotals> {
  const totals: OffsetTotals = { offsets: 0, amount: ZERO };
  let after: bigint | null = 0n;
  while (after !== null) after = await offsetChunk(hub, period, after, totals);
  return totals;
}

interface WrittenOff {
  claimNo: string | null;
}

/** Overdue marking, overdue spells and write-offs, in the command's transaction. */
async function markAndWriteOff(
  hub: HubServices,
  tx: Tx,
  period: string,
  writeOffMonths: number,
  totals: OffsetTotals,
): Promise<LoanRunResult & WrittenOff> {
  const first = firstDayOfMonth(period);
  await tx.$executeRaw`
    UPDATE loan_instalment i SET status = 'OVERDUE' FROM loan l
    WHERE l.id = i.loan_id AND l.status = 'DISBURSED' AND i.status = 'DUE' AND i.period < ${period}`;
  const opened = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO loan_overdue_spell (loan_id, from_on)
    SELECT DISTINCT i.loan_id, ${first}::date FROM loan_instalment i JOIN loan l ON l.id = i.loan_id
    WHERE l.status = 'DISBURSED' AND i.status = 'OVERDUE'
      AND NOT EXISTS (SELECT 1 FROM loan_overdue_spell s WHERE s.loan_id = i.loan_id AND s.to_on IS NULL)
    RETURNING id`;
  const limit = addMonths(period, -writeOffMonths);
  const losses = await tx.$queryRaw<{ id: bigint; outstanding_principal: { toFixed(): string } }[]>`
    SELECT l.id, l.outstanding_principal FROM loan l
    WHERE l.status = 'DISBURSED'
      AND (SELECT min(i.period) FROM loan_instalment i WHERE i.loan_id = l.id AND i.status = 'OVERDUE') <= ${limit}
    ORDER BY l.id FOR UPDATE OF l`;
  let claimNo: string | null = null;
  const closed: bigint[] = [];
  if (losses.length > 0) {
    const [n] = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM fiscal_claim WHERE kind = 'RISK_COMPENSATION' AND claim_no LIKE ${`RC-${period}-%`}`;
    claimNo = `RC-${period}-${String(Number(n!.n) + 1).padStart(4, "0")}`;
    const withPrincipal = losses.filter((l) => toMoney(l.outstanding_principal).greaterThan(0));
    await postForLoans(
      tx,
      hub.ledger,
      withPrincipal.map((l) => ({
        loanId: l.id,
        request: {
          kind: "LOAN_WRITE_OFF" as const,
          postedOn: first,
          memo: `贷款核销 ${claimNo}`,
          lines: [
            {
              ledgerAccountId: hub.ledger.fund.RISK_COMPENSATION_RECEIVABLE,
              side: "D" as const,
              amount: toMoney(l.outstanding_principal),
            },
            {
              ledgerAccountId: hub.ledger.fund.LOAN_RECEIVABLE,
              side: "C" as const,
              amount: toMoney(l.outstanding_principal),
            },
          ],
        },
      })),
    );
    const ids = losses.map((l) => l.id);
    await tx.$executeRaw`
      UPDATE loan SET status = 'WRITTEN_OFF', closed_on = ${first}::date, written_off_amount = outstanding_principal,
        outstanding_principal = 0, risk_claim_no = ${claimNo} WHERE id = ANY(${ids}::bigint[])`;
    closed.push(...(await closeOverdueSpells(tx, ids, first)));
    const amount = withPrincipal.reduce((s, l) => s.plus(toMoney(l.outstanding_principal)), ZERO);
    await tx.$executeRaw`
      INSERT INTO fiscal_claim (claim_no, kind, item_count, amount, status)
      VALUES (${claimNo}, 'RISK_COMPENSATION', ${losses.length}::int, ${amount.toFixed(2)}::numeric, 'CLAIMED')`;
  }
  await recordOverdueSpells(
    tx,
    opened.map((r) => r.id),
    closed,
  );
  const [counts] = await tx.$queryRaw<{ due: bigint; overdue: bigint }[]>`
    SELECT count(*) FILTER (WHERE i.period = ${period} AND i.status = 'DUE') AS due,
           count(*) FILTER (WHERE i.status = 'OVERDUE') AS overdue
    FROM loan_instalment i JOIN loan l ON l.id = i.loan_id WHERE l.status = 'DISBURSED'`;
  return {
    period,
    offsets: totals.offsets,
    offsetAmount: formatMoney(totals.amount),
    due: Number(counts!.due),
    overdue: Number(counts!.overdue),
    claimNo,
  };
}

/** Sends every risk-compensation claim still CLAIMED (after the commit; repeatable). */
export async function sendRiskCompensationClaims(hub: HubServices, actor: Actor): Promise<void> {
  const pending = await hub.prisma.fiscalClaim.findMany({
    where: { kind: "RISK_COMPENSATION", status: "CLAIMED" },
    orderBy: { claimNo: "asc" },
  });
  for (const claim of pending) {
    const items = await hub.prisma.$queryRaw<
      { id_number: string; loan_number: string; amount: { toFixed(): string } }[]
    >`
      SELECT p.id_number::text AS id_number, l.loan_number, l.written_off_amount AS amount
      FROM loan l JOIN person p ON p.id = l.person_id WHERE l.risk_claim_no = ${claim.claimNo} ORDER BY l.id`;
    try {
      const answer = await hub.finance.submitFiscalClaim(
        {
          claimNo: claim.claimNo,
          kind: "RISK_COMPENSATION",
          items: items.map((i) => ({
            idNumber: i.id_number,
            reference: i.loan_number,
            amount: formatMoney(toMoney(i.amount)),
          })),
        },
        callFor(actor),
      );
      await hub.prisma.fiscalClaim.update({
        where: { claimNo: claim.claimNo },
        data: { status: answer.status, submittedAt: new Date() },
      });
    } catch (e) {
      if (!(e instanceof ConnectorUnavailableError)) throw e;
      hub.logger.warn(
        { claimNo: claim.claimNo, err: e.message },
        "risk compensation claim not sent; the next run sends it",
      );
      return;
    }
  }
}

export async function runLoanRepayments(
  hub: HubServices,
  actor: Actor,
  period: string,
  idempotencyKey: string,
): Promise<Outcome<LoanRunResult>> {
  const request = {
    key: idempotencyKey,
    operation: "runLoanRepayments",
    actor: actor.sub,
    exchange: actor.exchange,
    input: { period },
  };
  if (!isValidMonth(period)) return { userErrors: [userError("INVALID_PERIOD", "月份格式应为 YYYY-MM", "period")] };
  // The offsets run in their own chunked transactions, only on a first run (a replay answers from the stored result).
  let totals: OffsetTotals = { offsets: 0, amount: ZERO };
  if (validKey(idempotencyKey) && !(await peekIdempotent(hub.prisma, request))) totals = await offsetAll(hub, period);
  const writeOffMonths = (await hub.policy.on(firstDayOfMonth(period))).int(WRITE_OFF_MONTHS);
  const outcome = await runCommand<LoanRunResult & WrittenOff>(hub.prisma, {
    request,
    transaction: async (tx) => ({ ok: await markAndWriteOff(hub, tx, period, writeOffMonths, totals) }),
    afterCommit: async () => {
      hub.outbox.kick();
      await sendRiskCompensationClaims(hub, actor);
    },
  });
  if (!("ok" in outcome)) return outcome;
  const { claimNo: _claimNo, ...run } = outcome.ok;
  return { ok: run };
}
