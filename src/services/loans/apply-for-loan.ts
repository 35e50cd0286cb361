// applyForLoan: a loan application, decided on appliedOn. Outside any transaction (runCommand): the account and the
// person's loans here, the quota on appliedOn (which pulls the credit report), the national platform (no HPF loan
// anywhere else, 一人多贷), the pool's liquidity with the amount added. A refusal that reached a decision is recorded
// as a refused application (counted in the metrics, once per idempotency key); a national duplicate also counts in
// duplicateBlocks. Then one transaction locks the account, checks one-loan-at-a-time again (concurrent applications
// of one person queue on the account's lock; the partial unique index on loan(person_id) is the backstop across
// accounts) and writes the APPROVED loan with its quota and factors.
import { stringToDate } from "../../db/dates";
import { inTransaction, type Tx } from "../../db/transaction";
import { mayBorrow } from "../../domain/accounts/account-state.rule";
import type { RepaymentMethod } from "../../domain/loans/loan-schedule.rule";
import { type MoneyValue, toMoney } from "../../domain/money/money";
import { CENTER_CODE } from "../accounts/enroll-worker";
import { callFor } from "../audit/outbound-exchange";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { recordDuplicateBlock, recordLoanApplication } from "../metrics/metric-deltas";
import { nationalBan, storeBan } from "../risk/fraud-bans";
import { userError, type UserErrorDto } from "../user-error";
import {
  loanBanInForce,
  loanFacts,
  loanStatusesOfPerson,
  type LoanView,
  loanView,
  poolLevel,
  poolLiquidity,
  storedQuota,
} from "./loan-book";
import { type LoanQuotaAnswer, loanQuotaOf } from "./loan-quota";

export interface LoanApplicationCommand {
  accountNumber: string;
  appliedOn: string;
  amount: MoneyValue;
  monthlyIncome: MoneyValue;
  housePrice: MoneyValue;
  termYears: number;
  firstHome: boolean;
  method: RepaymentMethod;
  offsetFromBalance: boolean;
  idempotencyKey: string;
}

export interface LoanResult {
  loan: LoanView;
  warnings: UserErrorDto[];
}

interface ApplicantRow {
  account_id: bigint;
  person_id: bigint;
  id_number: string;
  kind: string;
  status: string;
  county_code: string;
  employment_form: string | null;
}

export const LOAN_OUTSTANDING = userError(
  "LOAN_OUTSTANDING",
  "有未结清或在审批中的贷款，不能再申请贷款",
  "accountNumber",
);

const QUOTA_REASON_MESSAGES: Record<string, string> = {
  ACCOUNT_NOT_ACTIVE: "账户不是正常状态，不能申请贷款",
  PAID_MONTHS_BELOW_MINIMUM: "缴存月数不足，不能申请贷款",
  FRAUD_BAN: "处于骗提骗贷惩戒期内，不能申请贷款",
  CREDIT_SERIOUS: "征信有严重不良记录，不能申请贷款",
  DISHONEST_LIST: "已列入失信被执行人名单，不能申请贷款",
  AGE_LIMIT_REACHED: "已达贷款年龄上限，不能申请贷款",
};

async function applicant(hub: HubServices, accountNumber: string): Promise<ApplicantRow | null> {
  const rows = await hub.prisma.$queryRaw<ApplicantRow[]>`
    SELECT a.id AS account_id, a.person_id, p.id_number::text AS id_number, a.kind, a.status, a.county_code, a.employment_form
    FROM account a JOIN person p ON p.id = a.person_id WHERE a.account_number = ${accountNumber}`;
  return rows[0] ?? null;
}

