// importLegacyAccounts: the accounts of the center's pre-pilot system (connectors.md, "Legacy accounts"), posted in
// batches (one transaction per batch, never one giant transaction). Each row opens an account with the row's number,
// SEALED and without an agreement (its owner enrols with enrollWorker, which signs the agreement on this account),
// its months carried (carried_history, source LEGACY: paidMonths count in duration, paidUpTo carries over as 缴至年月;
// the export has no continuity flag, so no carried continuity) and its balance brought over as one LEGACY_OPENING
// posting per row against FUND:LEGACY_CLEARING on the migration date. Idempotent per row: an account number already
// here for the same person is a duplicate and is left alone (a repeated or overlapping file posts nothing twice);
// the same number for another person, or a person who already has an open account here, is rejected by line (one
// person, one account: merging two accounts is not built). Imports are serialised by an advisory lock.
import { createHash } from "node:crypto";

import { stringToDate } from "../../db/dates";
import { inTransaction, isUniqueViolation, type Tx } from "../../db/transaction";
import { firstDayOfMonth } from "../../domain/calendar/calendar";
import type { PostingRequest } from "../../ledger/posting";
import { type ExchangeScope, recordBatchInTransaction } from "../audit/exchange-scope";
import type { BankImportResult } from "../deposits/import-bank-collection";
import type { Actor, HubServices } from "../hub-services";
import { peekIdempotent, requestHash, validKey } from "../idempotency";
import { userError } from "../user-error";
import { isLegacyProblem, type LegacyRow, readLegacyRows } from "./legacy-accounts.csv";

const OPERATION = "importLegacyAccounts";
export const LEGACY_BATCH_SIZE = 500;
const MAX_LISTED_ERRORS = 1000;

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

/** Opens one legacy account (person, ledger account, account, carried months); returns its ledger account id. */
async function openLegacyAccount(tx: Tx, row: LegacyRow): Promise<bigint> {
  const person = await tx.person.upsert({
    where: { idNumber: row.idNumber },
    create: { idNumber: row.idNumber, sex: row.sex, birthDate: stringToDate(row.birthDate), name: row.name },
    update: {},
  });
  const ledger = await tx.ledgerAccount.create({
    data: {
      code: `W:${row.accountNumber}`,
      type: "WORKER",
      normalSide: "C",
      name: `个人账户 ${row.accountNumber}（试点前）`,
    },
  });
  const account = await tx.account.create({
    data: {
      accountNumber: row.accountNumber,
      personId: person.id,
      ledgerAccountId: ledger.id,
      kind: "FLEXIBLE",
      status: "SEALED",
      countyCode: row.countyCode,
      openedOn: stringToDate(firstDayOfMonth(row.openedMonth)),
    },
  });
  await tx.carriedHistory.create({
    data: {
      accountId: account.id,
      source: "LEGACY",
      reference: row.accountNumber,
      paidMonths: row.paidMonths,
      paidUpTo: row.paidUpTo,
      continuousMonths: 0,
    },
  });
  return ledger.id;
}

