// transferOut 异地转出: the account moves to another city's center through the national transfer platform.
//
// 1. Issue the contact letter (one short transaction, the account's ledger row locked): the account-state rule
//    mayTransfer (loan, status, ban); the figures the platform is sent (principal + interest to date, paid months,
//    paid-up-to month, the six-month continuity flag) are computed by the very code that will post them, run inside
//    a savepoint that is rolled back, so nothing of it stays; the letter (center code + YYMMDD + 4-digit sequence of
//    the day) is stored PENDING with those figures. A later request for the same account, date and center, under any
//    key, gets the same letter (a retry after a lost answer sends the same instruction; the platform is idempotent
//    on the letter); once ACCEPTED, every later request for the account returns the first result.
// 2. Ask the platform (outside any transaction; an outbound exchange record is written before the call). Down:
//    CONNECTOR_UNAVAILABLE, and the account, its balance and its ledger are untouched. REJECTED: the letter is
//    marked REJECTED with the platform's reason, the account is untouched (TRANSFER_REJECTED).
// 3. ACCEPTED: one transaction, as exitAgreement does it: settle the earlier settlement year if its run has not
//    reached the account, credit interest from the last 1 July to the day before (转出结息), post TRANSFER_OUT
//    (business type 07) of the whole balance against the fund's transfer clearing account, end the agreement
//    (end_reason TRANSFER_OUT, counted as an exit), close the account with status code 04, tell the national
//    platform through the outbox (deregistration), and store the result on the letter.
import { dateToString, stringToDate } from "../../db/dates";
import { inTransaction, type Tx } from "../../db/transaction";
import { mayTransfer } from "../../domain/accounts/account-state.rule";
import { ACCOUNT_CLOSURE_CODES } from "../../domain/accounts/account-vocabulary";
import { compareDates, isValidDate, monthOf, settlementYearOf } from "../../domain/calendar/calendar";
import { type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import type { TransferOut } from "../../generated/prisma/client";
import type { LedgerEntryView } from "../accounts/ledger-entries";
import { callFor } from "../audit/outbound-exchange";
import { runCommand } from "../command";
import { entryViewOf } from "../deposits/deposit-posting";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { creditYearsFor, INTEREST_RATE, type InterestPolicy, interestPolicyOn } from "../interest/interest-credits";
import { userError, type UserErrorDto } from "../user-error";
import { creditExitInterest } from "../withdrawals/exit-agreement";
import { closeAndDeregister, lockForMoneyOut, type MoneyOutAccount } from "../withdrawals/money-out";
import { accountView } from "./account-view";
import { CENTER_CODE } from "./enroll-worker";
import { CONTINUITY_FLAG_MONTHS, type TransferResult } from "./receive-transfer";

export interface TransferOutCommand {
  accountNumber: string;
  toCenter: string;
  requestedOn: string;
  idempotencyKey: string;
}

/** JGJ/T 320 account status 04: closed by transfer out 转出销户. */
export const CLOSED_BY_TRANSFER_OUT = ACCOUNT_CLOSURE_CODES.TRANSFERRED_OUT;

const NOT_FOUND = userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber");

/** What the platform is sent about the account (money as strings with two decimals). */
interface TransferFigures {
  principal: string;
  interest: string;
  openedMonth: string;
  paidUpTo: string;
  paidMonths: number;
  lastSixMonthsContinuous: boolean;
  loanCount: number;
  loanOutstanding: boolean;
  fraudFlag: boolean;
}

interface InterestToDate {
  entries: LedgerEntryView[];
  balance: MoneyValue;
  interest: MoneyValue;
}

type InterestPolicies = { running: number; earlier: InterestPolicy; rate: MoneyValue };

function inputProblems(c: TransferOutCommand): UserErrorDto[] {
  const problems: UserErrorDto[] = [];
  if (!/^\d{6}$/.test(c.toCenter) || c.toCenter === CENTER_CODE)
    problems.push(userError("INVALID_CENTER", "转入中心代码应为6位数字且不是本中心", "toCenter"));
  if (!isValidDate(c.requestedOn)) problems.push(userError("INVALID_DATE", "申请日期无效", "requestedOn"));
  return problems;
}

/** Earlier year if its run has not reached the account, then interest to the day before `on`; the balance after. */
async function creditInterestToDate(
  hub: HubServices,
  tx: Tx,
  account: MoneyOutAccount,
  on: string,
  p: InterestPolicies,
): Promise<InterestToDate> {
  const earlier = await creditYearsFor(tx, hub.ledger, p.running - 1, p.earlier, account.id);
  const toDate = await creditExitInterest(hub, tx, account, on, p.rate, "TRANSFER_OUT");
  const entries = [...earlier.filter((e) => e.accountId === account.id).map((e) => e.view), ...toDate];
  const interest = entries.filter((e) => e.kind === "INTEREST").reduce((sum, e) => sum.plus(toMoney(e.amount)), ZERO);
  const [row] = await tx.$queryRaw<{ balance: { toFixed(): string } }[]>`
    SELECT balance FROM ledger_account WHERE id = ${account.ledgerAccountId}::bigint`;
  return { entries, balance: toMoney(row!.balance), interest };
}

/** The account's history as the transfer carries it: from the one deposit history (via the account view) and the
 *  transfers it received (their opening month, loans and fraud flag travel on). */
async function historyFigures(
  tx: Tx,
  account: MoneyOutAccount,
): Promise<Omit<TransferFigures, "principal" | "interest">> {
  const view = (await accountView(tx, account.accountNumber))!;
  const received = await tx.transferIn.findMany({
    where: { accountId: account.id },
    select: { openedMonth: true, loanCount: true, fraudFlag: true },
  });
  const openedMonth = [monthOf(account.openedOn), ...received.map((r) => r.openedMonth)].sort()[0]!;
  return {
    openedMonth,
    // Nothing paid at all: the opening month stands for 缴至年月 (the platform needs a month) with 0 paid months.
    paidUpTo: view.paidUpTo ?? openedMonth,
    paidMonths: view.paidMonths,
    lastSixMonthsContinuous: view.consecutiveMonths >= CONTINUITY_FLAG_MONTHS,
    // No loan book yet (issue 9): the loans carried in by earlier transfers; mayTransfer refused an outstanding one.
    loanCount: received.reduce((sum, r) => sum + r.loanCount, 0),
    loanOutstanding: account.hasOutstandingLoan,
    // No ban store yet (issue 9): a fraud flag carried in by an earlier transfer travels on, as does a ban in force.
    fraudFlag: account.banInForce || received.some((r) => r.fraudFlag),
  };
}

/** The figures of a transfer on `on`, computed by the posting code inside a savepoint that is rolled back. */
async function figuresOf(
  hub: HubServices,
  tx: Tx,
  account: MoneyOutAccount,
  on: string,
  p: InterestPolicies,
): Promise<TransferFigures> {
  await tx.$executeRawUnsafe("SAVEPOINT transfer_out_figures");
  try {
    const credited = await creditInterestToDate(hub, tx, account, on, p);
    return {
      principal: credited.balance.minus(credited.interest).toFixed(2),
      interest: credited.interest.toFixed(2),
      ...(await historyFigures(tx, account)),
    };
  } finally {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT transfer_out_figures");
  }
}

const sameFigures = (row: TransferOut, f: TransferFigures): boolean =>
  toMoney(row.principal).toFixed(2) === f.principal &&
  toMoney(row.interest).toFixed(2) === f.interest &&
  row.openedMonth === f.openedMonth &&
  row.paidUpTo === f.paidUpTo &&
  row.paidMonths === f.paidMonths &&
  row.lastSixMonthsContinuous === f.lastSixMonthsContinuous &&
  row.loanCount === f.loanCount &&
  row.loanOutstanding === f.loanOutstanding &&
  row.fraudFlag === f.fraudFlag;

/** The next letter of the day: center code + YYMMDD + 4-digit sequence, serialised per day by an advisory lock. */
async function nextLetter(tx: Tx, on: string): Promise<string | null> {
  const prefix = `${CENTER_CODE}${on.slice(2, 4)}${on.slice(5, 7)}${on.slice(8, 10)}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`transfer-out-letter:${prefix}`}))`;
  const [row] = await tx.$queryRaw<{ last: number | null }[]>`
    SELECT max(substr(contact_letter_no, 13)::int) AS last FROM transfer_out WHERE contact_letter_no LIKE ${`${prefix}%`}`;
  const next = (row?.last ?? 0) + 1;
  return next > 9999 ? null : `${prefix}${String(next).padStart(4, "0")}`;
}

/** Step 1: the letter to send (or the one already accepted for the account). */
async function issueLetter(
  hub: HubServices,
  c: TransferOutCommand,
  p: InterestPolicies,
): Promise<Outcome<TransferOut>> {
  return inTransaction(hub.prisma, async (tx): Promise<Outcome<TransferOut>> => {
    const account = await lockForMoneyOut(tx, c.accountNumber, "TRANSFER", c.requestedOn);
    if (!account) return { userErrors: [NOT_FOUND] };
    const open = await tx.transferOut.findFirst({
      where: { accountId: account.id, status: { in: ["PENDING", "ACCEPTED"] } },
      orderBy: { id: "desc" },
    });
    if (open?.status === "ACCEPTED") return { ok: open };
    const refused = mayTransfer(account);
    if (refused) return { userErrors: [userError(refused.code, refused.message, refused.field ?? undefined)] };
    if (compareDates(c.requestedOn, account.openedOn) < 0)
      return { userErrors: [userError("INVALID_DATE", "申请日期早于开户日期", "requestedOn")] };
    const figures = await figuresOf(hub, tx, account, c.requestedOn, p);
    if (open) {
      const sameRequest = open.toCenter === c.toCenter && dateToString(open.requestedOn) === c.requestedOn;
      if (sameRequest && sameFigures(open, figures)) return { ok: open };
      return {
        userErrors: [
          userError(
            "TRANSFER_PENDING",
            `该账户已有转移联系函 ${open.contactLetterNo} 等待全国平台答复，请以相同转入中心和日期重试`,
            "accountNumber",
          ),
        ],
      };
    }
    const letter = await nextLetter(tx, c.requestedOn);
    if (!letter) return { userErrors: [userError("TOO_MANY_TRANSFERS", "当日转移联系函编号已用完", "requestedOn")] };
    return {
      ok: await tx.transferOut.create({
        data: {
          contactLetterNo: letter,
          accountId: account.id,
          toCenter: c.toCenter,
          requestedOn: stringToDate(c.requestedOn),
          status: "PENDING",
          ...figures,
        },
      }),
    };
  });
}

/** Step 2: the platform's answer for a PENDING letter; REJECTED is recorded on the letter and refused. */
async function askPlatform(hub: HubServices, actor: Actor, letter: TransferOut): Promise<Outcome<TransferOut>> {
  if (letter.status !== "PENDING") return { ok: letter };
  const account = await hub.prisma.account.findUniqueOrThrow({
    where: { id: letter.accountId },
    select: { person: { select: { idNumber: true, name: true } } },
  });
  const answer = await hub.national.sendTransfer(
    {
      contactLetterNo: letter.contactLetterNo,
      fromCenter: CENTER_CODE,
      toCenter: letter.toCenter,
      idNumber: account.person.idNumber,
      name: account.person.name,
      principal: toMoney(letter.principal).toFixed(2),
      interest: toMoney(letter.interest).toFixed(2),
      openedMonth: letter.openedMonth,
      paidUpTo: letter.paidUpTo,
      lastSixMonthsContinuous: letter.lastSixMonthsContinuous,
      paidMonths: letter.paidMonths,
      loanCount: letter.loanCount,
      loanOutstanding: letter.loanOutstanding,
      fraudFlag: letter.fraudFlag,
    },
    callFor(actor),
  );
  if (answer.status === "ACCEPTED") return { ok: letter };
  const reason = answer.reason ?? "未说明原因";
  await hub.prisma.transferOut.updateMany({
    where: { id: letter.id, status: "PENDING" },
    data: { status: "REJECTED", reason, decidedAt: new Date() },
  });
  return {
    userErrors: [
      userError(
        "TRANSFER_REJECTED",
        `全国住房公积金监管服务平台拒绝了转移（联系函 ${letter.contactLetterNo}）：${reason}`,
        "toCenter",
      ),
    ],
  };
}

/** Step 3, in the command's transaction: credit interest, post TRANSFER_OUT, close with 04, store the result. */
async function complete(
  hub: HubServices,
  tx: Tx,
  actor: Actor,
  letter: TransferOut,
  p: InterestPolicies,
): Promise<Outcome<TransferResult>> {
  const { accountNumber } = await tx.account.findUniqueOrThrow({
    where: { id: letter.accountId },
    select: { accountNumber: true },
  });
  const account = (await lockForMoneyOut(tx, accountNumber, "TRANSFER", dateToString(letter.requestedOn)))!;
  const current = await tx.transferOut.findUniqueOrThrow({ where: { id: letter.id } });
  if (current.status === "ACCEPTED") return { ok: current.result as unknown as TransferResult };
  const on = dateToString(current.requestedOn);
  const credited = await creditInterestToDate(hub, tx, account, on, p);
  const principal = credited.balance.minus(credited.interest);
  if (!principal.equals(toMoney(current.principal)) || !credited.interest.equals(toMoney(current.interest))) {
    // The platform accepted other figures than the account now holds (money moved while the letter was pending).
    return {
      userErrors: [
        userError(
          "TRANSFER_FIGURES_CHANGED",
          `联系函 ${current.contactLetterNo} 已被接受，但账户余额在等待期间发生变化，请与全国平台核对后处理`,
          "accountNumber",
        ),
      ],
    };
  }
  const entries = [...credited.entries];
  let postingId: bigint | null = null;
  if (credited.balance.greaterThan(0)) {
    const posted = await hub.ledger.post(tx, {
      kind: "TRANSFER_OUT",
      postedOn: on,
      memo: `转出 ${current.toCenter} ${current.contactLetterNo}`,
      lines: [
        { ledgerAccountId: account.ledgerAccountId, side: "D", amount: credited.balance, worker: true },
        { ledgerAccountId: hub.ledger.fund.TRANSFER_CLEARING, side: "C", amount: credited.balance },
      ],
    });
    postingId = posted.postingId;
    entries.push(...posted.entries.filter((e) => e.ledgerAccountId === account.ledgerAccountId).map(entryViewOf));
  }
  await closeAndDeregister(tx, account, on, actor, { closeCode: CLOSED_BY_TRANSFER_OUT, endReason: "TRANSFER_OUT" });
  const result: TransferResult = {
    account: (await accountView(tx, account.accountNumber))!,
    contactLetterNo: current.contactLetterNo,
    entries,
  };
  await tx.transferOut.update({
    where: { id: current.id },
    data: { status: "ACCEPTED", postingId, result: result as unknown as object, decidedAt: new Date() },
  });
  return { ok: result };
}

export async function transferOut(
  hub: HubServices,
  actor: Actor,
  c: TransferOutCommand,
): Promise<Outcome<TransferResult>> {
  const problems = inputProblems(c);
  if (problems.length > 0) return { userErrors: problems };
  const running = settlementYearOf(c.requestedOn);
  const policies: InterestPolicies = {
    running,
    earlier: await interestPolicyOn(hub, running - 1),
    rate: (await hub.policy.on(c.requestedOn)).decimal(INTEREST_RATE),
  };
  return runCommand<TransferResult, TransferOut>(hub.prisma, {
    request: { key: c.idempotencyKey, operation: "transferOut", actor: actor.sub, exchange: actor.exchange, input: c },
    outside: async () => {
      const letter = await issueLetter(hub, c, policies);
      return "ok" in letter ? askPlatform(hub, actor, letter.ok) : letter;
    },
    transaction: (tx, letter) => complete(hub, tx, actor, letter, policies),
    afterCommit: () => hub.outbox.kick(),
  });
}
