// The shared core of money out (withdraw, exitAgreement): lock the worker's ledger row, gather the facts the
// withdrawal rules need, and post a payout (a debit of the worker, paid through the bank) with its payout record.
import { dateToString, stringToDate } from "../../db/dates";
import { inOrder, sendWrite, type SqlTx } from "../../db/driver-sql";
import type { Tx } from "../../db/transaction";
import { type MoneyValue, toMoney } from "../../domain/money/money";
import { hasOutstandingLoan, type SubsidyCredit } from "../../domain/withdrawals/withdrawal.rule";
import type { Ledger } from "../../ledger/ledger";
import type { PostedEntry } from "../../ledger/posting";
import { lockAccount, lockAccounts, type LockedAccount } from "../../ledger/worker-lock";
import { CENTER_CODE } from "../accounts/enroll-worker";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor } from "../hub-services";
import { loanFacts, loanStatusesByAccount, loanStatusesOfPerson } from "../loans/loan-book";
import { recordExit } from "../metrics/metric-deltas";
import { bannedAmong, isBanned } from "../risk/fraud-bans";

export type PayoutKind = "WITHDRAWAL" | "EXIT_PAYOUT";
export type MoneyOutAction = "WITHDRAW" | "EXIT" | "TRANSFER";

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

interface MoneyOutRow {
  balance: { toFixed(): string };
  person_id: bigint;
  id_number: string;
  county_code: string;
  employment_form: string | null;
}

interface SubsidyRow {
  posted_on: Date;
  credit: { toFixed(): string };
}

