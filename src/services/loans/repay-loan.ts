// repayLoan: a repayment by bank transfer (LOAN_REPAYMENT, against the bank settlement account) or from the
// worker's HPF balance (LOAN_OFFSET). What is due on paidOn (this month's instalment and any overdue ones) is paid
// oldest first, interest before principal (loan-repayment.rule.ts); more than that prepays principal and the rest
// of the schedule is replanned with the same level amount and a shorter term (loan-schedule.rule.ts). A loan fully
// repaid is SETTLED and deregistered nationally (outbox). Locks: the borrower's ledger row first, then the loan (the
// monthly run locks in the same order).
import { dateToString } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { compareDates, monthOf } from "../../domain/calendar/calendar";
import { allocate, amountDue, type UnpaidInstalment } from "../../domain/loans/loan-repayment.rule";
import { type RepaymentMethod, replanAfterPrepayment } from "../../domain/loans/loan-schedule.rule";
import { formatMoney, type MoneyValue, toMoney } from "../../domain/money/money";
import type { PostingLine } from "../../ledger/posting";
import { lockAccount } from "../../ledger/worker-lock";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { recordOverdueSpells } from "../metrics/metric-deltas";
import { userError } from "../user-error";
import type { LoanResult } from "./apply-for-loan";
import { LOAN_NOT_FOUND } from "./disburse-loan";
import { loanView } from "./loan-book";
import { closeOverdueSpells, payInstalments, postForLoans, reduceOutstanding, settleLoans } from "./loan-postings";

export interface LoanRepaymentCommand {
  loanNumber: string;
  amount: MoneyValue;
  paidOn: string;
  paymentRef: string;
  fromBalance: boolean;
  idempotencyKey: string;
}

interface LoanRow {
  id: bigint;
  status: string;
  account_number: string;
  disbursed_on: Date | null;
  annual_rate: { toFixed(): string };
  method: RepaymentMethod;
  level_amount: { toFixed(): string } | null;
  outstanding_principal: { toFixed(): string };
}

interface InstalmentRow {
  number: number;
  period: string;
  principal: { toFixed(): string };
  interest: { toFixed(): string };
  paid_principal: { toFixed(): string };
  paid_interest: { toFixed(): string };
  status: string;
}

export function unpaidOf(r: InstalmentRow): UnpaidInstalment {
  return {
    number: r.number,
    principal: toMoney(r.principal),
    interest: toMoney(r.interest),
    paidPrincipal: toMoney(r.paid_principal),
    paidInterest: toMoney(r.paid_interest),
  };
}

const refuse = (code: string, message: string, field: string) => ({ userErrors: [userError(code, message, field)] });

