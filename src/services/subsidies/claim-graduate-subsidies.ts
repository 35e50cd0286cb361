// claimGraduateSubsidies: one batch of the month's graduate-subsidy claims, stored (batch + claims, CLAIMED) in one
// transaction, then sent to the finance bureau. A person-month is claimed once ever (unique person + period), so a
// second call for the month claims only those who became eligible since (late deposits), in a new batch; with
// nobody left it answers NOTHING_TO_CLAIM and stores nothing. Claims of one month are built one call at a time
// (a transaction-scoped advisory lock per month), so two concurrent calls never race for the same persons.
import { dateToString } from "../../db/dates";
import type { Tx } from "../../db/transaction";
import { type MoneyValue, toMoney, ZERO } from "../../domain/money/money";
import {
  decideGraduateSubsidy,
  type GraduateSubsidyPolicy,
  graduationDatesQualifyingFor,
  qualifyingEducations,
} from "../../domain/subsidies/graduate-subsidy.rule";
import { runCommand } from "../command";
import type { Actor, HubServices } from "../hub-services";
import type { Outcome } from "../idempotency";
import { userError } from "../user-error";
import { trySubmitClaimedBatch } from "./submit-subsidy-batch";
import {
  graduateSubsidyPolicy,
  type SubsidyBatchRef,
  type SubsidyBatchResult,
  subsidyBatchResult,
} from "./subsidy-batch.view";

export interface ClaimGraduateSubsidiesCommand {
  period: string;
  idempotencyKey: string;
}

const BATCH_LOCK_NAMESPACE = 7140501;

export const NOTHING_TO_CLAIM = userError("NOTHING_TO_CLAIM", "该月份没有可申领的高校毕业生缴存补贴", "period");
const CLAIM_CONFLICT = userError("CLAIM_CONFLICT", "该月份的补贴正在申领中，请稍后重试", "period");

interface Candidate {
  person_id: bigint;
  account_id: bigint;
  education: string;
  graduation_date: Date;
  amount: { toFixed(): string };
  used_months: number;
}

/** Deposits of the month on active flexible accounts whose person may qualify and has no claim for the month yet. */
function candidates(tx: Tx, period: string, policy: GraduateSubsidyPolicy): Promise<Candidate[]> {
  const graduated = graduationDatesQualifyingFor(period, policy);
  return tx.$queryRaw<Candidate[]>`
    SELECT DISTINCT ON (p.id) p.id AS person_id, a.id AS account_id, p.education, p.graduation_date, dm.amount,
      (SELECT count(*) FROM subsidy_claim u WHERE u.person_id = p.id AND u.status <> 'REJECTED')::int AS used_months
    FROM deposit_month dm
    JOIN account a ON a.id = dm.account_id
    JOIN person p ON p.id = a.person_id
    WHERE dm.period = ${period} AND a.kind = 'FLEXIBLE' AND a.status = 'ACTIVE'
      AND p.education = ANY(${qualifyingEducations(policy)}::text[])
      AND p.graduation_date >= ${graduated.from}::date AND p.graduation_date < ${graduated.before}::date
      AND NOT EXISTS (SELECT 1 FROM subsidy_claim c WHERE c.person_id = p.id AND c.period = ${period})
    ORDER BY p.id, a.id`;
}

async function buildBatch(tx: Tx, period: string, policy: GraduateSubsidyPolicy): Promise<Outcome<SubsidyBatchRef>> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BATCH_LOCK_NAMESPACE}::int, ${Number(period.replace("-", ""))}::int)`;
  const claims: { personId: bigint; accountId: bigint; deposit: MoneyValue; amount: MoneyValue }[] = [];
  for (const c of await candidates(tx, period, policy)) {
    const deposit = toMoney(c.amount);
    const decision = decideGraduateSubsidy(
      {
        education: c.education,
        graduationDate: dateToString(c.graduation_date),
        period,
        deposit,
        subsidisedMonths: c.used_months,
      },
      policy,
    );
    if (decision.eligible)
      claims.push({ personId: c.person_id, accountId: c.account_id, deposit, amount: decision.amount });
  }
  if (claims.length === 0) return { userErrors: [NOTHING_TO_CLAIM] };
  const earlier = await tx.subsidyBatch.count({ where: { period } });
  const batchNo = `GS-${period.replace("-", "")}-${String(earlier + 1).padStart(4, "0")}`;
  const batch = await tx.subsidyBatch.create({
    data: {
      batchNo,
      period,
      status: "CLAIMED",
      claimCount: claims.length,
      amount: claims.reduce((sum, c) => sum.plus(c.amount), ZERO).toFixed(2),
    },
  });
  await tx.subsidyClaim.createMany({
    data: claims.map((c, i) => ({
      claimNo: `${batchNo}-${String(i + 1).padStart(5, "0")}`,
      batchId: batch.id,
      accountId: c.accountId,
      personId: c.personId,
      period,
      depositAmount: c.deposit.toFixed(2),
      amount: c.amount.toFixed(2),
      status: "CLAIMED",
    })),
  });
  return { ok: { batchNo } };
}

export async function claimGraduateSubsidies(
  hub: HubServices,
  actor: Actor,
  c: ClaimGraduateSubsidiesCommand,
): Promise<Outcome<SubsidyBatchResult>> {
  // Parameters in force on the first day of the month claimed, read before the transaction opens.
  const policy = graduateSubsidyPolicy(await hub.policy.on(`${c.period}-01`));
  const outcome = await runCommand<SubsidyBatchRef>(hub.prisma, {
    request: {
      key: c.idempotencyKey,
      operation: "claimGraduateSubsidies",
      actor: actor.sub,
      exchange: actor.exchange,
      input: { period: c.period },
    },
    transaction: (tx) => buildBatch(tx, c.period, policy),
    onConflict: CLAIM_CONFLICT,
    // A replay of a call whose batch finance never acknowledged resends it too.
    afterCommit: async (ref) => void (await trySubmitClaimedBatch(hub, ref.batchNo, actor)),
  });
  if (!("ok" in outcome)) return outcome;
  return { ok: (await subsidyBatchResult(hub.prisma, outcome.ok.batchNo))! };
}
