// The bank payout result file 代发回盘, imported in batches (one transaction per batch). SUCCESS confirms a payout;
// FAILED credits its amount back exactly once as a REVERSAL of the payout's posting (never an edit) and, after an exit,
// reopens the account as SEALED so the money is never lost. A reference answered before (this file or an earlier
// one) is a duplicate and changes nothing; an unknown reference, another account or another amount is rejected by line.
import { dateToString } from "../../db/dates";
import { inTransaction, type Tx } from "../../db/transaction";
import { compareDates } from "../../domain/calendar/calendar";
import { toMoney } from "../../domain/money/money";
import { lockWorkerLedgerRows } from "../../ledger/worker-lock";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { type ExchangeScope, recordBatchInTransaction } from "../audit/exchange-scope";
import type { BankImportResult } from "../deposits/import-bank-collection";
import type { Actor, HubServices } from "../hub-services";
import {
  type ImportTally,
  type ImportTarget,
  runStreamedImport,
  type StreamedImportOutcome,
} from "../imports/streamed-import";
import { BANK_PAYOUT_CSV, isPayoutProblem, type PayoutRow } from "./bank-payout.csv";

export const PAYOUT_BATCH_SIZE = 1000;

interface PayoutRecord {
  payout_ref: string;
  account_id: bigint;
  account_number: string;
  kind: string;
  amount: { toFixed(): string };
  requested_on: Date;
  posting_id: bigint;
  status: string;
  ledger_account_id: bigint;
}

async function lockPayouts(tx: Tx, refs: string[]): Promise<Map<string, PayoutRecord>> {
  const rows = await tx.$queryRaw<PayoutRecord[]>`
    SELECT po.payout_ref, po.account_id, a.account_number, po.kind, po.amount, po.requested_on, po.posting_id, po.status,
           a.ledger_account_id
    FROM payout po JOIN account a ON a.id = po.account_id
    WHERE po.payout_ref = ANY(${refs}::text[])
    ORDER BY po.payout_ref
    FOR UPDATE OF po`;
  return new Map(rows.map((r) => [r.payout_ref, r]));
}

async function failPayout(hub: HubServices, tx: Tx, payout: PayoutRecord, row: PayoutRow): Promise<void> {
  const requestedOn = dateToString(payout.requested_on);
  const on = compareDates(row.paidOn, requestedOn) < 0 ? requestedOn : row.paidOn;
  const amount = toMoney(payout.amount);
  await lockWorkerLedgerRows(tx, [payout.ledger_account_id]);
  const reversal = await hub.ledger.post(tx, {
    kind: "REVERSAL",
    postedOn: on,
    reversesId: payout.posting_id,
    memo: `代发失败退回 ${payout.payout_ref}`,
    lines: [
      { ledgerAccountId: payout.ledger_account_id, side: "C", amount, worker: true },
      { ledgerAccountId: hub.ledger.fund.BANK_SETTLEMENT, side: "D", amount },
    ],
  });
  await tx.$executeRaw`
    UPDATE payout SET status = 'FAILED', result_on = ${row.paidOn}::date, reason = ${row.reason},
      reversal_posting_id = ${reversal.postingId}::bigint
    WHERE payout_ref = ${payout.payout_ref}`;
  if (payout.kind !== "EXIT_PAYOUT") return;
  // After an exit the money comes back to a SEALED account (the agreement stays ended), registered again nationally.
  const reopened = await tx.account.updateMany({
    where: { id: payout.account_id, status: "CLOSED" },
    data: { status: "SEALED", closedOn: null, closeCode: null },
  });
  if (reopened.count === 0) return;
  const account = await tx.account.findUniqueOrThrow({
    where: { id: payout.account_id },
    select: { kind: true, person: { select: { idNumber: true } } },
  });
  await tx.outboxMessage.create({
    data: {
      topic: "national.registerAccount",
      payload: {
        idNumber: account.person.idNumber,
        centerCode: CENTER_CODE,
        accountNumber: payout.account_number,
        kind: account.kind,
        by: "system:payout-import",
        reopenedOn: on,
      },
    },
  });
}

async function postBatch(
  hub: HubServices,
  rows: PayoutRow[],
  tally: ImportTally,
  exchange: ExchangeScope | undefined,
): Promise<void> {
  let reopenedAny = false;
  await inTransaction(hub.prisma, async (tx) => {
    const payouts = await lockPayouts(tx, [...new Set(rows.map((r) => r.payoutRef))]);
    const confirmed: PayoutRow[] = [];
    for (const row of rows) {
      const payout = payouts.get(row.payoutRef);
      if (!payout) {
        tally.reject(row.line, [{ code: "UNKNOWN_PAYOUT_REF", message: "代发流水号不存在（中心未发起该笔代发）" }]);
        continue;
      }
      if (payout.account_number !== row.accountNumber) {
        tally.reject(row.line, [{ code: "ACCOUNT_MISMATCH", message: "账号与该笔代发的账号不一致" }]);
        continue;
      }
      if (!toMoney(payout.amount).equals(row.amount)) {
        const message = `金额与该笔代发金额 ${toMoney(payout.amount).toFixed(2)} 不一致`;
        tally.reject(row.line, [{ code: "AMOUNT_MISMATCH", message }]);
        continue;
      }
      if (payout.status !== "PENDING") {
        tally.result.duplicates++;
        continue;
      }
      if (row.result === "SUCCESS") {
        confirmed.push(row);
      } else {
        await failPayout(hub, tx, payout, row);
        reopenedAny ||= payout.kind === "EXIT_PAYOUT";
        tally.result.missed++;
      }
      payout.status = row.result === "SUCCESS" ? "PAID" : "FAILED"; // a repeat later in the file is a duplicate
      tally.result.accepted++;
    }
    if (confirmed.length > 0) {
      await tx.$executeRaw`
        UPDATE payout SET status = 'PAID', result_on = c.paid_on
        FROM unnest(${confirmed.map((r) => r.payoutRef)}::text[], ${confirmed.map((r) => r.paidOn)}::date[]) AS c(ref, paid_on)
        WHERE payout.payout_ref = c.ref`;
    }
    // The batch's exchange record commits with the batch (rows counted, the account holders indexed).
    const written = rows.filter((r) => payouts.get(r.payoutRef)?.account_number === r.accountNumber);
    await recordBatchInTransaction(tx, exchange, "importBankPayouts", {
      rows: rows.length,
      written: written.length,
      accountNumbers: written.map((r) => r.accountNumber),
    });
  });
  // After an exit whose payout failed, the reopened account's national registration is due at once.
  if (reopenedAny) hub.outbox.kick();
}

/** The payout file as the streamed-import engine posts it (src/services/imports/streamed-import.ts). */
export const BANK_PAYOUT_IMPORT: ImportTarget<PayoutRow> = {
  ...BANK_PAYOUT_CSV,
  operation: "importBankPayouts",
  batchSize: PAYOUT_BATCH_SIZE,
  isProblem: isPayoutProblem,
  postBatch,
};

/** One payout file under an idempotency key (replay returns the first result; another file is refused). */
export function runPayoutImport(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
): Promise<StreamedImportOutcome> {
  return runStreamedImport(hub, actor, key, input, BANK_PAYOUT_IMPORT);
}

export async function importBankPayouts(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
): Promise<BankImportResult> {
  return (await runPayoutImport(hub, actor, key, input)).result;
}
