// recordDeposit: one month's deposit (or back payment 补缴), by bank collection or active payment.
import type { Tx } from "../../db/transaction";
import { checkMonthlyDeposit, depositKind } from "../../domain/deposits/deposit.rule";
import type { MoneyValue } from "../../domain/money/money";
import type { Ledger } from "../../ledger/ledger";
import { lockAccount, type LockedAccount } from "../../ledger/worker-lock";
import { type AccountView, accountView } from "../accounts/account-view";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { INVALID_IDEMPOTENCY_KEY } from "../command";
import type { Actor, HubServices } from "../hub-services";
import {
  type HashedRequest,
  type IdempotentRequest,
  type Outcome,
  requestHash,
  runIdempotent,
  validKey,
} from "../idempotency";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { userError, type UserErrorDto } from "../user-error";
import {
  accountRefusal,
  type DepositPostingRequest,
  MONTH_ALREADY_PAID,
  paidAmong,
  postDeposit,
} from "./deposit-posting";

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

/**
 * The rules of one monthly deposit on its locked account and the months already paid among the one it pays:
 * the refusals, or the posting to make. Shared by depositMonthIn (one deposit) and the group commit
 * (deposit-batch.ts), so a deposit is judged the same whichever way it is posted.
 */
export function judgeMonthlyDeposit(
  account: LockedAccount | null,
  paid: ReadonlySet<string>,
  params: ParametersOn,
  c: Omit<RecordDepositCommand, "idempotencyKey">,
): { userErrors: UserErrorDto[] } | { posting: DepositPostingRequest } {
  const refused = accountRefusal(account);
  if (refused || !account) return { userErrors: [refused!] };
  const violations = checkMonthlyDeposit(
    { period: c.period, amount: c.amount, paidOn: c.paidOn, openedOn: account.openedOn, paidPeriods: paid },
    params.depositLimits(),
  );
  if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };
  return {
    posting: {
      account,
      kind: depositKind(c.period, c.paidOn),
      months: [{ period: c.period, amount: c.amount }],
      paidOn: c.paidOn,
      channel: c.channel,
      paymentRef: c.paymentRef,
    },
  };
}

/** Checks and posts one monthly deposit inside the caller's transaction (shared with the bank import). */
export async function depositMonthIn(
  tx: Tx,
  ledger: Ledger,
  params: ParametersOn,
  c: Omit<RecordDepositCommand, "idempotencyKey">,
): Promise<Outcome<LedgerEntryView[]>> {
  const account = await lockAccount(tx, c.accountNumber);
  const paid = account
    ? (await paidAmong(tx, [{ accountNumber: c.accountNumber, period: c.period }])).get(c.accountNumber)!
    : new Set<string>();
  const judged = judgeMonthlyDeposit(account, paid, params, c);
  if (!("posting" in judged)) return judged;
  return { ok: await postDeposit(tx, ledger, judged.posting) };
}

/** What recordDeposit stores under its key and hashes (the amount as text with 2 decimals). */
export function recordDepositRequest(actor: Actor, c: RecordDepositCommand): HashedRequest {
  const input = { ...c, amount: c.amount.toFixed(2) };
  const request = {
    key: c.idempotencyKey,
    operation: "recordDeposit",
    actor: actor.sub,
    exchange: actor.exchange,
    input,
  };
  return { ...request, hash: requestHash(request.operation, input) };
}

/** One deposit in a transaction of its own (the path a deposit takes when its group commit failed as a whole). */
export async function recordDepositAlone(
  hub: Pick<HubServices, "prisma" | "ledger">,
  request: IdempotentRequest,
  params: ParametersOn,
  c: RecordDepositCommand,
): Promise<Outcome<DepositResult>> {
  return runIdempotent<DepositResult>(
    hub.prisma,
    request,
    async (tx) => {
      const outcome = await depositMonthIn(tx, hub.ledger, params, c);
      if (!("ok" in outcome)) return outcome;
      return { ok: { account: (await accountView(tx, c.accountNumber))!, entries: outcome.ok } };
    },
    MONTH_ALREADY_PAID,
  );
}

/** Records one deposit: checked at once for what needs no database, then posted with the deposits that arrive
 *  meanwhile in one transaction (group commit, deposit-batch.ts), with its own result. */
export async function recordDeposit(
  hub: HubServices,
  actor: Actor,
  c: RecordDepositCommand,
): Promise<Outcome<DepositResult>> {
  const refProblem = paymentRefProblem(c.paymentRef);
  if (refProblem) return { userErrors: [refProblem] };
  if (!validKey(c.idempotencyKey)) return { userErrors: [INVALID_IDEMPOTENCY_KEY] };
  const params = await hub.policy.on(c.paidOn);
  return hub.depositBatcher.submit({ request: recordDepositRequest(actor, c), params, command: c });
}
