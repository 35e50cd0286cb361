// What the API shows of a graduate-subsidy batch, and the terms shared by claiming and settling.
// Batch status: CLAIMED (stored, finance has not acknowledged it yet: resent later), RECEIVED (finance has it,
// some claims undecided), then PAID | PARTIALLY_PAID | REJECTED once finance has decided every claim.
import type { Tx } from "../../db/transaction";
import { formatMoney, toMoney } from "../../domain/money/money";
import type { GraduateSubsidyPolicy } from "../../domain/subsidies/graduate-subsidy.rule";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ParametersOn } from "../policy/policy-parameters.service";
import { userError } from "../user-error";

export interface SubsidyBatchView {
  batchNo: string;
  period: string;
  status: string;
  claimCount: number;
  amount: string;
  paidCount: number;
  paidAmount: string;
}

/** The batch and the persons its claims concern (for the exchange record of the request). */
export interface SubsidyBatchResult {
  batch: SubsidyBatchView;
  idNumbers: string[];
}

/** What an idempotency record keeps: the batch's number; a replay answers the batch as it is now. */
export interface SubsidyBatchRef {
  batchNo: string;
}

/** Batches that still wait for finance: not yet acknowledged, or acknowledged with claims undecided. */
export const OPEN_STATUSES = ["CLAIMED", "RECEIVED"] as const;

export const BATCH_NOT_FOUND = userError("BATCH_NOT_FOUND", "补贴批次不存在", "batchNo");

export function graduateSubsidyPolicy(params: ParametersOn): GraduateSubsidyPolicy {
  return {
    withinYears: params.int("graduateSubsidy.withinYears"),
    rate: params.decimal("graduateSubsidy.rate"),
    monthlyCap: params.money("graduateSubsidy.monthlyCap"),
    maxMonths: params.int("graduateSubsidy.maxMonths"),
    minEducation: params.codes("graduateSubsidy.minEducation")[0]!,
  };
}

export async function subsidyBatchResult(db: PrismaClient | Tx, batchNo: string): Promise<SubsidyBatchResult | null> {
  const batch = await db.subsidyBatch.findUnique({ where: { batchNo } });
  if (!batch) return null;
  const persons = await db.$queryRaw<{ id_number: string }[]>`
    SELECT p.id_number FROM subsidy_claim c JOIN person p ON p.id = c.person_id WHERE c.batch_id = ${batch.id} ORDER BY c.id`;
  return {
    batch: {
      batchNo: batch.batchNo,
      period: batch.period,
      status: batch.status,
      claimCount: batch.claimCount,
      amount: formatMoney(toMoney(batch.amount)),
      paidCount: batch.paidCount,
      paidAmount: formatMoney(toMoney(batch.paidAmount)),
    },
    idNumbers: persons.map((p) => p.id_number),
  };
}
