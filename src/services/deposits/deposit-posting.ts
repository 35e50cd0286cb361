// The shared core of every deposit (recordDeposit, payLumpSum, bank collection rows): lock the worker's
// ledger row (src/ledger/worker-lock.ts), read what is paid, post one balanced posting and one deposit_month row per
// month covered.
import { dateToString } from "../../db/dates";
import { sendWrite, type SqlTx } from "../../db/driver-sql";
import { pgArray } from "../../db/pg-array";
import type { Tx } from "../../db/transaction";
import { mayDeposit, mayPayLumpSum } from "../../domain/accounts/account-state.rule";
import { planInForce } from "../../domain/deposits/deposit-plan.rule";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import type { Ledger } from "../../ledger/ledger";
import type { PostedEntry } from "../../ledger/posting";
import type { LockedAccount } from "../../ledger/worker-lock";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { userError, type UserErrorDto } from "../user-error";

/** The months already paid, per account id. */
export async function paidPeriodsOf(tx: SqlTx, accountIds: readonly bigint[]): Promise<Map<bigint, Set<string>>> {
  const result = new Map<bigint, Set<string>>(accountIds.map((id) => [id, new Set<string>()]));
  if (accountIds.length === 0) return result;
  const rows = await tx.$queryRaw<{ accountId: bigint; period: string }[]>`
    SELECT account_id AS "accountId", period FROM deposit_month WHERE account_id = ANY(${[...accountIds]}::bigint[])`;
  for (const row of rows) result.get(row.accountId)?.add(row.period);
  return result;
}

/** Which of the given (account number, month) pairs are already paid: one primary-key probe per pair, however long
 *  the history (by number, so that a batch can ask in the round trip that locks the accounts: deposit-batch.ts). */
export async function paidAmong(
  tx: SqlTx,
  pairs: readonly { accountNumber: string; period: string }[],
): Promise<Map<string, Set<string>>> {
  const result = new Map<string, Set<string>>(pairs.map((p) => [p.accountNumber, new Set<string>()]));
  if (pairs.length === 0) return result;
  // One primary-key probe per pair, whatever the planner thinks of the table's size: a plain join let it hash the
  // whole of deposit_month when its statistics lagged behind the table's growth (the bench: 8-40 ms per batch).
  const rows = await tx.$queryRaw<{ accountNumber: string; period: string }[]>`
    SELECT q.account_number AS "accountNumber", q.period
    FROM unnest(${pgArray(pairs.map((p) => p.accountNumber))}::text[], ${pgArray(pairs.map((p) => p.period))}::char(7)[]) AS q(account_number, period)
    CROSS JOIN LATERAL (
      SELECT 1 FROM account a JOIN deposit_month dm ON dm.account_id = a.id AND dm.period = q.period
      WHERE a.account_number = q.account_number LIMIT 1) paid`;
  for (const row of rows) result.get(row.accountNumber)?.add(row.period);
  return result;
}

export async function paidPeriods(tx: SqlTx, accountId: bigint): Promise<Set<string>> {
  return (await paidPeriodsOf(tx, [accountId])).get(accountId)!;
}

/** The monthly amount of the plan in force for each month (null when a month has no plan). */
export async function monthlyAmountsFor(
  tx: Tx,
  accountId: bigint,
  months: readonly string[],
): Promise<MoneyValue[] | null> {
  const plans = (
    await tx.depositPlan.findMany({
      where: { accountId },
      select: { id: true, effectiveFrom: true, monthlyAmount: true },
    })
  ).map((p) => ({ id: p.id, effectiveFrom: dateToString(p.effectiveFrom), monthlyAmount: toMoney(p.monthlyAmount) }));
  const amounts: MoneyValue[] = [];
  for (const month of months) {
    const plan = planInForce(plans, month);
    if (!plan) return null;
    amounts.push(plan.monthlyAmount);
  }
  return amounts;
}

/** Refusals that hold for any deposit: the account must be active (a lump sum: active and flexible). */
export function accountRefusal(account: LockedAccount | null, lumpSum = false): UserErrorDto | null {
  if (!account) return userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber");
  return lumpSum ? mayPayLumpSum(account) : mayDeposit(account);
}

export interface DepositMonthLine {
  period: string;
  amount: MoneyValue;
}

export interface DepositPostingRequest {
  account: LockedAccount;
  kind: "DEPOSIT" | "BACK_PAYMENT" | "LUMP_SUM";
  months: DepositMonthLine[];
  paidOn: string;
  channel: string;
  paymentRef: string;
}

export function entryViewOf(e: PostedEntry): LedgerEntryView {
  return {
    id: e.id.toString(),
    postedOn: e.postedOn,
    kind: e.kind,
    amount: formatMoney(e.signedAmount),
    period: e.period,
    balanceAfter: formatMoney(e.balanceAfter ?? ZERO),
  };
}

const SOURCE_OF_KIND = { LUMP_SUM: "LUMP_SUM", BACK_PAYMENT: "BACK_PAYMENT", DEPOSIT: "MONTHLY" } as const;

/** Posts deposits set-based: each debits bank settlement once and credits the worker once per month covered. */
export async function postDeposits(
  tx: SqlTx,
  ledger: Ledger,
  requests: DepositPostingRequest[],
): Promise<LedgerEntryView[][]> {
  const fund = ledger.fund;
  const postings = await ledger.postMany(
    tx,
    requests.map((r) => ({
      kind: r.kind,
      postedOn: r.paidOn,
      memo: `${r.channel} ${r.paymentRef}`,
      lines: [
        {
          ledgerAccountId: fund.BANK_SETTLEMENT,
          side: "D" as const,
          amount: r.months.reduce((sum, m) => sum.plus(m.amount), ZERO),
        },
        ...r.months.map((m) => ({
          ledgerAccountId: r.account.ledgerAccountId,
          side: "C" as const,
          amount: m.amount,
          worker: true,
          period: m.period,
        })),
      ],
    })),
  );
  // Raw and set-based (one statement, a fixed number of array parameters): this runs for every deposit.
  const months = requests.flatMap((r, i) => r.months.map((m) => ({ r, m, postingId: postings[i]!.postingId })));
  await sendWrite(
    tx,
    () => tx.$executeRaw`
    INSERT INTO deposit_month (account_id, period, amount, paid_on, source, channel, payment_ref, posting_id)
    SELECT * FROM unnest(${pgArray(months.map((x) => x.r.account.id))}::bigint[], ${pgArray(months.map((x) => x.m.period))}::char(7)[],
      ${pgArray(months.map((x) => x.m.amount.toFixed(2)))}::numeric[], ${pgArray(months.map((x) => x.r.paidOn))}::date[],
      ${pgArray(months.map((x) => (x.r.account.kind === "EMPLOYER" ? "EMPLOYER" : SOURCE_OF_KIND[x.r.kind])))}::text[],
      ${pgArray(months.map((x) => x.r.channel))}::text[], ${pgArray(months.map((x) => x.r.paymentRef))}::text[],
      ${pgArray(months.map((x) => x.postingId))}::bigint[])`,
  );
  return requests.map((r, i) =>
    postings[i]!.entries.filter((e) => e.ledgerAccountId === r.account.ledgerAccountId).map(entryViewOf),
  );
}

export async function postDeposit(
  tx: SqlTx,
  ledger: Ledger,
  request: DepositPostingRequest,
): Promise<LedgerEntryView[]> {
  const [entries] = await postDeposits(tx, ledger, [request]);
  return entries!;
}

export const MONTH_ALREADY_PAID = userError("MONTH_ALREADY_PAID", "该月份已缴存，同一月份只能缴存一次", "period");
