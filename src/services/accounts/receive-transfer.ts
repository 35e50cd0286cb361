// receiveTransfer 转入: a transfer accepted from another city's center, into the person's one account here (opened
// SEALED when there is none, until the person enrols, which signs the agreement on it). Principal + interest post as
// TRANSFER_IN (business type 08) against the fund's transfer clearing account; the months paid there are carried
// (duration; continuity with the six-month flag). A fraud flag records a ban in the ban store (source TRANSFER,
// src/services/risk/fraud-bans.ts). Idempotent on the contact letter as well as on the key.
import { stringToDate } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { type ParsedIdNumber, parseIdNumber } from "../../domain/accounts/id-number";
import { isValidDate, isValidMonth, monthsBetween } from "../../domain/calendar/calendar";
import { formatMoney, type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import { runCommand } from "../command";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { MissingParameterError } from "../policy/policy-parameters.service";
import { banYears, storeBan, transferBan } from "../risk/fraud-bans";
import { userError, type UserErrorDto } from "../user-error";
import { type AccountView, accountView } from "./account-view";
import { CENTER_CODE } from "./enroll-worker";
import type { LedgerEntryView } from "./ledger-entries";

export interface ReceiveTransferCommand {
  contactLetterNo: string;
  fromCenter: string;
  idNumber: string;
  name: string;
  countyCode: string;
  principal: MoneyValue;
  interest: MoneyValue;
  openedMonth: string;
  paidUpTo: string;
  lastSixMonthsContinuous: boolean;
  paidMonths: number;
  loanCount: number;
  loanOutstanding: boolean;
  fraudFlag: boolean;
  receivedOn: string;
  idempotencyKey: string;
}

export interface TransferResult {
  account: AccountView;
  /** The national contact letter; null for a transfer to a relative (no platform involved). */
  contactLetterNo: string | null;
  entries: LedgerEntryView[];
}

/** The months of continuity the six-month flag vouches for. */
export const CONTINUITY_FLAG_MONTHS = 6;

function inputProblems(c: ReceiveTransferCommand): UserErrorDto[] {
  const problems: UserErrorDto[] = [];
  if (!/^\d{16}$/.test(c.contactLetterNo))
    problems.push(
      userError("INVALID_CONTACT_LETTER", "联系函编号应为16位数字（中心代码+年月日+序号）", "contactLetterNo"),
    );
  if (!/^\d{6}$/.test(c.fromCenter) || c.fromCenter === CENTER_CODE)
    problems.push(userError("INVALID_CENTER", "转出中心代码应为6位数字且不是本中心", "fromCenter"));
  if (!/^\d{6}$/.test(c.countyCode))
    problems.push(userError("INVALID_COUNTY", "县级区划代码应为6位数字", "countyCode"));
  if (c.name.trim().length === 0 || c.name.length > 50)
    problems.push(userError("INVALID_NAME", "姓名不能为空且不超过 50 个字符", "name"));
  if (c.principal.lessThan(0) || c.interest.lessThan(0) || !c.principal.plus(c.interest).greaterThan(0))
    problems.push(userError("AMOUNT_NOT_POSITIVE", "转入本金和利息不能为负，合计须大于零", "principal"));
  if (!isValidMonth(c.openedMonth) || !isValidMonth(c.paidUpTo) || monthsBetween(c.openedMonth, c.paidUpTo) < 0)
    problems.push(userError("INVALID_PERIOD", "开户年月、缴至年月无效或缴至年月早于开户年月", "paidUpTo"));
  else if (
    !Number.isInteger(c.paidMonths) ||
    c.paidMonths < 0 ||
    c.paidMonths > monthsBetween(c.openedMonth, c.paidUpTo) + 1
  )
    problems.push(
      userError("INVALID_PAID_MONTHS", "缴存月数不能为负，也不能超过开户年月至缴至年月的月数", "paidMonths"),
    );
  if (!Number.isInteger(c.loanCount) || c.loanCount < 0)
    problems.push(userError("INVALID_LOAN_COUNT", "贷款次数不能为负", "loanCount"));
  if (!isValidDate(c.receivedOn)) problems.push(userError("INVALID_DATE", "接收日期无效", "receivedOn"));
  return problems;
}

/** The person's one account here (active first, else the latest sealed one), or a new SEALED flexible account. */
async function accountFor(tx: Tx, person: ParsedIdNumber, c: ReceiveTransferCommand) {
  const saved = await tx.person.upsert({
    where: { idNumber: person.idNumber },
    create: { idNumber: person.idNumber, sex: person.sex, birthDate: stringToDate(person.birthDate), name: c.name },
    update: {},
  });
  const existing = await tx.account.findFirst({
    where: { personId: saved.id, status: { in: ["ACTIVE", "SEALED"] } },
    orderBy: [{ status: "asc" }, { id: "desc" }],
  });
  if (existing) return existing;
  const [seq] = await tx.$queryRaw<{ n: bigint }[]>`SELECT nextval('account_number_seq') AS n`;
  const accountNumber = `${CENTER_CODE}${seq!.n.toString().padStart(10, "0")}`;
  const ledger = await tx.ledgerAccount.create({
    data: { code: `W:${accountNumber}`, type: "WORKER", normalSide: "C", name: `个人账户 ${accountNumber}` },
  });
  return tx.account.create({
    data: {
      accountNumber,
      personId: saved.id,
      ledgerAccountId: ledger.id,
      kind: "FLEXIBLE",
      status: "SEALED",
      countyCode: c.countyCode,
      openedOn: stringToDate(c.receivedOn),
    },
  });
}

async function alreadyReceived(tx: Tx, contactLetterNo: string): Promise<TransferResult | null> {
  const found = await tx.transferIn.findUnique({
    where: { contactLetterNo },
    include: { account: { select: { accountNumber: true, ledgerAccountId: true } } },
  });
  if (!found) return null;
  const entries = await tx.ledgerEntry.findMany({
    where: { postingId: found.postingId, ledgerAccountId: found.account.ledgerAccountId },
  });
  return {
    account: (await accountView(tx, found.account.accountNumber))!,
    contactLetterNo,
    entries: entries.map((e) => ({
      id: e.id.toString(),
      postedOn: e.postedOn.toISOString().slice(0, 10),
      kind: e.kind,
      amount: formatMoney(toMoney(e.credit).minus(toMoney(e.debit))),
      period: e.period,
      balanceAfter: formatMoney(e.balanceAfter ? toMoney(e.balanceAfter) : ZERO),
    })),
  };
}

export async function receiveTransfer(
  hub: HubServices,
  actor: Actor,
  c: ReceiveTransferCommand,
): Promise<Outcome<TransferResult>> {
  const parsed = parseIdNumber(c.idNumber);
  if (!parsed.ok) return { userErrors: [userError("INVALID_ID_NUMBER", "身份证号码无效", "idNumber")] };
  const problems = inputProblems(c);
  if (problems.length > 0) return { userErrors: problems };
  const input = { ...c, principal: c.principal.toFixed(2), interest: c.interest.toFixed(2) };
  let years = null;
  try {
    years = c.fraudFlag ? banYears(await hub.policy.on(c.receivedOn)) : null;
  } catch (e) {
    if (!(e instanceof MissingParameterError)) throw e;
    return {
      userErrors: [userError("NO_PARAMETERS_IN_FORCE", `${c.receivedOn} 没有生效的惩戒年限参数`, "receivedOn")],
    };
  }
  return runCommand<TransferResult>(hub.prisma, {
    request: { key: c.idempotencyKey, operation: "receiveTransfer", actor: actor.sub, exchange: actor.exchange, input },
    transaction: async (tx) => {
      // One transfer per contact letter: a second request for it (under another key) gets the first result.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`transfer-in:${c.contactLetterNo}`}))`;
      const previous = await alreadyReceived(tx, c.contactLetterNo);
      if (previous) return { ok: previous };
      const account = await accountFor(tx, parsed.value, c);
      const posted = await hub.ledger.post(tx, {
        kind: "TRANSFER_IN",
        postedOn: c.receivedOn,
        memo: `转入 ${c.fromCenter} ${c.contactLetterNo}`,
        lines: [
          { ledgerAccountId: hub.ledger.fund.TRANSFER_CLEARING, side: "D", amount: c.principal.plus(c.interest) },
          { ledgerAccountId: account.ledgerAccountId, side: "C", amount: c.principal.plus(c.interest), worker: true },
        ],
      });
      const { idempotencyKey: _key, idNumber: _id, name: _name, countyCode: _county, ...transfer } = c;
      await tx.transferIn.create({
        data: {
          ...transfer,
          principal: c.principal.toFixed(2),
          interest: c.interest.toFixed(2),
          accountId: account.id,
          receivedOn: stringToDate(c.receivedOn),
          postingId: posted.postingId,
        },
      });
      await tx.carriedHistory.create({
        data: {
          accountId: account.id,
          source: "TRANSFER_IN",
          reference: c.contactLetterNo,
          paidMonths: c.paidMonths,
          paidUpTo: c.paidUpTo,
          continuousMonths: c.lastSixMonthsContinuous ? Math.min(CONTINUITY_FLAG_MONTHS, c.paidMonths) : 0,
        },
      });
      if (years) await storeBan(tx, transferBan(account.personId, c, years, actor.sub));
      return {
        ok: {
          account: (await accountView(tx, account.accountNumber))!,
          contactLetterNo: c.contactLetterNo,
          entries: posted.entries.filter((e) => e.ledgerAccountId === account.ledgerAccountId).map(entryViewOf),
        },
      };
    },
  });
}
