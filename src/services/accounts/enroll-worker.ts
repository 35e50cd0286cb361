// Enrolment 开户: eligibility on the enrolment date, the local and national one-person-one-account checks,
// then person, account, agreement and deposit plan in one transaction. Registration with the national
// platform goes through the outbox after commit, so a slow platform never holds a transaction open.
import { duplicateReason } from "../../connectors/national-platform/national-platform.port";
import { stringToDate } from "../../db/dates";
import { inTransaction, type Tx } from "../../db/transaction";
import { CURRENT_COMMITMENT } from "../../domain/accounts/commitment";
import { checkEnrolment } from "../../domain/accounts/enrolment.rule";
import { type ParsedIdNumber, parseIdNumber } from "../../domain/accounts/id-number";
import { DEFAULT_FEMALE_ORIGINAL_RETIREMENT_AGE } from "../../domain/accounts/retirement-age.rule";
import { type MoneyValue } from "../../domain/money/money";
import type { PrismaClient } from "../../generated/prisma/client";
import { callFor } from "../audit/outbound-exchange";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { recordDuplicateBlock, recordEnrolment, rekeyAccountMetrics } from "../metrics/metric-deltas";
import { nationalBan, storeBan } from "../risk/fraud-bans";
import { userError, type UserErrorDto } from "../user-error";
import { type AccountView, accountView } from "./account-view";

export interface EnrollWorkerCommand {
  idNumber: string;
  name: string;
  phone?: string | null;
  countyCode: string;
  employmentForm: string;
  education?: string | null;
  graduationDate?: string | null;
  commitmentAccepted: boolean;
  monthlyAmount: MoneyValue;
  depositDay: number;
  mode: string;
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
  bankAccount?: string | null;
  /** A woman's original retirement age, 55 or 50 (decision 015); absent: as recorded on the person, else 55. */
  originalRetirementAge?: number | null;
  enrolledOn: string;
  idempotencyKey: string;
}

export const CENTER_CODE = "140500";

const DUPLICATE_MESSAGES: Record<string, string> = {
  ACTIVE_ACCOUNT_ELSEWHERE: "全国住房公积金监管服务平台显示该人员已有正常缴存账户（一人一户）",
  FRAUD_BAN: "该人员处于骗提骗贷惩戒期内，不得开户",
};

function commandInput(c: EnrollWorkerCommand): Record<string, unknown> {
  return { ...c, monthlyAmount: c.monthlyAmount.toFixed(2) };
}

async function localConflict(tx: Tx | PrismaClient, idNumber: string): Promise<UserErrorDto | null> {
  const active = await tx.account.findFirst({
    where: { person: { idNumber }, status: "ACTIVE" },
    select: { kind: true },
  });
  if (!active) return null;
  return active.kind === "EMPLOYER"
    ? userError(
        "EMPLOYER_ACCOUNT_ACTIVE",
        "该人员有正常的单位缴存账户，属于应缴范围，不能以灵活就业身份开户",
        "idNumber",
      )
    : userError("ALREADY_ENROLLED", "该人员已在本中心开立灵活就业缴存账户", "idNumber");
}

async function createAccount(
  tx: Tx,
  person: ParsedIdNumber,
  c: EnrollWorkerCommand,
  track: number | null,
  actor: Actor,
): Promise<string> {
  const personData = {
    name: c.name,
    phone: c.phone ?? null,
    education: c.education ?? null,
    graduationDate: c.graduationDate ? stringToDate(c.graduationDate) : null,
  };
  // A woman's track is recorded when she enrols: the one given, else the one recorded before, else 55. Men: none.
  const originalRetirementAge = person.sex === "F" ? (track ?? DEFAULT_FEMALE_ORIGINAL_RETIREMENT_AGE) : null;
  const saved = await tx.person.upsert({
    where: { idNumber: person.idNumber },
    create: {
      idNumber: person.idNumber,
      sex: person.sex,
      birthDate: stringToDate(person.birthDate),
      ...personData,
      originalRetirementAge,
    },
    update: { ...personData, originalRetirementAge },
  });
  // A sealed account of this person (e.g. employer-based, sealed when the job ended) converts back to
  // flexible: one personal account, its history and duration carried over.
  const sealed = await tx.account.findFirst({
    where: { personId: saved.id, status: "SEALED" },
    orderBy: { id: "desc" },
  });
  let accountId: bigint;
  let accountNumber: string;
  if (sealed) {
    // Its metrics history moves with it to the new county / form / kind (metrics group accounts by what they are now).
    await rekeyAccountMetrics(tx, sealed.id, () =>
      tx.account.update({
        where: { id: sealed.id },
        data: { kind: "FLEXIBLE", status: "ACTIVE", countyCode: c.countyCode, employmentForm: c.employmentForm },
      }),
    );
    accountId = sealed.id;
    accountNumber = sealed.accountNumber;
  } else {
    const [seq] = await tx.$queryRaw<{ n: bigint }[]>`SELECT nextval('account_number_seq') AS n`;
    accountNumber = `${CENTER_CODE}${seq!.n.toString().padStart(10, "0")}`;
    const ledger = await tx.ledgerAccount.create({
      data: { code: `W:${accountNumber}`, type: "WORKER", normalSide: "C", name: `个人账户 ${accountNumber}` },
    });
    const account = await tx.account.create({
      data: {
        accountNumber,
        personId: saved.id,
        ledgerAccountId: ledger.id,
        kind: "FLEXIBLE",
        status: "ACTIVE",
        countyCode: c.countyCode,
        employmentForm: c.employmentForm,
        openedOn: stringToDate(c.enrolledOn),
      },
    });
    accountId = account.id;
  }
  // A conversion back to flexible counts as an enrolment too (it signs a new agreement below).
  await recordEnrolment(tx, { on: c.enrolledOn, countyCode: c.countyCode, employmentForm: c.employmentForm });
  await tx.agreement.create({
    data: {
      accountId,
      signedOn: stringToDate(c.enrolledOn),
      commitmentVersion: CURRENT_COMMITMENT.version,
      commitmentDate: stringToDate(CURRENT_COMMITMENT.date),
      commitmentAccepted: true,
    },
  });
  await tx.depositPlan.create({
    data: {
      accountId,
      monthlyAmount: c.monthlyAmount.toFixed(2),
      depositDay: c.depositDay,
      mode: c.mode,
      channel: c.channel,
      bankAccount: c.bankAccount ?? null,
      effectiveFrom: stringToDate(c.enrolledOn),
    },
  });
  await tx.outboxMessage.create({
    data: {
      topic: "national.registerAccount",
      payload: { idNumber: person.idNumber, centerCode: CENTER_CODE, accountNumber, kind: "FLEXIBLE", by: actor.sub },
    },
  });
  return accountNumber;
}

