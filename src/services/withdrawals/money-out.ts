// The shared core of money out (withdraw, exitAgreement): lock the worker's ledger row, gather the facts the
// withdrawal rules need, and post a payout (a debit of the worker, paid through the bank) with its payout record.
import { dateToString, stringToDate } from "../../db/dates";
import { inOrder, sendWrite, type SqlTx } from "../../db/driver-sql";
import type { Tx } from "../../db/transaction";
import { type MoneyValue, toMoney } from "../../domain/money/money";
import { hasOutstandingLoan, type SubsidyCredit } from "../../domain/withdrawals/withdrawal.rule";
import type { Ledger } from "../../ledger/ledger";
import type { PostedEntry } from "../../ledger/posting";
import { lockAccount, type LockedAccount } from "../../ledger/worker-lock";
import { CENTER_CODE } from "../accounts/enroll-worker";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor } from "../hub-services";
import { loanFacts, loanStatusesOfPerson } from "../loans/loan-book";
import { recordExit } from "../metrics/metric-deltas";
import { isBanned } from "../risk/fraud-bans";

export type PayoutKind = "WITHDRAWAL" | "EXIT_PAYOUT";

export interface MoneyOutAccount extends LockedAccount {
  balance: MoneyValue;
  personId: bigint;
  idNumber: string;
  countyCode: string;
  employmentForm: string | null;
  subsidyCredits: SubsidyCredit[];
  hasOutstandingLoan: boolean;
  loanInApplication: boolean;
  /** A ban blocking this action in force on its date (a withdrawal-fraud ban: fraud-ban.rule.ts). */
  banInForce: boolean;
  /** For the withdrawable-balance rule: outstanding or in application. */
  loanOutstanding: boolean;
}

/**
 * Locks the account's ledger row and reads what the withdrawal rules decide on for `action` on `on` (its business
 * date); null when there is no such account. In a driver transaction the reads travel with the lock (inOrder): each
 * runs after the lock is held, so the balance read is the locked row's.
 */
export async function lockForMoneyOut(
  tx: SqlTx,
  accountNumber: string,
  action: "WITHDRAW" | "EXIT" | "TRANSFER",
  on: string,
): Promise<MoneyOutAccount | null> {
  const [account, [row], subsidies] = await inOrder(
    tx,
    () => lockAccount(tx, accountNumber),
    () => tx.$queryRaw<
      {
        balance: { toFixed(): string };
        person_id: bigint;
        id_number: string;
        county_code: string;
        employment_form: string | null;
      }[]
    >`
      SELECT la.balance, a.person_id, p.id_number, a.county_code, a.employment_form
      FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id JOIN person p ON p.id = a.person_id
      WHERE a.account_number = ${accountNumber}`,
    () => tx.$queryRaw<{ posted_on: Date; credit: { toFixed(): string } }[]>`
      SELECT e.posted_on, e.credit FROM account a JOIN ledger_entry e ON e.ledger_account_id = a.ledger_account_id
      WHERE a.account_number = ${accountNumber} AND e.kind IN ('GRADUATE_SUBSIDY', 'INTEREST_SUBSIDY') AND e.credit > 0`,
  );
  if (!account || !row) return null;
  const [loans, banInForce] = await inOrder(
    tx,
    () => loanStatusesOfPerson(tx, row.person_id),
    () => isBanned(tx, row.person_id, action, on),
  );
  return {
    ...account,
    balance: toMoney(row.balance),
    personId: row.person_id,
    idNumber: row.id_number,
    countyCode: row.county_code,
    employmentForm: row.employment_form,
    subsidyCredits: subsidies.map((s) => ({ on: dateToString(s.posted_on), amount: toMoney(s.credit) })),
    // The loan book: a disbursed loan is outstanding, an approved one in application; both block money out.
    ...loanFacts(loans),
    loanOutstanding: hasOutstandingLoan(loans),
    banInForce,
  };
}

export interface PostedPayout {
  payoutRef: string;
  entry: LedgerEntryView;
}

const PREFIX: Record<PayoutKind, string> = { WITHDRAWAL: "WD", EXIT_PAYOUT: "EX" };

/** Debits the worker and credits the bank settlement account; records the payout the bank file will answer. */
export async function postPayout(
  tx: SqlTx,
  ledger: Ledger,
  account: LockedAccount,
  kind: PayoutKind,
  amount: MoneyValue,
  on: string,
): Promise<PostedPayout> {
  const posting = await ledger.post(tx, {
    kind,
    postedOn: on,
    memo: kind === "WITHDRAWAL" ? "提取 withdrawal" : "销户提取 exit payout",
    lines: [
      { ledgerAccountId: account.ledgerAccountId, side: "D", amount, worker: true },
      { ledgerAccountId: ledger.fund.BANK_SETTLEMENT, side: "C", amount },
    ],
  });
  const payoutRef = `${PREFIX[kind]}-${posting.postingId}`;
  // Sent without waiting in a driver transaction (nothing below needs its answer; COMMIT waits for it).
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO payout (payout_ref, account_id, kind, amount, requested_on, posting_id, status)
    VALUES (${payoutRef}, ${account.id}::bigint, ${kind}, ${amount.toFixed(2)}::numeric, ${on}::date, ${posting.postingId}::bigint, 'PENDING')`,
  );
  const workerEntry = posting.entries.find((e: PostedEntry) => e.ledgerAccountId === account.ledgerAccountId)!;
  return { payoutRef, entry: { ...entryViewOf(workerEntry), paymentRef: payoutRef } };
}

/** How the account leaves: its JGJ/T 320 closure code and why the agreement ended (NULL reads as an exit). */
export interface Closure {
  closeCode: string;
  endReason?: string;
}

/** Ends the open agreement (an exit in the metrics), closes the account with its closure code and queues the national
 *  deregistration: the last step of an exit (05) and of a transfer out (04). */
export async function closeAndDeregister(
  tx: Tx,
  account: MoneyOutAccount,
  on: string,
  actor: Actor,
  closure: Closure,
): Promise<void> {
  const ended = await tx.agreement.updateMany({
    where: { accountId: account.id, endedOn: null },
    data: { endedOn: stringToDate(on), ...(closure.endReason ? { endReason: closure.endReason } : {}) },
  });
  await tx.account.update({
    where: { id: account.id },
    data: { status: "CLOSED", closedOn: stringToDate(on), closeCode: closure.closeCode },
  });
  if (ended.count > 0) {
    await recordExit(tx, { on, countyCode: account.countyCode, employmentForm: account.employmentForm });
  }
  await tx.outboxMessage.create({
    data: {
      topic: "national.deregisterAccount",
      payload: {
        idNumber: account.idNumber,
        centerCode: CENTER_CODE,
        accountNumber: account.accountNumber,
        kind: account.kind,
        by: actor.sub,
      },
    },
  });
}
