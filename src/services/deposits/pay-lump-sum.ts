// payLumpSum 趸缴: one payment for a whole settlement year (or its remaining months), credited month by month.
import { checkLumpSumAmounts, lumpSumCoverage, lumpSumLimitsDate } from "../../domain/deposits/deposit.rule";
import type { MoneyValue } from "../../domain/money/money";
import { lockAccount } from "../../ledger/worker-lock";
import { accountView } from "../accounts/account-view";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, runIdempotent } from "../idempotency";
import { userError } from "../user-error";
import { accountRefusal, MONTH_ALREADY_PAID, monthlyAmountsFor, paidPeriods, postDeposit } from "./deposit-posting";
import { type DepositResult, paymentRefProblem } from "./record-deposit";

export interface PayLumpSumCommand {
  accountNumber: string;
  settlementYear: number;
  amount: MoneyValue;
  channel: string;
  paymentRef: string;
  paidOn: string;
  idempotencyKey: string;
}

export async function payLumpSum(
  hub: HubServices,
  actor: Actor,
  c: PayLumpSumCommand,
): Promise<Outcome<DepositResult>> {
  const refProblem = paymentRefProblem(c.paymentRef);
  if (refProblem) return { userErrors: [refProblem] };
  if (!Number.isInteger(c.settlementYear) || c.settlementYear < 2000 || c.settlementYear > 2100) {
    return { userErrors: [userError("INVALID_SETTLEMENT_YEAR", "结算年度无效", "settlementYear")] };
  }
  // The back-payment switch as on the payment date; the amount limits of the settlement year paid for (decision 015).
  const backPaymentAllowed = (await hub.policy.on(c.paidOn)).depositLimits().backPayWithinSettlementYear;
  const yearParams = await hub.policy.on(lumpSumLimitsDate(c.settlementYear));
  const input = { ...c, amount: c.amount.toFixed(2) };
  return runIdempotent<DepositResult>(
    hub.prisma,
    { key: c.idempotencyKey, operation: "payLumpSum", actor: actor.sub, exchange: actor.exchange, input },
    async (tx) => {
      const account = await lockAccount(tx, c.accountNumber);
      const refused = accountRefusal(account, true);
      if (refused || !account) return { userErrors: [refused!] };
      const coverage = lumpSumCoverage({
        settlementYear: c.settlementYear,
        paidOn: c.paidOn,
        openedOn: account.openedOn,
        paidPeriods: await paidPeriods(tx, account.id),
        backPaymentAllowed,
      });
      if (coverage.violations.length > 0)
        return { userErrors: coverage.violations.map((v) => userError(v.code, v.message, v.field)) };
      // Each month is paid at the amount of the deposit plan in force for it (a plan change applies from its month).
      const amounts = await monthlyAmountsFor(tx, account.id, coverage.months);
      if (!amounts) return { userErrors: [userError("NO_DEPOSIT_PLAN", "账户没有有效的缴存计划", "accountNumber")] };
      const violations = checkLumpSumAmounts(c.amount, amounts, yearParams.depositLimits());
      if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };
      const entries = await postDeposit(tx, hub.ledger, {
        account,
        kind: "LUMP_SUM",
        months: coverage.months.map((period, i) => ({ period, amount: amounts[i]! })),
        paidOn: c.paidOn,
        channel: c.channel,
        paymentRef: c.paymentRef,
      });
      return { ok: { account: (await accountView(tx, c.accountNumber))!, entries } };
    },
    MONTH_ALREADY_PAID,
  );
}