/**
 * Before any write: the local check first (the most precise answer for staff), then the national platform; when
 * the platform is down, nothing is written. A duplicate the platform reports is recorded (and counted) as refused.
 */
async function checkNotEnrolled(
  hub: HubServices,
  actor: Actor,
  person: ParsedIdNumber,
  c: EnrollWorkerCommand,
): Promise<Outcome<undefined>> {
  const local = await localConflict(hub.prisma, person.idNumber);
  if (local) return { userErrors: [local] };
  const national = await hub.national.checkPerson(person.idNumber, callFor(actor));
  const duplicate = duplicateReason(national, c.enrolledOn, CENTER_CODE);
  // A sanction in force that the platform reports joins the ban store when the person is known here (e.g. a sealed
  // account they could otherwise withdraw from); for a stranger the refusal below is the record.
  const known = national.fraudBanUntil
    ? await hub.prisma.person.findUnique({ where: { idNumber: person.idNumber }, select: { id: true } })
    : null;
  const ban = known && nationalBan(known.id, national.fraudBanUntil!, c.enrolledOn, actor.sub);
  if (ban) await inTransaction(hub.prisma, (tx) => storeBan(tx, ban));
  if (!duplicate) return { ok: undefined };
  await inTransaction(hub.prisma, async (tx) => {
    await tx.duplicateCheck.create({
      data: {
        operation: "ENROLL",
        idNumber: person.idNumber,
        countyCode: c.countyCode,
        employmentForm: c.employmentForm,
        reason: duplicate,
        checkedOn: stringToDate(c.enrolledOn),
      },
    });
    await recordDuplicateBlock(tx, { on: c.enrolledOn, countyCode: c.countyCode, employmentForm: c.employmentForm });
  });
  const code = duplicate === "FRAUD_BAN" ? "FRAUD_BAN" : "DUPLICATE_ACCOUNT";
  return { userErrors: [userError(code, DUPLICATE_MESSAGES[duplicate]!, "idNumber")] };
}

export async function enrollWorker(
  hub: HubServices,
  actor: Actor,
  c: EnrollWorkerCommand,
): Promise<Outcome<AccountView>> {
  const parsed = parseIdNumber(c.idNumber);
  if (!parsed.ok) return { userErrors: [userError("INVALID_ID_NUMBER", "身份证号码无效", "idNumber")] };
  const person = parsed.value;
  const params = await hub.policy.on(c.enrolledOn);
  // The age rule follows the woman's track: the one given now, else the one recorded at an earlier enrolment.
  const recorded = await hub.prisma.person.findUnique({
    where: { idNumber: person.idNumber },
    select: { originalRetirementAge: true },
  });
  const originalRetirementAge = c.originalRetirementAge ?? recorded?.originalRetirementAge ?? null;
  const violations = checkEnrolment({ ...c, person, originalRetirementAge }, params.enrolmentPolicy());
  if (c.name.trim().length === 0 || c.name.length > 50)
    violations.push({ code: "INVALID_NAME", field: "name", message: "姓名不能为空且不超过 50 个字符" });
  if (violations.length > 0) return { userErrors: violations.map((v) => userError(v.code, v.message, v.field)) };

  return runCommand<AccountView>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "enrollWorker",
      actor: actor.sub,
      exchange: actor.exchange,
      input: commandInput(c),
    },
    outside: () => checkNotEnrolled(hub, actor, person, c),
    transaction: async (tx) => {
      const conflict = await localConflict(tx, person.idNumber);
      if (conflict) return { userErrors: [conflict] };
      const accountNumber = await createAccount(tx, person, c, originalRetirementAge, actor);
      return { ok: (await accountView(tx, accountNumber))! };
    },
    onConflict: userError("ALREADY_ENROLLED", "该人员已在本中心开立灵活就业缴存账户", "idNumber"),
    afterCommit: () => hub.outbox.kick(),
  });
}