/** Records a refused application once per key (a replay re-evaluates a refusal, and must not count twice). */
async function recordRefusal(
  hub: HubServices,
  who: ApplicantRow,
  c: LoanApplicationCommand,
  refusal: UserErrorDto,
  duplicate: boolean,
): Promise<Outcome<never>> {
  await inTransaction(hub.prisma, async (tx) => {
    const [row] = await tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO loan_application (idempotency_key, account_id, applied_on, amount, outcome, reason)
      VALUES (${c.idempotencyKey}, ${who.account_id}::bigint, ${c.appliedOn}::date, ${c.amount.toFixed(2)}::numeric, 'REFUSED', ${refusal.code})
      ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`;
    if (!row) return;
    await recordLoanApplication(tx, row.id);
    if (duplicate) {
      await tx.duplicateCheck.create({
        data: {
          operation: "LOAN",
          idNumber: who.id_number,
          countyCode: who.county_code,
          employmentForm: who.employment_form,
          reason: "LOAN_ELSEWHERE",
          checkedOn: stringToDate(c.appliedOn),
        },
      });
      await recordDuplicateBlock(tx, {
        on: c.appliedOn,
        countyCode: who.county_code,
        employmentForm: who.employment_form,
      });
    }
  });
  return { userErrors: [refusal] };
}

function validate(c: LoanApplicationCommand): UserErrorDto | null {
  if (!c.amount.isFinite() || c.amount.lessThanOrEqualTo(0) || c.amount.decimalPlaces() > 2)
    return userError("INVALID_AMOUNT", "贷款金额须为大于 0、最多两位小数的金额", "amount");
  if (c.termYears < 1) return userError("INVALID_TERM", "贷款年限至少 1 年", "termYears");
  if (c.housePrice.lessThanOrEqualTo(0)) return userError("INVALID_AMOUNT", "房价须大于 0", "housePrice");
  if (c.monthlyIncome.isNegative()) return userError("INVALID_AMOUNT", "月收入不能为负数", "monthlyIncome");
  return null;
}

interface Approval {
  who: ApplicantRow;
  quota: LoanQuotaAnswer;
  warnings: UserErrorDto[];
}

async function decide(hub: HubServices, actor: Actor, c: LoanApplicationCommand): Promise<Outcome<Approval>> {
  const invalid = validate(c);
  if (invalid) return { userErrors: [invalid] };
  const who = await applicant(hub, c.accountNumber);
  if (!who) return { userErrors: [userError("ACCOUNT_NOT_FOUND", "缴存账户不存在", "accountNumber")] };
  const facts = {
    kind: who.kind,
    status: who.status,
    ...loanFacts(await loanStatusesOfPerson(hub.prisma, who.person_id)),
    banInForce: await loanBanInForce(hub.prisma, who.person_id, c.appliedOn),
  };
  const refused = mayBorrow(facts);
  if (refused) return recordRefusal(hub, who, c, userError(refused.code, refused.message, "accountNumber"), false);

  const call = callFor(actor);
  const quota = await loanQuotaOf(
    hub,
    {
      accountNumber: c.accountNumber,
      asOf: c.appliedOn,
      monthlyIncome: c.monthlyIncome,
      housePrice: c.housePrice,
      termYears: c.termYears,
      firstHome: c.firstHome,
    },
    () => true,
    call,
  );
  if (!quota.eligible) {
    const [first, ...more] = quota.reasons.map((r) => userError(r, QUOTA_REASON_MESSAGES[r] ?? r, "accountNumber"));
    await recordRefusal(hub, who, c, first!, false);
    return { userErrors: [first!, ...more] };
  }
  if (c.amount.greaterThan(quota.quota))
    return recordRefusal(
      hub,
      who,
      c,
      userError("EXCEEDS_QUOTA", `申请金额超过 ${quota.quota.toFixed(2)} 元的贷款额度`, "amount"),
      false,
    );
  const national = await hub.national.checkPerson(who.id_number, call);
  // A sanction the platform reports joins the ban store (once per person and last day: fraud_ban's unique
  // (person, source, source_ref)), so Account.bans shows it and every later check uses it; then the borrow rule
  // decides with it like with any other ban (BANNED).
  const reported = national.fraudBanUntil
    ? nationalBan(who.person_id, national.fraudBanUntil, c.appliedOn, actor.sub)
    : null;
  if (reported) {
    await inTransaction(hub.prisma, (tx) => storeBan(tx, reported));
    const banned = mayBorrow({ ...facts, banInForce: await loanBanInForce(hub.prisma, who.person_id, c.appliedOn) });
    if (banned) return recordRefusal(hub, who, c, userError(banned.code, banned.message, "accountNumber"), false);
  }
  const ours = new Set(
    (await hub.prisma.loan.findMany({ where: { personId: who.person_id }, select: { loanNumber: true } })).map(
      (l) => l.loanNumber,
    ),
  );
  if (national.loans.some((l) => l.outstanding && !(l.centerCode === CENTER_CODE && ours.has(l.loanNumber))))
    return recordRefusal(
      hub,
      who,
      c,
      userError("DUPLICATE_LOAN", "全国住房公积金监管服务平台显示已有未结清的住房公积金贷款", "accountNumber"),
      true,
    );
  const params = await hub.policy.on(c.appliedOn);
  const level = poolLevel(await poolLiquidity(hub.prisma), c.amount, params);
  if (level === "ALARM")
    return recordRefusal(
      hub,
      who,
      c,
      userError("LIQUIDITY_ALARM", "个贷率已达警戒线，暂停发放灵活就业人员贷款", "amount"),
      false,
    );
  const warnings =
    level === "WARNING" ? [userError("LIQUIDITY_WARNING", "个贷率已达预警线，请关注资金流动性", "amount")] : [];
  return { ok: { who, quota, warnings } };
}

const factor = (q: LoanQuotaAnswer, name: string) => q.factors.find((f) => f.name === name)!.value;

async function writeLoan(tx: Tx, c: LoanApplicationCommand, a: Approval): Promise<Outcome<LoanResult>> {
  await tx.$queryRaw`SELECT la.id FROM account a JOIN ledger_account la ON la.id = a.ledger_account_id
    WHERE a.id = ${a.who.account_id}::bigint FOR UPDATE OF la`;
  const refused = mayBorrow({
    kind: a.who.kind,
    status: a.who.status,
    ...loanFacts(await loanStatusesOfPerson(tx, a.who.person_id)),
    banInForce: await loanBanInForce(tx, a.who.person_id, c.appliedOn),
  });
  if (refused) return { userErrors: [userError(refused.code, refused.message, "accountNumber")] };
  const [seq] = await tx.$queryRaw<{ n: bigint }[]>`SELECT nextval('loan_id_seq') AS n`;
  const loanNumber = `${CENTER_CODE}L${c.appliedOn.replaceAll("-", "")}${seq!.n.toString().padStart(8, "0")}`;
  await tx.$executeRaw`
    INSERT INTO loan (id, loan_number, account_id, person_id, status, amount, annual_rate, term_months, method,
      offset_from_balance, applied_on, monthly_income, house_price, first_home, quota)
    VALUES (${seq!.n}::bigint, ${loanNumber}, ${a.who.account_id}::bigint, ${a.who.person_id}::bigint, 'APPROVED',
      ${c.amount.toFixed(2)}::numeric, ${toMoney(factor(a.quota, "RATE")).toString()}::numeric,
      ${Number(factor(a.quota, "TERM"))}::int, ${c.method}, ${c.offsetFromBalance}, ${c.appliedOn}::date,
      ${c.monthlyIncome.toFixed(2)}::numeric, ${c.housePrice.toFixed(2)}::numeric, ${c.firstHome},
      ${JSON.stringify(storedQuota(a.quota))}::jsonb)`;
  const [app] = await tx.$queryRaw<{ id: bigint; inserted: boolean }[]>`
    INSERT INTO loan_application (idempotency_key, account_id, applied_on, amount, outcome, loan_id)
    VALUES (${c.idempotencyKey}, ${a.who.account_id}::bigint, ${c.appliedOn}::date, ${c.amount.toFixed(2)}::numeric, 'APPROVED', ${seq!.n}::bigint)
    ON CONFLICT (idempotency_key) DO UPDATE SET outcome = 'APPROVED', reason = NULL, loan_id = excluded.loan_id
    RETURNING id, (xmax = 0) AS inserted`;
  if (app!.inserted) await recordLoanApplication(tx, app!.id);
  return { ok: { loan: (await loanView(tx, loanNumber))!, warnings: a.warnings } };
}

export async function applyForLoan(
  hub: HubServices,
  actor: Actor,
  c: LoanApplicationCommand,
): Promise<Outcome<LoanResult>> {
  const input = {
    ...c,
    amount: c.amount.toFixed(2),
    monthlyIncome: c.monthlyIncome.toFixed(2),
    housePrice: c.housePrice.toFixed(2),
  };
  let decided: Approval | null = null;
  const outcome = await runCommand<LoanResult, Approval>(hub.prisma, {
    request: { key: c.idempotencyKey, operation: "applyForLoan", actor: actor.sub, exchange: actor.exchange, input },
    outside: async () => {
      const decision = await decide(hub, actor, c);
      if ("ok" in decision) decided = decision.ok;
      return decision;
    },
    transaction: (tx, approval) => writeLoan(tx, c, approval),
    onConflict: LOAN_OUTSTANDING,
  });
  // Approved outside but refused inside (a concurrent application of the person won): still an application.
  const approval = decided as Approval | null;
  if (approval && !("ok" in outcome)) await recordRefusal(hub, approval.who, c, outcome.userErrors[0]!, false);
  return outcome;
}
