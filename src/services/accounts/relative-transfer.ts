// transferToRelative 缴存权益亲属间转让 (domain.md, exploratory): behind the policy switch `relativesTransfer.enabled`
// in force on requestedOn (off by default: FEATURE_DISABLED). A worker without an outstanding loan moves part of the
// withdrawable balance to a spouse, parent or child who is also a depositor here (an ACTIVE account). One posting of
// kind RELATIVE_TRANSFER debits the giver and credits the receiver, so both see it in their history (the sign tells
// the side) and the receiver's balance (and so loan base) rises; the debit counts as a use of the deposits for the
// interest subsidy. The relation is declared by the center operator (who saw the documents); the hub refuses only
// what the ID numbers contradict: one person, or a parent born after the child.
import { mayTransfer } from "../../domain/accounts/account-state.rule";
import type { Relation as RelationWord } from "../../domain/accounts/account-vocabulary";
import { compareDates, isValidDate } from "../../domain/calendar/calendar";
import { type MoneyValue } from "../../domain/money/money";
import { withdrawableBalance } from "../../domain/withdrawals/withdrawal.rule";
import { lockAccounts } from "../../ledger/worker-lock";
import { runCommand } from "../command";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { userError } from "../user-error";
import { lockForMoneyOut } from "../withdrawals/money-out";
import { accountView } from "./account-view";
import type { TransferResult } from "./receive-transfer";

export type Relation = `${RelationWord}`;

export interface RelativeTransferCommand {
  fromAccountNumber: string;
  toAccountNumber: string;
  /** What the receiver is to the giver. */
  relation: Relation;
  amount: MoneyValue;
  requestedOn: string;
  idempotencyKey: string;
}

export const RELATIVES_TRANSFER_SWITCH = "relativesTransfer.enabled";
const HOLDING_MONTHS = "subsidy.withdrawableAfterMonths";

const LABEL: Record<Relation, string> = { SPOUSE: "配偶", PARENT: "父母", CHILD: "子女" };

export async function transferToRelative(
  hub: HubServices,
  actor: Actor,
  c: RelativeTransferCommand,
): Promise<Outcome<TransferResult>> {
  if (!isValidDate(c.requestedOn)) return { userErrors: [userError("INVALID_DATE", "申请日期无效", "requestedOn")] };
  const params = await hub.policy.on(c.requestedOn);
  if (!params.bool(RELATIVES_TRANSFER_SWITCH))
    return {
      userErrors: [userError("FEATURE_DISABLED", "缴存权益亲属间转让未开启（政策开关 relativesTransfer.enabled）")],
    };
  if (!c.amount.isFinite() || c.amount.lessThanOrEqualTo(0) || c.amount.decimalPlaces() > 2)
    return { userErrors: [userError("INVALID_AMOUNT", "转让金额须为大于 0、最多两位小数的金额", "amount")] };
  if (c.fromAccountNumber === c.toAccountNumber)
    return { userErrors: [userError("SAME_ACCOUNT", "不能转让给本人账户", "toAccountNumber")] };
  const holdingMonths = params.int(HOLDING_MONTHS);
  const input = { ...c, amount: c.amount.toFixed(2) };
  return runCommand<TransferResult>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "transferToRelative",
      actor: actor.sub,
      exchange: actor.exchange,
      input,
    },
    transaction: async (tx) => {
      // Both worker rows locked in id order (no deadlock with a transfer the other way round).
      const locked = await lockAccounts(tx, [c.fromAccountNumber, c.toAccountNumber]);
      const giver = locked.has(c.fromAccountNumber)
        ? await lockForMoneyOut(tx, c.fromAccountNumber, "TRANSFER", c.requestedOn)
        : null;
      if (!giver) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "转出账户不存在", "fromAccountNumber")] };
      const receiver = locked.get(c.toAccountNumber);
      if (!receiver) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "转入账户不存在", "toAccountNumber")] };
      const refused = mayTransfer(giver);
      if (refused) return { userErrors: [userError(refused.code, refused.message, "fromAccountNumber")] };
      if (receiver.status !== "ACTIVE")
        return {
          userErrors: [userError("RECEIVER_NOT_DEPOSITOR", "受让人须为本中心正常缴存的职工", "toAccountNumber")],
        };
      if (compareDates(c.requestedOn, giver.openedOn) < 0 || compareDates(c.requestedOn, receiver.openedOn) < 0)
        return { userErrors: [userError("INVALID_DATE", "申请日期早于开户日期", "requestedOn")] };
      const people = await tx.$queryRaw<{ account_number: string; person_id: bigint; birth_date: Date }[]>`
        SELECT a.account_number, p.id AS person_id, p.birth_date FROM account a JOIN person p ON p.id = a.person_id
        WHERE a.account_number = ANY(${[c.fromAccountNumber, c.toAccountNumber]}::text[])`;
      const from = people.find((p) => p.account_number === c.fromAccountNumber)!;
      const to = people.find((p) => p.account_number === c.toAccountNumber)!;
      if (from.person_id === to.person_id)
        return { userErrors: [userError("SAME_PERSON", "不能转让给本人账户", "toAccountNumber")] };
      const older = from.birth_date.getTime() < to.birth_date.getTime();
      if ((c.relation === "PARENT" && older) || (c.relation === "CHILD" && !older))
        return {
          userErrors: [
            userError("RELATION_IMPLAUSIBLE", `受让人的出生日期与"${LABEL[c.relation]}"关系不符`, "relation"),
          ],
        };
      const withdrawable = withdrawableBalance(giver, holdingMonths, c.requestedOn);
      if (c.amount.greaterThan(withdrawable))
        return { userErrors: [userError("EXCEEDS_WITHDRAWABLE", "转让金额超过可提取余额", "amount")] };
      const posted = await hub.ledger.post(tx, {
        kind: "RELATIVE_TRANSFER",
        postedOn: c.requestedOn,
        memo: `亲属间转让 ${LABEL[c.relation]} ${c.fromAccountNumber} -> ${c.toAccountNumber}`,
        lines: [
          { ledgerAccountId: giver.ledgerAccountId, side: "D", amount: c.amount, worker: true },
          { ledgerAccountId: receiver.ledgerAccountId, side: "C", amount: c.amount, worker: true },
        ],
      });
      return {
        ok: {
          account: (await accountView(tx, c.fromAccountNumber))!,
          contactLetterNo: null,
          entries: posted.entries.map(entryViewOf),
        },
      };
    },
  });
}
