// convertAccount 缴存灵活转换: flexible -> employer-based when the person takes a job (the agreement is suspended, the
// employer recorded), and back with a new written commitment (a new agreement). The account, its balance, history
// and paid months stay; the metrics move the account's contribution to what it is now and count the conversion.
import { dateToString, stringToDate } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { AccountKind } from "../../domain/accounts/account-vocabulary";
import { CURRENT_COMMITMENT } from "../../domain/accounts/commitment";
import { checkConversion } from "../../domain/accounts/conversion.rule";
import { isValidDate } from "../../domain/calendar/calendar";
import { lockAccount } from "../../ledger/worker-lock";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { recordConversionToEmployer, recordEnrolment, rekeyAccountMetrics } from "../metrics/metric-deltas";
import { userError } from "../user-error";
import { type AccountView, accountView } from "./account-view";
import { CENTER_CODE } from "./enroll-worker";

export interface ConvertAccountCommand {
  accountNumber: string;
  to: AccountKind;
  employerName?: string | null;
  commitmentAccepted?: boolean | null;
  effectiveOn: string;
  idempotencyKey: string;
}

export const CONVERTED_TO_EMPLOYER = "CONVERTED_TO_EMPLOYER";

async function lastAgreementEvent(tx: Tx, accountId: bigint): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ on: Date | null }[]>`
    SELECT max(greatest(signed_on, coalesce(ended_on, signed_on))) AS on FROM agreement WHERE account_id = ${accountId}::bigint`;
  return row?.on ? dateToString(row.on) : null;
}

async function toEmployer(tx: Tx, accountId: bigint, employerName: string, on: string): Promise<void> {
  const account = await tx.account.findUniqueOrThrow({ where: { id: accountId } });
  await rekeyAccountMetrics(tx, accountId, () =>
    tx.account.update({ where: { id: accountId }, data: { kind: AccountKind.EMPLOYER, employerName } }),
  );
  const suspended = await tx.agreement.updateMany({
    where: { accountId, endedOn: null },
    data: { endedOn: stringToDate(on), endReason: CONVERTED_TO_EMPLOYER },
  });
  // A flexible account without an open agreement (a legacy account not yet enrolled) was never in the active pool.
  if (suspended.count > 0)
    await recordConversionToEmployer(tx, {
      on,
      countyCode: account.countyCode,
      employmentForm: account.employmentForm,
    });
}

async function toFlexible(tx: Tx, accountId: bigint, on: string): Promise<void> {
  const account = await tx.account.findUniqueOrThrow({ where: { id: accountId } });
  await rekeyAccountMetrics(tx, accountId, () =>
    tx.account.update({
      where: { id: accountId },
      data: { kind: AccountKind.FLEXIBLE, status: "ACTIVE", employerName: null },
    }),
  );
  await tx.agreement.create({
    data: {
      accountId,
      signedOn: stringToDate(on),
      commitmentVersion: CURRENT_COMMITMENT.version,
      commitmentDate: stringToDate(CURRENT_COMMITMENT.date),
      commitmentAccepted: true,
    },
  });
  // A new agreement is an enrolment in the pilot's figures (as when a sealed account enrols again).
  await recordEnrolment(tx, { on, countyCode: account.countyCode, employmentForm: account.employmentForm });
}

export async function convertAccount(
  hub: HubServices,
  actor: Actor,
  c: ConvertAccountCommand,
): Promise<Outcome<AccountView>> {
  if (!isValidDate(c.effectiveOn)) return { userErrors: [userError("INVALID_DATE", "转换日期无效", "effectiveOn")] };
  return runCommand<AccountView>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "convertAccount",
      actor: actor.sub,
      exchange: actor.exchange,
      input: c,
    },
    transaction: async (tx) => {
      const account = await lockAccount(tx, c.accountNumber);
      if (!account) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };
      const violations = checkConversion(
        { ...account, lastAgreementEvent: await lastAgreementEvent(tx, account.id) },
        c,
      );
      if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };
      if (c.to === AccountKind.EMPLOYER) await toEmployer(tx, account.id, c.employerName!.trim(), c.effectiveOn);
      else await toFlexible(tx, account.id, c.effectiveOn);
      const idNumber = (await tx.account.findUniqueOrThrow({ where: { id: account.id }, select: { person: true } }))
        .person.idNumber;
      // The national platform learns the account's new kind (one person, one account: the same account number).
      await tx.outboxMessage.create({
        data: {
          topic: "national.registerAccount",
          payload: { idNumber, centerCode: CENTER_CODE, accountNumber: c.accountNumber, kind: c.to, by: actor.sub },
        },
      });
      return { ok: (await accountView(tx, c.accountNumber))! };
    },
    afterCommit: () => hub.outbox.kick(),
  });
}
