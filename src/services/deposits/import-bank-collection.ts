// Imports a bank collection result file in batches (one transaction per batch, never one giant one).
// A SUCCESS row posts exactly as recordDeposit would (same rules, same posting engine), keyed by the bank's
// paymentRef: a reference seen before (this file or an earlier one) counts as a duplicate and posts nothing.
// A FAILED row is recorded as a missed collection. A row that breaks a rule is rejected with its line and code.
import { pgArray } from "../../db/pg-array";
import type { Tx } from "../../db/transaction";
import { inTransaction } from "../../db/transaction";
import { checkMonthlyDeposit, depositKind, type DepositLimits } from "../../domain/deposits/deposit.rule";
import { lockAccounts } from "../../ledger/worker-lock";
import { recordBatchInTransaction } from "../audit/exchange-scope";
import type { HubServices } from "../hub-services";
import {
  type ImportResult,
  importRows,
  type ImportTally,
  type ImportTarget,
  readCsvRows,
} from "../imports/streamed-import";
import { BANK_COLLECTION_CSV, type BankRow, isProblem } from "./bank-collection.csv";
import { accountRefusal, type DepositPostingRequest, paidAmong, postDeposits } from "./deposit-posting";

export type BankImportResult = ImportResult;

export const BATCH_SIZE = 1000;
/** Transaction-level advisory lock that serialises bank import batches (the migrator's session lock is 140500). */
const BANK_IMPORT_LOCK_KEY = 140501;

async function postBatch(hub: HubServices, rows: BankRow[], tally: ImportTally): Promise<void> {
  // Parameters are read before the transaction opens (on PGlite a read outside it would wait for it).
  const limitsOn = new Map<string, DepositLimits>();
  for (const date of new Set(rows.map((r) => r.paidOn)))
    limitsOn.set(date, (await hub.policy.on(date)).depositLimits());
  await inTransaction(hub.prisma, async (tx: Tx) => {
    // Batches of concurrent imports queue here, so each sees the references the other committed: a file retried
    // while its first import still runs counts duplicates instead of failing on the payment-reference keys.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BANK_IMPORT_LOCK_KEY}::bigint)`;
    const refs = [...new Set(rows.map((r) => r.paymentRef))];
    const seen = new Set(
      (
        await tx.$queryRaw<
          { payment_ref: string }[]
        >`SELECT payment_ref FROM bank_payment_ref WHERE payment_ref = ANY(${pgArray(refs)}::text[])`
      ).map((r) => r.payment_ref),
    );
    const fresh = rows.filter((r) => {
      if (seen.has(r.paymentRef)) {
        tally.result.duplicates++;
        return false;
      }
      seen.add(r.paymentRef); // a reference repeated later in the same file is a duplicate too
      return true;
    });
    const failed = fresh.filter((r) => r.result === "FAILED");
    const succeeded = fresh.filter((r) => r.result === "SUCCESS");
    const accounts = await lockAccounts(
      tx,
      succeeded.map((r) => r.accountNumber),
    );
    const paid = await paidAmong(
      tx,
      succeeded.flatMap((r) => {
        const a = accounts.get(r.accountNumber);
        return a ? [{ accountId: a.id, period: r.period }] : [];
      }),
    );
    const deposits: DepositPostingRequest[] = [];
    for (const row of succeeded) {
      const account = accounts.get(row.accountNumber) ?? null;
      const refused = accountRefusal(account);
      if (refused || !account) {
        tally.reject(row.line, [refused!]);
        continue;
      }
      const periods = paid.get(account.id)!;
      const violations = checkMonthlyDeposit(
        {
          period: row.period,
          amount: row.amount,
          paidOn: row.paidOn,
          openedOn: account.openedOn,
          paidPeriods: periods,
        },
        limitsOn.get(row.paidOn)!,
      );
      if (violations.length > 0) {
        tally.reject(row.line, violations);
        continue;
      }
      periods.add(row.period);
      deposits.push({
        account,
        kind: depositKind(row.period, row.paidOn),
        months: [{ period: row.period, amount: row.amount }],
        paidOn: row.paidOn,
        channel: "BANK_COLLECTION",
        paymentRef: row.paymentRef,
      });
    }
    await postDeposits(tx, hub.ledger, deposits);
    if (failed.length > 0) {
      await tx.$executeRaw`
        INSERT INTO missed_collection (payment_ref, account_id, account_number, period, amount, paid_on, reason)
        SELECT f.ref, a.id, f.account_number, f.period, f.amount, f.paid_on, f.reason
        FROM unnest(${pgArray(failed.map((r) => r.paymentRef))}::text[], ${pgArray(failed.map((r) => r.accountNumber))}::text[],
                    ${pgArray(failed.map((r) => r.period))}::char(7)[], ${pgArray(failed.map((r) => r.amount.toFixed(2)))}::numeric[],
                    ${pgArray(failed.map((r) => r.paidOn))}::date[], ${pgArray(failed.map((r) => r.reason))}::text[])
             AS f(ref, account_number, period, amount, paid_on, reason)
        LEFT JOIN account a ON a.account_number = f.account_number`;
    }
    const refsDone = [
      ...deposits.map((d) => ({ ref: d.paymentRef, outcome: "POSTED" })),
      ...failed.map((r) => ({ ref: r.paymentRef, outcome: "FAILED" })),
    ];
    await tx.$executeRaw`
      INSERT INTO bank_payment_ref (payment_ref, outcome) SELECT * FROM unnest(${pgArray(refsDone.map((x) => x.ref))}::text[], ${pgArray(refsDone.map((x) => x.outcome))}::text[])`;
    // The batch's exchange record commits with the batch (rows counted, the account holders indexed).
    await recordBatchInTransaction(tx, "importBankCollection", {
      rows: rows.length,
      written: refsDone.length,
      accountNumbers: [...deposits.map((d) => d.account.accountNumber), ...failed.map((r) => r.accountNumber)],
    });
    tally.result.accepted += deposits.length;
    tally.result.missed += failed.length;
  });
}

/** The collection file as the streamed-import engine posts it (src/services/imports/streamed-import.ts). */
export const BANK_COLLECTION_IMPORT: ImportTarget<BankRow> = {
  ...BANK_COLLECTION_CSV,
  operation: "importBankCollection",
  batchSize: BATCH_SIZE,
  isProblem,
  postBatch,
};

/** Imports a file without an idempotency key (demo data, scripts): each paymentRef still posts at most once. */
export function importBankCollection(
  hub: HubServices,
  input: string | AsyncIterable<string | Buffer>,
): Promise<BankImportResult> {
  return importRows(hub, readCsvRows(input, BANK_COLLECTION_IMPORT), BANK_COLLECTION_IMPORT);
}