async function repay(hub: HubServices, tx: Tx, c: LoanRepaymentCommand): Promise<Outcome<LoanResult>> {
  const [found] = await tx.$queryRaw<{ account_number: string }[]>`
    SELECT a.account_number FROM loan l JOIN account a ON a.id = l.account_id WHERE l.loan_number = ${c.loanNumber}`;
  if (!found) return { userErrors: [LOAN_NOT_FOUND] };
  const account = (await lockAccount(tx, found.account_number))!;
  const [loan] = await tx.$queryRaw<LoanRow[]>`
    SELECT l.id, l.status, a.account_number, l.disbursed_on, l.annual_rate, l.method, l.level_amount, l.outstanding_principal
    FROM loan l JOIN account a ON a.id = l.account_id WHERE l.loan_number = ${c.loanNumber} FOR UPDATE OF l`;
  if (loan!.status !== "DISBURSED") return refuse("LOAN_NOT_OUTSTANDING", "贷款未发放或已结清、已核销", "loanNumber");
  if (compareDates(c.paidOn, dateToString(loan!.disbursed_on!)) < 0)
    return refuse("INVALID_DATE", "还款日期不能早于发放日期", "paidOn");
  const instalments = await tx.$queryRaw<InstalmentRow[]>`
    SELECT number, period::text AS period, principal, interest, paid_principal, paid_interest, status FROM loan_instalment
    WHERE loan_id = ${loan!.id}::bigint AND status <> 'PAID' ORDER BY number`;
  const month = monthOf(c.paidOn);
  const due = instalments.filter((i) => i.period <= month).map(unpaidOf);
  const allocation = allocate(due, c.amount);
  const outstanding = toMoney(loan!.outstanding_principal);
  const prepay = allocation.left;
  if (allocation.principal.plus(prepay).greaterThan(outstanding)) {
    // the most that can be paid: the interest due on the due instalments plus every yuan of principal still owed
    const interestDue = amountDue(due.map((d) => ({ ...d, principal: d.paidPrincipal })));
    const most = formatMoney(interestDue.plus(outstanding));
    return refuse("EXCEEDS_OUTSTANDING", `还款金额超过应还利息与剩余本金之和（${most} 元）`, "amount");
  }
  if (c.fromBalance) {
    const [bal] = await tx.$queryRaw<{ balance: { toFixed(): string } }[]>`
      SELECT balance FROM ledger_account WHERE id = ${account.ledgerAccountId}::bigint`;
    if (toMoney(bal!.balance).lessThan(c.amount))
      return refuse("INSUFFICIENT_BALANCE", "住房公积金余额不足以冲还该金额", "amount");
  }
  const principal = allocation.principal.plus(prepay);
  const lines: PostingLine[] = [
    c.fromBalance
      ? { ledgerAccountId: account.ledgerAccountId, side: "D", amount: c.amount, worker: true }
      : { ledgerAccountId: hub.ledger.fund.BANK_SETTLEMENT, side: "D", amount: c.amount },
  ];
  if (principal.greaterThan(0))
    lines.push({ ledgerAccountId: hub.ledger.fund.LOAN_RECEIVABLE, side: "C", amount: principal });
  if (allocation.interest.greaterThan(0))
    lines.push({ ledgerAccountId: hub.ledger.fund.LOAN_INTEREST_INCOME, side: "C", amount: allocation.interest });
  await postForLoans(tx, hub.ledger, [
    {
      loanId: loan!.id,
      request: {
        kind: c.fromBalance ? "LOAN_OFFSET" : "LOAN_REPAYMENT",
        postedOn: c.paidOn,
        memo: `${c.fromBalance ? "冲还贷" : "贷款还款"} ${c.loanNumber} ${c.paymentRef}`,
        lines,
      },
    },
  ]);
  await payInstalments(
    tx,
    allocation.payments.map((p) => ({
      loanId: loan!.id,
      number: p.number,
      principal: p.principal.toFixed(2),
      interest: p.interest.toFixed(2),
      settled: p.settled,
    })),
  );
  const paidOff = await reduceOutstanding(tx, [{ loanId: loan!.id, principal: principal.toFixed(2) }]);
  let closed: bigint[] = [];
  if (paidOff.length > 0) {
    closed = await settleLoans(tx, paidOff, c.paidOn, CENTER_CODE);
  } else {
    if (prepay.greaterThan(0)) await replan(tx, loan!, outstanding.minus(principal), month);
    const [overdue] = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM loan_instalment WHERE loan_id = ${loan!.id}::bigint AND status = 'OVERDUE'`;
    if (Number(overdue!.n) === 0) closed = await closeOverdueSpells(tx, [loan!.id], c.paidOn);
  }
  await recordOverdueSpells(tx, [], closed);
  return { ok: { loan: (await loanView(tx, c.loanNumber))!, warnings: [] } };
}

/** After a prepayment: the instalments not yet due are replaced by the shorter plan of the same level amount. */
async function replan(tx: Tx, loan: LoanRow, outstanding: MoneyValue, month: string): Promise<void> {
  const future = await tx.$queryRaw<{ number: number; period: string }[]>`
    DELETE FROM loan_instalment WHERE loan_id = ${loan.id}::bigint AND period > ${month} AND status <> 'PAID'
      AND paid_principal = 0 AND paid_interest = 0
    RETURNING number, period::text AS period`;
  if (future.length === 0) return;
  future.sort((a, b) => a.number - b.number);
  const plan = replanAfterPrepayment({
    method: loan.method,
    annualRate: toMoney(loan.annual_rate),
    level: toMoney(loan.level_amount!),
    outstanding,
    nextNumber: future[0]!.number,
    nextPeriod: future[0]!.period,
    remainingMonths: future.length,
  });
  await tx.$executeRaw`
    INSERT INTO loan_instalment (loan_id, number, period, principal, interest, status)
    SELECT ${loan.id}::bigint, *, 'DUE' FROM unnest(${plan.map((i) => i.number)}::int[], ${plan.map((i) => i.period)}::text[],
      ${plan.map((i) => i.principal.toFixed(2))}::numeric[], ${plan.map((i) => i.interest.toFixed(2))}::numeric[])`;
}

export async function repayLoan(hub: HubServices, actor: Actor, c: LoanRepaymentCommand): Promise<Outcome<LoanResult>> {
  const input = { ...c, amount: c.amount.toFixed(2) };
  if (!c.amount.isFinite() || c.amount.lessThanOrEqualTo(0) || c.amount.decimalPlaces() > 2)
    return refuse("INVALID_AMOUNT", "还款金额须为大于 0、最多两位小数的金额", "amount");
  return runCommand<LoanResult>(hub.prisma, {
    request: { key: c.idempotencyKey, operation: "repayLoan", actor: actor.sub, exchange: actor.exchange, input },
    transaction: (tx) => repay(hub, tx, c),
    afterCommit: () => hub.outbox.kick(),
  });
}