async function postBatch(
  hub: HubServices,
  exchange: ExchangeScope | undefined,
  rows: LegacyRow[],
  migratedOn: string,
  tally: Tally,
): Promise<void> {
  await inTransaction(hub.prisma, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('legacy-accounts-import'))`;
    const numbers = rows.map((r) => r.accountNumber);
    const ids = rows.map((r) => r.idNumber);
    const taken = new Map(
      (
        await tx.$queryRaw<{ account_number: string; id_number: string }[]>`
          SELECT a.account_number, p.id_number FROM account a JOIN person p ON p.id = a.person_id
          WHERE a.account_number = ANY(${numbers}::text[])`
      ).map((r) => [r.account_number, r.id_number]),
    );
    const holders = new Set(
      (
        await tx.$queryRaw<{ id_number: string }[]>`
          SELECT DISTINCT p.id_number FROM account a JOIN person p ON p.id = a.person_id
          WHERE p.id_number = ANY(${ids}::text[]) AND a.status <> 'CLOSED'`
      ).map((r) => r.id_number),
    );
    const postings: PostingRequest[] = [];
    const written: string[] = [];
    for (const row of rows) {
      const owner = taken.get(row.accountNumber);
      if (owner === row.idNumber) {
        tally.result.duplicates++;
        continue;
      }
      if (owner !== undefined) {
        tally.reject(row.line, "ACCOUNT_NUMBER_TAKEN", "该账号已属于另一人");
        continue;
      }
      if (holders.has(row.idNumber)) {
        tally.reject(row.line, "PERSON_HAS_ACCOUNT", "该人员在本中心已有未销户的账户（一人一户），请人工核实合并");
        continue;
      }
      const ledgerAccountId = await openLegacyAccount(tx, row);
      taken.set(row.accountNumber, row.idNumber);
      holders.add(row.idNumber);
      written.push(row.accountNumber);
      tally.result.accepted++;
      if (row.balance.greaterThan(0))
        postings.push({
          kind: "LEGACY_OPENING",
          postedOn: migratedOn,
          memo: `试点前账户期初余额迁入 ${row.accountNumber}`,
          lines: [
            { ledgerAccountId: hub.ledger.fund.LEGACY_CLEARING, side: "D", amount: row.balance },
            { ledgerAccountId, side: "C", amount: row.balance, worker: true },
          ],
        });
    }
    await hub.ledger.postMany(tx, postings);
    // The batch's exchange record commits with the batch (rows counted, the account holders indexed).
    await recordBatchInTransaction(tx, exchange, OPERATION, {
      rows: rows.length,
      written: written.length,
      accountNumbers: written,
    });
  });
}

async function* hashing(input: string | AsyncIterable<string | Buffer>, hash: ReturnType<typeof createHash>) {
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

export interface LegacyImportOutcome {
  result: BankImportResult;
  /** The file was cut at a row past the limit (the streamed route answers 413). */
  truncated: boolean;
}

async function importFile(
  hub: HubServices,
  exchange: ExchangeScope | undefined,
  input: AsyncIterable<Buffer>,
  migratedOn: string,
  maxRows: number | undefined,
): Promise<LegacyImportOutcome> {
  const tally = new Tally();
  let truncated = false;
  let batch: LegacyRow[] = [];
  for await (const row of readLegacyRows(input, maxRows)) {
    if (isLegacyProblem(row)) {
      if (row.code === "TOO_MANY_ROWS") truncated = true;
      else if (row.code !== "INVALID_HEADER" && row.code !== "EMPTY_FILE") tally.result.rows++;
      tally.reject(row.line, row.code, row.message);
      continue;
    }
    tally.result.rows++;
    batch.push(row);
    if (batch.length >= LEGACY_BATCH_SIZE) {
      await postBatch(hub, exchange, batch, migratedOn, tally);
      batch = [];
    }
  }
  if (batch.length > 0) await postBatch(hub, exchange, batch, migratedOn, tally);
  return { result: tally.finish(), truncated };
}

export function shanghaiToday(at = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(at);
}

export interface LegacyImportOptions {
  /** The migration date the opening balances are posted on (interest counts from it); default today in Shanghai. */
  migratedOn?: string;
  maxRows?: number;
}

export async function importLegacyAccounts(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
  options: LegacyImportOptions = {},
): Promise<LegacyImportOutcome> {
  const refused = (code: string, message: string): LegacyImportOutcome => ({
    result: {
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      missed: 0,
      rows: 0,
      errors: [userError(code, message, "idempotencyKey")],
    },
    truncated: false,
  });
  if (!validKey(key)) return refused("INVALID_IDEMPOTENCY_KEY", "幂等键须为 8–128 个可见 ASCII 字符");
  const hash = createHash("sha256");
  if (await hub.prisma.idempotencyRecord.findUnique({ where: { key } })) {
    for await (const chunk of hashing(input, hash)) void chunk; // only the digest tells a replay from a reuse
    const replay = await peekIdempotent<BankImportResult>(hub.prisma, {
      key,
      operation: OPERATION,
      actor: actor.sub,
      exchange: actor.exchange,
      input: { digest: hash.digest("hex") },
    });
    if (replay && "ok" in replay) return { result: replay.ok, truncated: false };
    return refused("IDEMPOTENCY_KEY_REUSED", "该幂等键已用于另一份不同的文件");
  }
  const outcome = await importFile(
    hub,
    actor.exchange,
    hashing(input, hash),
    options.migratedOn ?? shanghaiToday(),
    options.maxRows,
  );
  if (outcome.truncated) return outcome; // a cut file is not stored: its rows are idempotent, a corrected file may follow
  try {
    await hub.prisma.idempotencyRecord.create({
      data: {
        key,
        operation: OPERATION,
        actor: actor.sub,
        requestHash: requestHash(OPERATION, { digest: hash.digest("hex") }),
        response: outcome.result as unknown as object,
      },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e; // a concurrent import under the same key finished first; rows deduplicated
  }
  return outcome;
}
