// The bank payout result file 代发回盘, imported in batches (one transaction per batch). SUCCESS confirms a payout;
// FAILED credits its amount back exactly once as a REVERSAL of the payout's posting (never an edit) and, after an exit,
// reopens the account as SEALED so the money is never lost. A reference answered before (this file or an earlier
// one) is a duplicate and changes nothing; an unknown reference, another account or another amount is rejected by line.
import { createHash } from "node:crypto";

import { dateToString } from "../../db/dates";
import { inTransaction, isUniqueViolation, type Tx } from "../../db/transaction";
import { compareDates } from "../../domain/calendar/calendar";
import { toMoney } from "../../domain/money/money";
import { lockWorkerLedgerRows } from "../../ledger/worker-lock";
import { recordBatchInTransaction } from "../audit/exchange-scope";
import type { BankImportResult } from "../deposits/import-bank-collection";
import type { Actor, HubServices } from "../hub-services";
import { peekIdempotent, requestHash, validKey } from "../idempotency";
import { userError } from "../user-error";
import { isPayoutProblem, type PayoutRow, readPayoutRows } from "./bank-payout.csv";

const OPERATION = "importBankPayouts";
export const PAYOUT_BATCH_SIZE = 1000;
const MAX_LISTED_ERRORS = 1000;
const CENTER_CODE = "140500";

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

class Tally {
  readonly result: BankImportResult = { accepted: 0, rejected: 0, duplicates: 0, missed: 0, rows: 0, errors: [] };
  private unlisted = 0;

  reject(line: number, code: string, message: string): void {
    this.result.rejected++;
    if (this.result.errors.length < MAX_LISTED_ERRORS)
      this.result.errors.push({ code, field: `line:${line}`, message: `第${line}行：${message}` });
    else this.unlisted++;
  }

  finish(): BankImportResult {
    if (this.unlisted > 0)
      this.result.errors.push({ code: "TOO_MANY_ERRORS", field: null, message: `另有 ${this.unlisted} 行错误未列出` });
    return this.result;
  }
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

async function postBatch(hub: HubServices, rows: PayoutRow[], tally: Tally): Promise<boolean> {
  let reopenedAny = false;
  await inTransaction(hub.prisma, async (tx) => {
    const payouts = await lockPayouts(tx, [...new Set(rows.map((r) => r.payoutRef))]);
    const confirmed: PayoutRow[] = [];
    for (const row of rows) {
      const payout = payouts.get(row.payoutRef);
      if (!payout) {
        tally.reject(row.line, "UNKNOWN_PAYOUT_REF", "代发流水号不存在（中心未发起该笔代发）");
        continue;
      }
      if (payout.account_number !== row.accountNumber) {
        tally.reject(row.line, "ACCOUNT_MISMATCH", "账号与该笔代发的账号不一致");
        continue;
      }
      if (!toMoney(payout.amount).equals(row.amount)) {
        tally.reject(row.line, "AMOUNT_MISMATCH", `金额与该笔代发金额 ${toMoney(payout.amount).toFixed(2)} 不一致`);
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
    await recordBatchInTransaction(tx, "importBankPayouts", {
      rows: rows.length,
      written: written.length,
      accountNumbers: written.map((r) => r.accountNumber),
    });
  });
  return reopenedAny;
}

/** Hashes what passes, so the file's digest is known without holding it. */
async function* hashing(
  input: string | AsyncIterable<string | Buffer>,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<Buffer> {
  if (typeof input === "string") {
    const bytes = Buffer.from(input);
    hash.update(bytes);
    yield bytes;
    return;
  }
  for await (const chunk of input) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    yield bytes;
  }
}

async function importFile(hub: HubServices, input: AsyncIterable<Buffer>): Promise<BankImportResult> {
  const tally = new Tally();
  let batch: PayoutRow[] = [];
  let reopened = false;
  for await (const row of readPayoutRows(input)) {
    if (isPayoutProblem(row)) {
      if (row.code !== "INVALID_HEADER" && row.code !== "EMPTY_FILE") tally.result.rows++;
      tally.reject(row.line, row.code, row.message);
      continue;
    }
    tally.result.rows++;
    batch.push(row);
    if (batch.length >= PAYOUT_BATCH_SIZE) {
      reopened = (await postBatch(hub, batch, tally)) || reopened;
      batch = [];
    }
  }
  if (batch.length > 0) reopened = (await postBatch(hub, batch, tally)) || reopened;
  if (reopened) hub.outbox.kick();
  return tally.finish();
}

export async function importBankPayouts(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
): Promise<BankImportResult> {
  const refused = (code: string, message: string): BankImportResult => ({
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    missed: 0,
    rows: 0,
    errors: [userError(code, message, "idempotencyKey")],
  });
  if (!validKey(key)) return refused("INVALID_IDEMPOTENCY_KEY", "幂等键须为 8–128 个可见 ASCII 字符");
  const hash = createHash("sha256");
  if (await hub.prisma.idempotencyRecord.findUnique({ where: { key } })) {
    for await (const chunk of hashing(input, hash)) void chunk; // only the digest is needed to tell a replay from a reuse
    const replay = await peekIdempotent<BankImportResult>(hub.prisma, {
      key,
      operation: OPERATION,
      actor: actor.sub,
      input: { digest: hash.digest("hex") },
    });
    if (replay && "ok" in replay) return replay.ok;
    return refused("IDEMPOTENCY_KEY_REUSED", "该幂等键已用于另一份不同的文件");
  }
  const result = await importFile(hub, hashing(input, hash));
  try {
    await hub.prisma.idempotencyRecord.create({
      data: {
        key,
        operation: OPERATION,
        actor: actor.sub,
        requestHash: requestHash(OPERATION, { digest: hash.digest("hex") }),
        response: result as unknown as object,
      },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e; // a concurrent import under the same key finished first; rows deduplicated by reference
  }
  return result;
}
