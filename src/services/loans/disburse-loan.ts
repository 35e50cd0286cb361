// disburseLoan: pays an APPROVED loan out through the bank (loan receivable against the bank settlement account),
// writes its schedule (loan-schedule.rule.ts) and queues its registration on the national platform (outbox).
import { dateToString } from "../../db/dates";
import { compareDates } from "../../domain/calendar/calendar";
import { levelAmount, loanSchedule, type RepaymentMethod } from "../../domain/loans/loan-schedule.rule";
import { toMoney } from "../../domain/money/money";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { userError } from "../user-error";
import type { LoanResult } from "./apply-for-loan";
import { loanView } from "./loan-book";
import { postForLoans, queueNationalLoanMessages } from "./loan-postings";

export interface DisburseLoanCommand {
  loanNumber: string;
  disbursedOn: string;
  idempotencyKey: string;
}

export const LOAN_NOT_FOUND = userError("LOAN_NOT_FOUND", "贷款不存在", "loanNumber");

interface LockedLoan {
  id: bigint;
  status: string;
  amount: { toFixed(): string };
  annual_rate: { toFixed(): string };
  term_months: number;
  method: RepaymentMethod;
  applied_on: Date;
}

export async function disburseLoan(
  hub: HubServices,
  actor: Actor,
  c: DisburseLoanCommand,
): Promise<Outcome<LoanResult>> {
  return runCommand<LoanResult>(hub.prisma, {
    request: { key: c.idempotencyKey, operation: "disburseLoan", actor: actor.sub, exchange: actor.exchange, input: c },
    transaction: async (tx) => {
      const [loan] = await tx.$queryRaw<LockedLoan[]>`
        SELECT id, status, amount, annual_rate, term_months, method, applied_on FROM loan
        WHERE loan_number = ${c.loanNumber} FOR UPDATE`;
      if (!loan) return { userErrors: [LOAN_NOT_FOUND] };
      if (loan.status !== "APPROVED")
        return { userErrors: [userError("LOAN_NOT_APPROVED", "贷款不是待发放（已审批）状态", "loanNumber")] };
      if (compareDates(c.disbursedOn, dateToString(loan.applied_on)) < 0)
        return { userErrors: [userError("INVALID_DATE", "发放日期不能早于申请日期", "disbursedOn")] };
      const amount = toMoney(loan.amount);
      const rate = toMoney(loan.annual_rate);
      await postForLoans(tx, hub.ledger, [
        {
          loanId: loan.id,
          request: {
            kind: "LOAN_DISBURSEMENT",
            postedOn: c.disbursedOn,
            memo: `贷款发放 ${c.loanNumber}`,
            lines: [
              { ledgerAccountId: hub.ledger.fund.LOAN_RECEIVABLE, side: "D", amount },
              { ledgerAccountId: hub.ledger.fund.BANK_SETTLEMENT, side: "C", amount },
            ],
          },
        },
      ]);
      const plan = loanSchedule({
        principal: amount,
        annualRate: rate,
        termMonths: loan.term_months,
        method: loan.method,
        disbursedOn: c.disbursedOn,
      });
      await tx.$executeRaw`
        INSERT INTO loan_instalment (loan_id, number, period, principal, interest, status)
        SELECT ${loan.id}::bigint, * , 'DUE' FROM unnest(${plan.map((i) => i.number)}::int[], ${plan.map((i) => i.period)}::text[],
          ${plan.map((i) => i.principal.toFixed(2))}::numeric[], ${plan.map((i) => i.interest.toFixed(2))}::numeric[])`;
      const level = levelAmount(amount, rate, loan.term_months, loan.method);
      await tx.$executeRaw`
        UPDATE loan SET status = 'DISBURSED', disbursed_on = ${c.disbursedOn}::date, level_amount = ${level.toFixed(2)}::numeric,
          outstanding_principal = amount WHERE id = ${loan.id}::bigint`;
      await queueNationalLoanMessages(tx, "national.registerLoan", [loan.id], CENTER_CODE);
      return { ok: { loan: (await loanView(tx, c.loanNumber))!, warnings: [] } };
    },
    afterCommit: () => hub.outbox.kick(),
  });
}
