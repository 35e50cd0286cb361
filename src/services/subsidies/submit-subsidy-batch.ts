// Sends a stored CLAIMED batch to the finance bureau (idempotent on batchNo, so a resend never makes a second
// batch there) and marks it RECEIVED once finance acknowledged it. No database transaction is held open while
// finance answers; if finance is down the batch simply stays CLAIMED and is resent by the job or a later call.
import { ConnectorUnavailableError } from "../../connectors/connector.errors";
import type { SubsidyBatchSubmission } from "../../connectors/finance/finance.port";
import { dateToString } from "../../db/dates";
import { formatMoney, toMoney } from "../../domain/money/money";
import { callFor } from "../audit/outbound-exchange";
import type { Actor, HubServices } from "../hub-services";

async function submissionOf(hub: HubServices, batchId: bigint, batchNo: string): Promise<SubsidyBatchSubmission> {
  const claims = await hub.prisma.$queryRaw<
    {
      claim_no: string;
      id_number: string;
      period: string;
      amount: { toFixed(): string };
      graduation_date: Date;
      education: string;
    }[]
  >`
    SELECT c.claim_no, p.id_number, c.period, c.amount, p.graduation_date, p.education
    FROM subsidy_claim c JOIN person p ON p.id = c.person_id
    WHERE c.batch_id = ${batchId} ORDER BY c.id`;
  return {
    batchNo,
    claims: claims.map((c) => ({
      claimNo: c.claim_no,
      idNumber: c.id_number,
      period: c.period,
      amount: formatMoney(toMoney(c.amount)),
      graduationDate: dateToString(c.graduation_date),
      education: c.education,
    })),
  };
}

/** Sends the batch if it is still CLAIMED; throws ConnectorUnavailableError when finance cannot take it. */
export async function submitClaimedBatch(hub: HubServices, batchNo: string, actor: Actor): Promise<void> {
  const batch = await hub.prisma.subsidyBatch.findUnique({ where: { batchNo }, select: { id: true, status: true } });
  if (!batch || batch.status !== "CLAIMED") return;
  await hub.finance.submitBatch(await submissionOf(hub, batch.id, batchNo), callFor(actor));
  await hub.prisma.subsidyBatch.updateMany({
    where: { id: batch.id, status: "CLAIMED" },
    data: { status: "RECEIVED", submittedAt: new Date() },
  });
}

/** As submitClaimedBatch, but an unavailable finance bureau only leaves the batch CLAIMED (logged). */
export async function trySubmitClaimedBatch(hub: HubServices, batchNo: string, actor: Actor): Promise<boolean> {
  try {
    await submitClaimedBatch(hub, batchNo, actor);
    return true;
  } catch (e) {
    if (!(e instanceof ConnectorUnavailableError)) throw e;
    hub.logger.warn(
      { batchNo, connector: e.connector, status: e.status },
      "graduate subsidy batch not acknowledged by finance: kept CLAIMED for a resend",
    );
    return false;
  }
}
