// settleGraduateSubsidies: asks the finance bureau what it decided on a batch (before any transaction opens; if
// finance is down, CONNECTOR_UNAVAILABLE and nothing is written), then, under a lock on the batch row, credits each
// claim finance reports PAID that is still CLAIMED (one GRADUATE_SUBSIDY posting: debit subsidy receivable, credit
// the worker; the claim's postingId set in the same transaction) and marks REJECTED claims with finance's reason.
// Replays and concurrent calls queue on the batch row and find those claims no longer CLAIMED: nothing twice.
import type { FinanceBatch } from "../../connectors/finance/finance.port";
import type { Tx } from "../../db/transaction";
import { toMoney } from "../../domain/money/money";
import type { Ledger } from "../../ledger/ledger";
import { lockWorkerLedgerRows } from "../../ledger/worker-lock";
import { callFor } from "../audit/outbound-exchange";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { submitClaimedBatch } from "./submit-subsidy-batch";
import {
  BATCH_NOT_FOUND,
  OPEN_STATUSES,
  type SubsidyBatchRef,
  type SubsidyBatchResult,
  subsidyBatchResult,
} from "./subsidy-batch.view";

export interface SettleGraduateSubsidiesCommand {
  batchNo: string;
  idempotencyKey: string;
}

interface OpenClaim {
  id: bigint;
  claim_no: string;
  period: string;
  amount: { toFixed(): string };
  ledger_account_id: bigint;
}

/** Claims finance paid: one posting each, then PAID with the posting's id (only while still CLAIMED). */
async function creditPaid(
  tx: Tx,
  ledger: Ledger,
  batchNo: string,
  paid: { claim: OpenClaim; paidOn: string }[],
): Promise<void> {
  if (paid.length === 0) return;
  // Worker rows in id order, as deposits lock them, so a settlement and a deposit batch never deadlock.
  await lockWorkerLedgerRows(
    tx,
    paid.map((p) => p.claim.ledger_account_id),
  );
  const fund = ledger.fund;
  const postings = await ledger.postMany(
    tx,
    paid.map(({ claim, paidOn }) => ({
      kind: "GRADUATE_SUBSIDY",
      postedOn: paidOn,
      memo: `graduate subsidy ${claim.claim_no} (${batchNo})`,
      lines: [
        { ledgerAccountId: fund.SUBSIDY_RECEIVABLE, side: "D" as const, amount: toMoney(claim.amount) },
        {
          ledgerAccountId: claim.ledger_account_id,
          side: "C" as const,
          amount: toMoney(claim.amount),
          worker: true,
          period: claim.period,
        },
      ],
    })),
  );
  const updated = await tx.$executeRaw`
    UPDATE subsidy_claim c SET status = 'PAID', paid_on = d.paid_on, posting_id = d.posting_id
    FROM (SELECT unnest(${paid.map((p) => p.claim.id)}::bigint[]) AS id, unnest(${paid.map((p) => p.paidOn)}::date[]) AS paid_on,
                 unnest(${postings.map((p) => p.postingId)}::bigint[]) AS posting_id) d
    WHERE c.id = d.id AND c.status = 'CLAIMED'`;
  if (updated !== paid.length)
    throw new Error(`graduate subsidy batch ${batchNo}: a paid claim was settled concurrently`);
}

