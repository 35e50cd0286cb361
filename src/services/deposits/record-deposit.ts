// recordDeposit: one month's deposit (or back payment 补缴), by bank collection or active payment.
import type { Tx } from "../../db/transaction";
import { checkMonthlyDeposit, depositKind } from "../../domain/deposits/deposit.rule";
import type { MoneyValue } from "../../domain/money/money";
import type { Ledger } from "../../ledger/ledger";
import { lockAccount } from "../../ledger/worker-lock";
import { type AccountView, accountView } from "../accounts/account-view";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import type { Actor, HubServices } from "../hub-services";
import { type Outcome, runIdempotent } from "../idempotency";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { userError, type UserErrorDto } from "../user-error";
import { accountRefusal, MONTH_ALREADY_PAID, paidAmong, postDeposit } from "./deposit-posting";

export interface RecordDepositCommand {
  accountNumber: string;
  period: string;
  amount: MoneyValue;
  channel: string;
  paymentRef: string;
  paidOn: string;
  idempotencyKey: string;
}

export interface DepositResult {
  account: AccountView;
  entries: LedgerEntryView[];
}

export function paymentRefProblem(paymentRef: string): UserErrorDto | null {
  return /^[\x21-\x7e]{1,64}$/.test(paymentRef)
    ? null
    : userError("INVALID_PAYMENT_REF", "缴款凭证号须为 1–64 个可见 ASCII 字符", "paymentRef");
}

/** Checks and posts one monthly deposit inside the caller's transaction (shared with the bank import). */
export async function depositMonthIn(
  tx: Tx,
  ledger: Ledger,
  params: ParametersOn,
  c: Omit<RecordDepositCommand, "idempotencyKey">,
): Promise<Outcome<LedgerEntryView[]>> {
  const account = await lockAccount(tx, c.accountNumber);
  const refused = accountRefusal(account);
  if (refused || !account) return { userErrors: [refused!] };
  const paid = (await paidAmong(tx, [{ accountId: account.id, period: c.period }])).get(account.id)!;
  const violations = checkMonthlyDeposit(
    { period: c.period, amount: c.amount, paidOn: c.paidOn, openedOn: account.openedOn, paidPeriods: paid },
    params.depositLimits(),
  );
  if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };
  const entries = await postDeposit(tx, ledger, {
    account,
    kind: depositKind(c.period, c.paidOn),
    months: [{ period: c.period, amount: c.amount }],
    paidOn: c.paidOn,
    channel: c.channel,
    paymentRef: c.paymentRef,
  });
  return { ok: entries };
}

export async function recordDeposit(
  hub: HubServices,
  actor: Actor,
  c: RecordDepositCommand,
): Promise<Outcome<DepositResult>> {
  const refProblem = paymentRefProblem(c.paymentRef);
  if (refProblem) return { userErrors: [refProblem] };
  const params = await hub.policy.on(c.paidOn);
  const input = { ...c, amount: c.amount.toFixed(2) };
  return runIdempotent<DepositResult>(
    hub.prisma,
    { key: c.idempotencyKey, operation: "recordDeposit", actor: actor.sub, input },
    async (tx) => {
      const outcome = await depositMonthIn(tx, hub.ledger, params, c);
      if (!("ok" in outcome)) return outcome;
      return { ok: { account: (await accountView(tx, c.accountNumber))!, entries: outcome.ok } };
    },
    MONTH_ALREADY_PAID,
  );
}
