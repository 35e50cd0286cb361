// The monthly graduate-subsidy run, as the hub's system actor: resend every batch finance never acknowledged,
// claim the month if it has no batch yet, claim the late-paid months of the window (a month back-paid after its
// batch exists: lateClaimWindow, decision 015), then settle every open batch. Safe to run as often as wanted: claims are
// unique per person and month, settlement credits a paid claim once. The month is an argument (business dates are
// inputs): `node -r @swc-node/register scripts/subsidies.ts 2026-11`, or call runMonthlySubsidies from a test.
import { randomUUID } from "node:crypto";

import { ConnectorUnavailableError } from "../connectors/connector.errors";
import { lateClaimWindow } from "../domain/subsidies/graduate-subsidy.rule";
import { ExchangeCollector } from "../services/audit/exchange-collector";
import { newExchangeScope } from "../services/audit/exchange-scope";
import { type Actor, type HubServices, SYSTEM_ACTOR } from "../services/hub-services";
import { claimGraduateSubsidies } from "../services/subsidies/claim-graduate-subsidies";
import { settleGraduateSubsidies } from "../services/subsidies/settle-graduate-subsidies";
import { trySubmitClaimedBatch } from "../services/subsidies/submit-subsidy-batch";
import { OPEN_STATUSES, type SubsidyBatchView } from "../services/subsidies/subsidy-batch.view";

export interface MonthlySubsidyReport {
  period: string;
  /** The batch claimed by this run, or null (the month already had one, or nobody qualified). */
  claimed: string | null;
  /** Batches claimed by this run for deposits paid after their month's batch existed (the window's months). */
  lateClaimed: string[];
  /** Batches finance acknowledged on this run's resend. */
  resent: string[];
  settled: SubsidyBatchView[];
  /** Batches finance could not be asked about (it was down): left open for the next run. */
  unavailable: string[];
}

async function resendClaimed(hub: HubServices, actor: Actor): Promise<string[]> {
  const stuck = await hub.prisma.subsidyBatch.findMany({
    where: { status: "CLAIMED" },
    orderBy: { id: "asc" },
    select: { batchNo: true },
  });
  const resent: string[] = [];
  for (const { batchNo } of stuck) if (await trySubmitClaimedBatch(hub, batchNo, actor)) resent.push(batchNo);
  return resent;
}

export async function runMonthlySubsidies(hub: HubServices, period: string): Promise<MonthlySubsidyReport> {
  const requestId = `job-graduate-subsidy-${randomUUID()}`;
  // The run's writes record themselves in their transactions, as a request's do (consumer: the hub's system actor).
  const consumer = {
    role: SYSTEM_ACTOR.role,
    org: SYSTEM_ACTOR.org,
    sub: SYSTEM_ACTOR.sub,
    purpose: "毕业生缴存补贴月度作业 monthly subsidy run",
  };
  const exchange = newExchangeScope(hub, requestId, new Date(), new ExchangeCollector(), consumer);
  return monthlyRun(hub, { ...SYSTEM_ACTOR, requestId, exchange }, period);
}

/**
 * Claims, for each month of the window that already has a batch, the deposits paid since (NOTHING_TO_CLAIM when
 * none: nothing is stored). The key names the month and how many batches it had, so a rerun after a crash replays
 * the same claim and a later run with newer late deposits makes a new one.
 */
async function claimLatePaidMonths(hub: HubServices, actor: Actor, period: string): Promise<string[]> {
  const window = lateClaimWindow(period);
  const batched = await hub.prisma.subsidyBatch.groupBy({
    by: ["period"],
    where: { period: { in: window } },
    _count: { _all: true },
  });
  const batches = new Map(batched.map((b) => [b.period, b._count._all]));
  const claimed: string[] = [];
  for (const month of window) {
    const count = batches.get(month);
    if (count === undefined) continue;
    const claim = await claimGraduateSubsidies(hub, actor, {
      period: month,
      idempotencyKey: `job-graduate-subsidy-claim-${month}-after-${count}`,
    });
    if ("ok" in claim) claimed.push(claim.ok.batch.batchNo);
  }
  return claimed;
}

async function monthlyRun(hub: HubServices, actor: Actor, period: string): Promise<MonthlySubsidyReport> {
  const report: MonthlySubsidyReport = {
    period,
    claimed: null,
    lateClaimed: [],
    resent: await resendClaimed(hub, actor),
    settled: [],
    unavailable: [],
  };
  if ((await hub.prisma.subsidyBatch.count({ where: { period } })) === 0) {
    const claim = await claimGraduateSubsidies(hub, actor, {
      period,
      idempotencyKey: `job-graduate-subsidy-claim-${period}`,
    });
    if ("ok" in claim) report.claimed = claim.ok.batch.batchNo;
  }
  report.lateClaimed = await claimLatePaidMonths(hub, actor, period);
  const open = await hub.prisma.subsidyBatch.findMany({
    where: { status: { in: [...OPEN_STATUSES] } },
    orderBy: { id: "asc" },
    select: { batchNo: true },
  });
  for (const { batchNo } of open) {
    try {
      const settled = await settleGraduateSubsidies(hub, actor, {
        batchNo,
        idempotencyKey: `job-graduate-subsidy-settle-${randomUUID()}`,
      });
      if ("ok" in settled) report.settled.push(settled.ok.batch);
    } catch (e) {
      if (!(e instanceof ConnectorUnavailableError)) throw e;
      report.unavailable.push(batchNo);
    }
  }
  hub.logger.info(
    { ...report, settled: report.settled.map((b) => `${b.batchNo}:${b.status}`) },
    "graduate subsidy run",
  );
  return report;
}
