// runLoanRepayments(period): the month's run, set-based. First the offsets 冲还贷: loans that chose them, in chunks of
// CHUNK loans per transaction (never one per loan), each chunk locking its borrowers' ledger rows in id order, reading
// their balances and unpaid instalments once, allocating the balance oldest instalment first, interest before principal
// (loan-repayment.rule.ts), and posting one LOAN_OFFSET per loan in one postMany. An offset takes only what is still
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
import { allocate } from "../../domain/loans/loan-repayment.rule";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { lockWorkerLedgerRows } from "../../ledger/worker-lock";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, peekIdempotent, validKey } from "../idempotency";
import { recordOverdueSpells } from "../metrics/metric-deltas";
import { userError } from "../user-error";
import { closeOverdueSpells, payInstalments, postForLoans, reduceOutstanding, settleLoans } from "./loan-postings";
import { unpaidOf } from "./repay-loan";

export const WRITE_OFF_MONTHS = "loan.writeOffOverdueMonths";
const CHUNK = 2000;

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

interface CandidateRow {
  loan_id: bigint;
  ledger_account_id: bigint;
  balance: { toFixed(): string };
  numbers: number[];
  principals: string[];
  interests: string[];
  paid_principals: string[];
  paid_interests: string[];
}

/** One chunk of offsets: loans with id > after; returns the last loan id seen (null when none is left). */
async function offsetChunk(
  hub: HubServices,
  period: string,
  after: bigint,
  totals: OffsetTotals,
): Promise<bigint | null> {
  return inTransaction(hub.prisma, async (tx) => {
    const ids = await tx.$queryRaw<{ id: bigint; ledger_account_id: bigint }[]>`
      SELECT l.id, a.ledger_account_id FROM loan l JOIN account a ON a.id = l.account_id
      WHERE l.status = 'DISBURSED' AND l.offset_from_balance AND l.id > ${after}::bigint
        AND EXISTS (SELECT 1 FROM loan_instalment i WHERE i.loan_id = l.id AND i.period <= ${period} AND i.status <> 'PAID')
      ORDER BY l.id LIMIT ${CHUNK}`;
    if (ids.length === 0) return null;
    await lockWorkerLedgerRows(
      tx,
      ids.map((r) => r.ledger_account_id),
    );
    const rows = await tx.$queryRaw<CandidateRow[]>`
      SELECT l.id AS loan_id, la.id AS ledger_account_id, la.balance,
        array_agg(i.number ORDER BY i.number) AS numbers, array_agg(i.principal::text ORDER BY i.number) AS principals,
        array_agg(i.interest::text ORDER BY i.number) AS interests,
        array_agg(i.paid_principal::text ORDER BY i.number) AS paid_principals,
        array_agg(i.paid_interest::text ORDER BY i.number) AS paid_interests
      FROM loan l JOIN account a ON a.id = l.account_id JOIN ledger_account la ON la.id = a.ledger_account_id
        JOIN loan_instalment i ON i.loan_id = l.id AND i.period <= ${period} AND i.status <> 'PAID'
      WHERE l.id = ANY(${ids.map((r) => r.id)}::bigint[]) AND l.status = 'DISBURSED' AND la.balance > 0
      GROUP BY l.id, la.id, la.balance
      ORDER BY l.id`;
    // Several loans of one account cannot both be open (one loan at a time), so each balance serves one loan.
    const offsets = rows.flatMap((r) => {
      const unpaid = r.numbers.map((number, k) =>
        unpaidOf({
          number,
          period,
          principal: r.principals[k]!,
          interest: r.interests[k]!,
          paid_principal: r.paid_principals[k]!,
          paid_interest: r.paid_interests[k]!,
          status: "DUE",
        } as never),
      );
      const due = unpaid.reduce(
        (s, i) => s.plus(i.principal.minus(i.paidPrincipal)).plus(i.interest.minus(i.paidInterest)),
        ZERO,
      );
      const balance = toMoney(r.balance);
      const take = balance.lessThan(due) ? balance : due;
      if (!take.greaterThan(0)) return [];
      return [{ row: r, take, allocation: allocate(unpaid, take) }];
    });
    const on = lastDayOf(period);
    await postForLoans(
      tx,
      hub.ledger,
      offsets.map((o) => ({
        loanId: o.row.loan_id,
        request: {
          kind: "LOAN_OFFSET" as const,
          postedOn: on,
          memo: `冲还贷 ${period}`,
          lines: [
            { ledgerAccountId: o.row.ledger_account_id, side: "D" as const, amount: o.take, worker: true },
            ...(o.allocation.principal.greaterThan(0)
              ? [
                  {
                    ledgerAccountId: hub.ledger.fund.LOAN_RECEIVABLE,
                    side: "C" as const,
                    amount: o.allocation.principal,
                  },
                ]
              : []),
            ...(o.allocation.interest.greaterThan(0)
              ? [
                  {
                    ledgerAccountId: hub.ledger.fund.LOAN_INTEREST_INCOME,
                    side: "C" as const,
                    amount: o.allocation.interest,
                  },
                ]
              : []),
          ],
        },
      })),
    );
    await payInstalments(
      tx,
      offsets.flatMap((o) =>
        o.allocation.payments.map((p) => ({
          loanId: o.row.loan_id,
          number: p.number,
          principal: p.principal.toFixed(2),
          interest: p.interest.toFixed(2),
          settled: p.settled,
        })),
      ),
    );
    const paidOff = await reduceOutstanding(
      tx,
      offsets
        .filter((o) => o.allocation.principal.greaterThan(0))
        .map((o) => ({ loanId: o.row.loan_id, principal: o.allocation.principal.toFixed(2) })),
    );
    const closed = await settleLoans(tx, paidOff, on, CENTER_CODE);
    // a loan whose overdue instalments the offset paid is no longer overdue
    const cleared = await tx.$queryRaw<{ id: bigint }[]>`
      SELECT l.id FROM loan l WHERE l.id = ANY(${offsets.map((o) => o.row.loan_id)}::bigint[]) AND l.status = 'DISBURSED'
        AND NOT EXISTS (SELECT 1 FROM loan_instalment i WHERE i.loan_id = l.id AND i.status = 'OVERDUE')`;
    closed.push(
      ...(await closeOverdueSpells(
        tx,
        cleared.map((r) => r.id),
        on,
      )),
    );
    await recordOverdueSpells(tx, [], closed);
    for (const o of offsets) {
      totals.offsets += o.allocation.payments.length;
      totals.amount = totals.amount.plus(o.take);
    }
    return ids.at(-1)!.id;
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
        { requestId: actor.requestId },
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
  const request = { key: idempotencyKey, operation: "runLoanRepayments", actor: actor.sub, input: { period } };
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
