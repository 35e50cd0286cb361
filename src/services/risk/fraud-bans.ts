// The fraud-ban store 骗提骗贷惩戒记录: the one place other services ask whether a ban is in force
// (`bansInForce(tx, personId, on)`, then the rule's `actionBanned`), and the three ways a ban gets in: the center's
// decision (recordFraudBan), the national platform's sanction seen at enrolment, a transfer's fraud flag.
// The rule (how long, in force when, blocks what) is src/domain/risk/fraud-ban.rule.ts.
import { dateToString } from "../../db/dates";
import type { SqlTx } from "../../db/driver-sql";
import type { Tx } from "../../db/transaction";
import {
  actionBanned,
  BanKind,
  type BannedAction,
  type BanSource,
  banUntil,
  type BanYears,
  untilFromLastDay,
} from "../../domain/risk/fraud-ban.rule";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ParametersOn } from "../policy/policy-parameters.service";

export interface FraudBanView {
  kind: BanKind | string;
  decidedOn: string;
  until: string;
  reason: string;
  source: BanSource | string;
}

interface BanRow {
  kind: string;
  decided_on: Date;
  until: Date;
  reason: string;
  source: string;
}

const view = (r: BanRow): FraudBanView => ({
  kind: r.kind,
  decidedOn: dateToString(r.decided_on),
  until: dateToString(r.until),
  reason: r.reason,
  source: r.source,
});

export function banYears(params: ParametersOn): BanYears {
  return {
    withdrawalFraud: params.int("risk.fraudWithdrawalBanYears"),
    loanFraud: params.int("risk.fraudLoanBanYears"),
  };
}

/** The person's bans in force on `on` (decided on or before it, `until` after it), the latest ending first. */
export async function bansInForce(tx: SqlTx, personId: bigint, on: string): Promise<FraudBanView[]> {
  const rows = await tx.$queryRaw<BanRow[]>`
    SELECT kind, decided_on, until, reason, source FROM fraud_ban
     WHERE person_id = ${personId}::bigint AND decided_on <= ${on}::date AND until > ${on}::date
     ORDER BY until DESC, id DESC`;
  return rows.map(view);
}

/** Whether a ban in force on `on` blocks `action` for the person (one statement). */
export async function isBanned(tx: SqlTx, personId: bigint, action: BannedAction, on: string): Promise<boolean> {
  return actionBanned(await bansInForce(tx, personId, on), action, on);
}

/** For several (account, date) pairs at once (a withdrawal batch): whether a ban in force on the pair's date blocks
 *  `action` for the person holding the account, by account number (one statement; absent numbers: no ban). */
export async function bannedAmong(
  tx: SqlTx,
  asks: readonly { accountNumber: string; on: string }[],
  action: BannedAction,
): Promise<Map<string, boolean>> {
  const banned = new Map<string, boolean>();
  if (asks.length === 0) return banned;
  const rows = await tx.$queryRaw<(BanRow & { account_number: string; asked_on: Date })[]>`
    SELECT q.account_number, q.asked_on, b.kind, b.decided_on, b.until, b.reason, b.source
      FROM unnest(${asks.map((a) => a.accountNumber)}::text[], ${asks.map((a) => a.on)}::date[]) AS q(account_number, asked_on)
      JOIN account a ON a.account_number = q.account_number
      JOIN fraud_ban b ON b.person_id = a.person_id AND b.decided_on <= q.asked_on AND b.until > q.asked_on
     ORDER BY b.until DESC, b.id DESC`;
  const byAccount = new Map<string, FraudBanView[]>();
  for (const r of rows) byAccount.set(r.account_number, [...(byAccount.get(r.account_number) ?? []), view(r)]);
  for (const ask of asks)
    banned.set(ask.accountNumber, actionBanned(byAccount.get(ask.accountNumber) ?? [], action, ask.on));
  return banned;
}

/** Every ban of the persons holding these accounts, newest decision first, by account number (the Account.bans loader). */
export async function bansByAccountNumber(
  prisma: PrismaClient,
  accountNumbers: readonly string[],
): Promise<Map<string, FraudBanView[]>> {
  const rows = await prisma.$queryRaw<(BanRow & { account_number: string })[]>`
    SELECT a.account_number, b.kind, b.decided_on, b.until, b.reason, b.source
      FROM account a JOIN fraud_ban b ON b.person_id = a.person_id
     WHERE a.account_number = ANY(${[...accountNumbers]}::text[])
     ORDER BY b.decided_on DESC, b.id DESC`;
  const out = new Map<string, FraudBanView[]>();
  for (const r of rows) {
    const list = out.get(r.account_number) ?? [];
    list.push(view(r));
    out.set(r.account_number, list);
  }
  return out;
}

export interface NewBan {
  personId: bigint;
  kind: BanKind;
  decidedOn: string;
  until: string;
  reason: string;
  source: BanSource;
  sourceRef: string;
  recordedBy: string;
}

/** Inserts a ban once per (person, source, sourceRef); returns the stored one (the first, when it existed). */
export async function storeBan(tx: Tx, ban: NewBan): Promise<FraudBanView> {
  await tx.$executeRaw`
    INSERT INTO fraud_ban (person_id, kind, decided_on, until, reason, source, source_ref, recorded_by)
    VALUES (${ban.personId}::bigint, ${ban.kind}, ${ban.decidedOn}::date, ${ban.until}::date, ${ban.reason},
            ${ban.source}, ${ban.sourceRef}, ${ban.recordedBy})
    ON CONFLICT (person_id, source, source_ref) DO NOTHING`;
  const [row] = await tx.$queryRaw<BanRow[]>`
    SELECT kind, decided_on, until, reason, source FROM fraud_ban
     WHERE person_id = ${ban.personId}::bigint AND source = ${ban.source} AND source_ref = ${ban.sourceRef}`;
  return view(row!);
}

/**
 * A sanction the national platform reports in force on `seenOn` (`fraudBanUntil`, its last day, on or after seenOn):
 * stored once per person and last day. The platform gives neither the kind nor the decision date: it is kept as a
 * WITHDRAWAL_FRAUD ban (the kind that blocks every action) decided on the day the hub learnt of it
 * (docs/decisions/017). Null when the sanction has already ended on `seenOn` (it blocks nothing).
 */
export function nationalBan(personId: bigint, lastDay: string, seenOn: string, recordedBy: string): NewBan | null {
  const until = untilFromLastDay(lastDay);
  if (until <= seenOn) return null;
  return {
    personId,
    kind: BanKind.WITHDRAWAL_FRAUD,
    decidedOn: seenOn,
    until,
    reason: `全国住房公积金监管服务平台记录的骗提骗贷惩戒，至 ${lastDay}`,
    source: "NATIONAL",
    sourceRef: lastDay,
    recordedBy,
  };
}

/**
 * A transfer whose sending center flagged fraud: a WITHDRAWAL_FRAUD ban (blocks money out and loans) decided on the
 * day the transfer was received, for the years in force then; the center can record its own decision beside it.
 */
export function transferBan(
  personId: bigint,
  t: { contactLetterNo: string; fromCenter: string; receivedOn: string },
  years: BanYears,
  recordedBy: string,
): NewBan {
  return {
    personId,
    kind: BanKind.WITHDRAWAL_FRAUD,
    decidedOn: t.receivedOn,
    until: banUntil(BanKind.WITHDRAWAL_FRAUD, t.receivedOn, years),
    reason: `转入时原中心标记骗提骗贷（联系函 ${t.contactLetterNo}，原中心 ${t.fromCenter}）`,
    source: "TRANSFER",
    sourceRef: t.contactLetterNo,
    recordedBy,
  };
}