async function applyFinanceAnswer(tx: Tx, ledger: Ledger, batchId: bigint, answer: FinanceBatch): Promise<void> {
  await tx.$queryRaw`SELECT id FROM subsidy_batch WHERE id = ${batchId} FOR UPDATE`;
  const open = await tx.$queryRaw<OpenClaim[]>`
    SELECT c.id, c.claim_no, c.period, c.amount, a.ledger_account_id
    FROM subsidy_claim c JOIN account a ON a.id = c.account_id
    WHERE c.batch_id = ${batchId} AND c.status = 'CLAIMED' ORDER BY c.id`;
  const results = new Map(answer.results.map((r) => [r.claimNo, r]));
  const paid = open.flatMap((claim) => {
    const r = results.get(claim.claim_no);
    return r?.status === "PAID" && r.paidOn ? [{ claim, paidOn: r.paidOn }] : [];
  });
  const rejected = open.flatMap((claim) => {
    const r = results.get(claim.claim_no);
    return r?.status === "REJECTED" ? [{ id: claim.id, reason: r.reason ?? "REJECTED" }] : [];
  });
  await creditPaid(tx, ledger, answer.batchNo, paid);
  if (rejected.length > 0) {
    await tx.$executeRaw`
      UPDATE subsidy_claim c SET status = 'REJECTED', reason = d.reason
      FROM (SELECT unnest(${rejected.map((r) => r.id)}::bigint[]) AS id, unnest(${rejected.map((r) => r.reason)}::text[]) AS reason) d
      WHERE c.id = d.id AND c.status = 'CLAIMED'`;
  }
  // The batch's totals from its claims; final once no claim is undecided.
  await tx.$executeRaw`
    UPDATE subsidy_batch b SET paid_count = s.paid, paid_amount = s.paid_amount,
      status = CASE WHEN s.undecided > 0 THEN 'RECEIVED' WHEN s.paid = s.total THEN 'PAID' WHEN s.paid = 0 THEN 'REJECTED' ELSE 'PARTIALLY_PAID' END,
      settled_at = CASE WHEN s.undecided = 0 THEN coalesce(b.settled_at, now()) END
    FROM (SELECT count(*) FILTER (WHERE status = 'PAID')::int AS paid, coalesce(sum(amount) FILTER (WHERE status = 'PAID'), 0) AS paid_amount,
                 count(*) FILTER (WHERE status = 'CLAIMED')::int AS undecided, count(*)::int AS total
          FROM subsidy_claim WHERE batch_id = ${batchId}) s
    WHERE b.id = ${batchId}`;
}

interface FinanceAnswer {
  batchId: bigint;
  /** Null when the batch is no longer open (finance decided everything already). */
  answer: FinanceBatch | null;
}

/** Finance's decisions on the batch, asked before any transaction opens (a resend first if it never acknowledged). */
async function askFinance(hub: HubServices, actor: Actor, batchNo: string): Promise<Outcome<FinanceAnswer>> {
  const batch = await hub.prisma.subsidyBatch.findUnique({ where: { batchNo }, select: { id: true, status: true } });
  if (!batch) return { userErrors: [BATCH_NOT_FOUND] };
  if (!(OPEN_STATUSES as readonly string[]).includes(batch.status)) return { ok: { batchId: batch.id, answer: null } };
  await submitClaimedBatch(hub, batchNo, actor); // a no-op unless finance never acknowledged the batch
  return { ok: { batchId: batch.id, answer: await hub.finance.getBatch(batchNo, callFor(actor)) } };
}

export async function settleGraduateSubsidies(
  hub: HubServices,
  actor: Actor,
  c: SettleGraduateSubsidiesCommand,
): Promise<Outcome<SubsidyBatchResult>> {
  const answerOf = async (ref: SubsidyBatchRef): Promise<Outcome<SubsidyBatchResult>> => {
    const result = await subsidyBatchResult(hub.prisma, ref.batchNo);
    return result ? { ok: result } : { userErrors: [BATCH_NOT_FOUND] };
  };
  const outcome = await runCommand<SubsidyBatchRef, FinanceAnswer>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "settleGraduateSubsidies",
      actor: actor.sub,
      exchange: actor.exchange,
      input: { batchNo: c.batchNo },
    },
    outside: () => askFinance(hub, actor, c.batchNo),
    transaction: async (tx, finance) => {
      if (finance.answer) await applyFinanceAnswer(tx, hub.ledger, finance.batchId, finance.answer);
      return { ok: { batchNo: c.batchNo } };
    },
  });
  return "ok" in outcome ? answerOf(outcome.ok) : outcome;
}
