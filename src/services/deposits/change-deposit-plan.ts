// changeDepositPlan: a new monthly amount, deposit day, mode or channel from a month on; the plan history is kept
// (deposit_plan rows are only added), so each month's deposits are checked against the plan in force for it.
import { stringToDate } from "../../db/dates";
import { mayDeposit } from "../../domain/accounts/account-state.rule";
import { firstDayOfMonth, isValidMonth } from "../../domain/calendar/calendar";
import { checkPlanChange } from "../../domain/deposits/deposit-plan.rule";
import type { MoneyValue } from "../../domain/money/money";
import { lockAccount } from "../../ledger/worker-lock";
import { type AccountView, accountView } from "../accounts/account-view";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { MissingParameterError, type ParametersOn } from "../policy/policy-parameters.service";
import { userError } from "../user-error";
import { paidPeriods } from "./deposit-posting";

export interface ChangeDepositPlanCommand {
  accountNumber: string;
  monthlyAmount: MoneyValue;
  depositDay: number;
  mode: string;
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
  bankAccount?: string | null;
  effectiveFrom: string;
  requestedOn: string;
  idempotencyKey: string;
}

const NOT_FOUND = userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber");

/** The limits of the settlement year of `effectiveFrom`: the parameters in force on its first day. */
async function limitsFor(hub: HubServices, effectiveFrom: string): Promise<ParametersOn | null> {
  try {
    return await hub.policy.on(firstDayOfMonth(effectiveFrom));
  } catch (e) {
    if (e instanceof MissingParameterError) return null;
    throw e;
  }
}

export async function changeDepositPlan(
  hub: HubServices,
  actor: Actor,
  c: ChangeDepositPlanCommand,
): Promise<Outcome<AccountView>> {
  // A worker changes only their own plan; another account looks missing (row scope).
  if (actor.role === "WORKER" && actor.sub !== c.accountNumber) return { userErrors: [NOT_FOUND] };
  if (!isValidMonth(c.effectiveFrom))
    return { userErrors: [userError("INVALID_PERIOD", "生效年月格式无效（应为YYYY-MM）", "effectiveFrom")] };
  const params = await limitsFor(hub, c.effectiveFrom);
  if (!params) return { userErrors: [userError("NO_LIMITS_IN_FORCE", "该月份没有有效的缴存上下限", "effectiveFrom")] };
  const bankAccount = c.bankAccount?.trim() || null;
  return runCommand<AccountView>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "changeDepositPlan",
      actor: actor.sub,
      exchange: actor.exchange,
      input: { ...c, bankAccount, monthlyAmount: c.monthlyAmount.toFixed(2) },
    },
    transaction: async (tx) => {
      const account = await lockAccount(tx, c.accountNumber);
      if (!account) return { userErrors: [NOT_FOUND] };
      const refused = mayDeposit(account);
      if (refused) return { userErrors: [userError(refused.code, refused.message, refused.field)] };
      const violations = checkPlanChange(
        { ...c, bankAccount, paidPeriods: await paidPeriods(tx, account.id) },
        params.depositLimits(),
      );
      if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };
      await tx.depositPlan.create({
        data: {
          accountId: account.id,
          monthlyAmount: c.monthlyAmount.toFixed(2),
          depositDay: c.depositDay,
          mode: c.mode,
          channel: c.channel,
          bankAccount,
          effectiveFrom: stringToDate(firstDayOfMonth(c.effectiveFrom)),
        },
      });
      return { ok: (await accountView(tx, c.accountNumber))! };
    },
  });
}
