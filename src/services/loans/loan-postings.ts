// Postings of the loan book: each is linked to its loan (loan_posting) and its loan measures written in the same
// transaction (the loan receivable has no account of its own to key the metrics by: the link names the borrower).
import type { Tx } from "../../db/transaction";
import { toMoney } from "../../domain/money/money";
import type { Ledger } from "../../ledger/ledger";
import type { PostingRequest, PostingResult } from "../../ledger/posting";
import { recordLoanPostingMetrics } from "../metrics/metric-deltas";

export async function postForLoans(
  tx: Tx,
  ledger: Ledger,
  requests: readonly { loanId: bigint; request: PostingRequest }[],
): Promise<PostingResult[]> {
  if (requests.length === 0) return [];
  const results = await ledger.postMany(
    tx,
    requests.map((r) => r.request),
  );
  const postingIds = results.map((r) => r.postingId);
  await tx.$executeRaw`
    INSERT INTO loan_posting (posting_id, loan_id)
    SELECT * FROM unnest(${postingIds}::bigint[], ${requests.map((r) => r.loanId)}::bigint[])`;
  await recordLoanPostingMetrics(tx, postingIds);
  return results;
}

/** Queues the national platform's registration (disbursed) or settlement (settled) of loans, by loan id. */
export async function queueNationalLoanMessages(
  tx: Tx,
  topic: "national.registerLoan" | "national.settleLoan",
  loanIds: readonly bigint[],
  centerCode: string,
): Promise<void> {
  if (loanIds.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO outbox_message (topic, payload)
    SELECT ${topic}, json_build_object('idNumber', p.id_number::text, 'centerCode', ${centerCode}::text, 'loanNumber', l.loan_number)::jsonb
    FROM loan l JOIN person p ON p.id = l.person_id WHERE l.id = ANY(${[...loanIds]}::bigint[]) ORDER BY l.id`;
}

/** Closes the open overdue spells of loans on `on`; returns the closed spells' ids (for the metric deltas). */
export async function closeOverdueSpells(tx: Tx, loanIds: readonly bigint[], on: string): Promise<bigint[]> {
  if (loanIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: bigint }[]>`
    UPDATE loan_overdue_spell SET to_on = ${on}::date
    WHERE to_on IS NULL AND loan_id = ANY(${[...loanIds]}::bigint[]) RETURNING id`;
  return rows.map((r) => r.id);
}

export interface InstalmentPaymentRow {
  loanId: bigint;
  number: number;
  principal: string;
  interest: string;
  settled: boolean;
}

/** Adds payments to instalments (one statement); a fully paid instalment becomes PAID. */
export async function payInstalments(tx: Tx, rows: readonly InstalmentPaymentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE loan_instalment i SET paid_principal = i.paid_principal + u.principal, paid_interest = i.paid_interest + u.interest,
      status = CASE WHEN u.settled THEN 'PAID' ELSE i.status END
    FROM (SELECT * FROM unnest(${rows.map((r) => r.loanId)}::bigint[], ${rows.map((r) => r.number)}::int[],
      ${rows.map((r) => r.principal)}::numeric[], ${rows.map((r) => r.interest)}::numeric[], ${rows.map((r) => r.settled)}::boolean[])
      AS t(loan_id, number, principal, interest, settled)) u
    WHERE i.loan_id = u.loan_id AND i.number = u.number`;
}

/** Takes principal off loans' outstanding (one statement); returns the loans now fully repaid. */
export async function reduceOutstanding(
  tx: Tx,
  rows: readonly { loanId: bigint; principal: string }[],
): Promise<bigint[]> {
  if (rows.length === 0) return [];
  const paidOff = await tx.$queryRaw<{ id: bigint; outstanding_principal: { toFixed(): string } }[]>`
    UPDATE loan l SET outstanding_principal = l.outstanding_principal - u.principal
    FROM (SELECT * FROM unnest(${rows.map((r) => r.loanId)}::bigint[], ${rows.map((r) => r.principal)}::numeric[]) AS t(loan_id, principal)) u
    WHERE l.id = u.loan_id
    RETURNING l.id, l.outstanding_principal`;
  return paidOff.filter((r) => toMoney(r.outstanding_principal).isZero()).map((r) => r.id);
}

/** Marks fully repaid loans SETTLED on `on`: open overdue spells close, unpaid future instalments go, the national
 *  platform is told (outbox). Returns the closed spells. */
export async function settleLoans(
  tx: Tx,
  loanIds: readonly bigint[],
  on: string,
  centerCode: string,
): Promise<bigint[]> {
  if (loanIds.length === 0) return [];
  await tx.$executeRaw`UPDATE loan SET status = 'SETTLED', closed_on = ${on}::date WHERE id = ANY(${[...loanIds]}::bigint[])`;
  await tx.$executeRaw`DELETE FROM loan_instalment WHERE loan_id = ANY(${[...loanIds]}::bigint[]) AND status <> 'PAID'
    AND paid_principal = 0 AND paid_interest = 0`;
  await queueNationalLoanMessages(tx, "national.settleLoan", loanIds, centerCode);
  return closeOverdueSpells(tx, loanIds, on);
}