/** The one way the facts read become a MoneyOutAccount (one account alone or many in a batch). */
function moneyOutAccountOf(
  account: LockedAccount,
  row: MoneyOutRow,
  subsidies: readonly SubsidyRow[],
  loans: readonly { status: string }[],
  banInForce: boolean,
): MoneyOutAccount {
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

/**
 * Locks the account's ledger row and reads what the withdrawal rules decide on for `action` on `on` (its business
 * date); null when there is no such account. In a driver transaction the reads travel with the lock (inOrder): each
 * runs after the lock is held, so the balance read is the locked row's.
 */
export async function lockForMoneyOut(
  tx: SqlTx,
  accountNumber: string,
  action: MoneyOutAction,
  on: string,
): Promise<MoneyOutAccount | null> {
  const [account, [row], subsidies] = await inOrder(
    tx,
    () => lockAccount(tx, accountNumber),
    () => tx.$queryRaw<MoneyOutRow[]>`
      SELECT la.balance, a.person_id, p.id_number, a.county_code, a.employment_form
      FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id JOIN person p ON p.id = a.person_id
      WHERE a.account_number = ${accountNumber}`,
    () => tx.$queryRaw<SubsidyRow[]>`
      SELECT e.posted_on, e.credit FROM account a JOIN ledger_entry e ON e.ledger_account_id = a.ledger_account_id
      WHERE a.account_number = ${accountNumber} AND e.kind IN ('GRADUATE_SUBSIDY', 'INTEREST_SUBSIDY') AND e.credit > 0`,
  );
  if (!account || !row) return null;
  const [loans, banInForce] = await inOrder(
    tx,
    () => loanStatusesOfPerson(tx, row.person_id),
    () => isBanned(tx, row.person_id, action, on),
  );
  return moneyOutAccountOf(account, row, subsidies, loans, banInForce);
}

/**
 * lockForMoneyOut for several accounts at once (a withdrawal batch), each with its own business date: the locks (in
 * ledger-account id order, worker-lock.ts) and every read in one round trip, the reads after the locks. By account
 * number; unknown numbers are absent. One ask per account: the answer holds one view per account, judged on its ask's
 * date (the bans in force then), so two asks for one account are refused before anything is read (the group commit
 * puts at most one request per account in a batch).
 */
export async function lockManyForMoneyOut(
  tx: SqlTx,
  asks: readonly { accountNumber: string; on: string }[],
  action: MoneyOutAction,
): Promise<Map<string, MoneyOutAccount>> {
  const numbers = [...new Set(asks.map((a) => a.accountNumber))];
  if (numbers.length !== asks.length)
    throw new Error("lockManyForMoneyOut takes one ask per account (an account was asked twice)");
  const [locked, rows, subsidies, loans, banned] = await inOrder(
    tx,
    () => lockAccounts(tx, numbers),
    () => tx.$queryRaw<(MoneyOutRow & { account_number: string })[]>`
      SELECT a.account_number, la.balance, a.person_id, p.id_number, a.county_code, a.employment_form
      FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id JOIN person p ON p.id = a.person_id
      WHERE a.account_number = ANY(${numbers}::text[])`,
    () => tx.$queryRaw<(SubsidyRow & { account_number: string })[]>`
      SELECT a.account_number, e.posted_on, e.credit
      FROM account a JOIN ledger_entry e ON e.ledger_account_id = a.ledger_account_id
      WHERE a.account_number = ANY(${numbers}::text[]) AND e.kind IN ('GRADUATE_SUBSIDY', 'INTEREST_SUBSIDY')
        AND e.credit > 0`,
    () => loanStatusesByAccount(tx, numbers),
    () => bannedAmong(tx, asks, action),
  );
  const rowOf = new Map(rows.map((r) => [r.account_number, r]));
  const subsidiesOf = new Map<string, SubsidyRow[]>();
  for (const s of subsidies) subsidiesOf.set(s.account_number, [...(subsidiesOf.get(s.account_number) ?? []), s]);
  const accounts = new Map<string, MoneyOutAccount>();
  for (const [number, account] of locked) {
    const row = rowOf.get(number);
    if (!row) continue;
    accounts.set(
      number,
      moneyOutAccountOf(account, row, subsidiesOf.get(number) ?? [], loans.get(number) ?? [], banned.get(number)!),
    );
  }
  return accounts;
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
  return (await postPayouts(tx, ledger, [{ account, kind, amount, on }]))[0]!;
}

export interface PayoutRequest {
  account: LockedAccount;
  kind: PayoutKind;
  amount: MoneyValue;
  on: string;
}

/** postPayout for several payouts at once (a withdrawal batch): one posting each, in one set-based write. */
export async function postPayouts(
  tx: SqlTx,
  ledger: Ledger,
  payouts: readonly PayoutRequest[],
): Promise<PostedPayout[]> {
  if (payouts.length === 0) return [];
  const postings = await ledger.postMany(
    tx,
    payouts.map((p) => ({
      kind: p.kind,
      postedOn: p.on,
      memo: p.kind === "WITHDRAWAL" ? "提取 withdrawal" : "销户提取 exit payout",
      lines: [
        { ledgerAccountId: p.account.ledgerAccountId, side: "D" as const, amount: p.amount, worker: true },
        { ledgerAccountId: ledger.fund.BANK_SETTLEMENT, side: "C" as const, amount: p.amount },
      ],
    })),
  );
  const refs = payouts.map((p, i) => `${PREFIX[p.kind]}-${postings[i]!.postingId}`);
  // Sent without waiting in a driver transaction (nothing below needs its answer; COMMIT waits for it).
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO payout (payout_ref, account_id, kind, amount, requested_on, posting_id, status)
    SELECT ref, account_id, kind, amount, requested_on, posting_id, 'PENDING'
    FROM unnest(${refs}::text[], ${payouts.map((p) => p.account.id)}::bigint[], ${payouts.map((p) => p.kind)}::text[],
      ${payouts.map((p) => p.amount.toFixed(2))}::numeric[], ${payouts.map((p) => p.on)}::date[],
      ${postings.map((p) => p.postingId)}::bigint[]) AS q(ref, account_id, kind, amount, requested_on, posting_id)`,
  );
  return payouts.map((p, i) => {
    const workerEntry = postings[i]!.entries.find((e: PostedEntry) => e.ledgerAccountId === p.account.ledgerAccountId)!;
    return { payoutRef: refs[i]!, entry: { ...entryViewOf(workerEntry), paymentRef: refs[i]! } };
  });
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
