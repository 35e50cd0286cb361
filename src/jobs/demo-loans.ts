// Demo loans in every state, on dates relative to today (T = today's month): one written off (disbursed in T−10,
// never repaid: its oldest instalment, T−9, is six months overdue in the run of T−3), one settled (disbursed in T−8
// and repaid in full by bank), one disbursed with monthly offsets from the balance (T−6), one overdue (disbursed in
// T−4, never repaid) and one approved today, not yet disbursed. The monthly runs T−9 .. T are run in order.
import { addMonths, monthOf, monthRange } from "../domain/calendar/calendar";
import { Money, type MoneyValue } from "../domain/money/money";
import { type HubServices, SYSTEM_ACTOR } from "../services/hub-services";
import { applyForLoan } from "../services/loans/apply-for-loan";
import { disburseLoan } from "../services/loans/disburse-loan";
import { loanQuotaOf } from "../services/loans/loan-quota";
import { repayLoan } from "../services/loans/repay-loan";
import { runLoanRepayments } from "../services/loans/run-loan-repayments";

export interface DemoLoanSummary {
  /** Loan numbers by the state the demo leaves them in. */
  loans: Partial<Record<"WRITTEN_OFF" | "SETTLED" | "OFFSET" | "OVERDUE" | "APPROVED", string>>;
}

const CAP = new Money("30000.00");
const MIN = new Money("10000.00");

interface Plan {
  state: keyof DemoLoanSummary["loans"];
  monthsAgo: number;
  offset: boolean;
}

const PLANS: Plan[] = [
  { state: "WRITTEN_OFF", monthsAgo: 10, offset: false },
  { state: "SETTLED", monthsAgo: 8, offset: false },
  { state: "OFFSET", monthsAgo: 6, offset: true },
  { state: "OVERDUE", monthsAgo: 4, offset: false },
  { state: "APPROVED", monthsAgo: 0, offset: false },
];

/** The amount to ask on `on`: the quota, at most 30,000.00; null when below 10,000.00 (try the next worker). */
async function amountFor(hub: HubServices, accountNumber: string, on: string): Promise<MoneyValue | null> {
  const q = { accountNumber, asOf: on, monthlyIncome: new Money("8000.00"), housePrice: new Money("600000.00") };
  const quota = await loanQuotaOf(hub, { ...q, termYears: 10, firstHome: true }, () => true, {});
  if (!quota.eligible || quota.quota.lessThan(MIN)) return null;
  return Money.min(quota.quota, CAP);
}

export async function loadDemoLoans(
  hub: HubServices,
  today: string,
  candidates: readonly string[],
): Promise<DemoLoanSummary> {
  const loans: DemoLoanSummary["loans"] = {};
  const month = monthOf(today);
  const pool = [...candidates];
  for (const plan of PLANS) {
    const appliedOn = plan.monthsAgo === 0 ? today : `${addMonths(month, -plan.monthsAgo)}-02`;
    while (pool.length > 0) {
      const accountNumber = pool.shift()!;
      const amount = await amountFor(hub, accountNumber, appliedOn);
      if (!amount) continue;
      const applied = await applyForLoan(hub, SYSTEM_ACTOR, {
        accountNumber,
        appliedOn,
        amount,
        monthlyIncome: new Money("8000.00"),
        housePrice: new Money("600000.00"),
        termYears: 10,
        firstHome: true,
        method: plan.offset ? "EQUAL_PRINCIPAL" : "EQUAL_INSTALMENT",
        offsetFromBalance: plan.offset,
        idempotencyKey: `demo-loan-${plan.state}-${accountNumber}`,
      });
      if (!("ok" in applied)) continue;
      const loanNumber = applied.ok.loan.loanNumber;
      loans[plan.state] = loanNumber;
      if (plan.state !== "APPROVED") {
        const disbursedOn = `${addMonths(month, -plan.monthsAgo)}-05`;
        await disburseLoan(hub, SYSTEM_ACTOR, {
          loanNumber,
          disbursedOn,
          idempotencyKey: `demo-disburse-${loanNumber}`,
        });
      }
      if (plan.state === "SETTLED") {
        // nothing is due before the month after disbursement: the whole amount prepays, which settles the loan
        await repayLoan(hub, SYSTEM_ACTOR, {
          loanNumber,
          amount,
          paidOn: `${addMonths(month, -plan.monthsAgo)}-20`,
          paymentRef: `DEMO-RP-${loanNumber}`,
          fromBalance: false,
          idempotencyKey: `demo-repay-${loanNumber}`,
        });
      }
      break;
    }
  }
  for (const period of monthRange(addMonths(month, -9), month))
    await runLoanRepayments(hub, SYSTEM_ACTOR, period, `demo-loan-run-${period}`);
  return { loans };
}
