// The year-end interest run 年终结息 as the hub's system actor: settle the year (idempotent per year: a repeat credits
// nothing twice) and send its interest-subsidy claim to finance if it was not sent yet. The year and the run's date are
// arguments (business dates are inputs): `node -r @swc-node/register scripts/settle-interest.ts 2026 2027-07-01`.
import { randomUUID } from "node:crypto";

import { settlementYearEnded } from "../domain/interest/interest.rule";
import { type Actor, type HubServices, SYSTEM_ACTOR } from "../services/hub-services";
import { claimInterestSubsidy, type ClaimPart } from "../services/interest/interest-subsidy-claim";
import { type InterestSettlementView, runSettlement } from "../services/interest/settle-interest";

export interface InterestRunReport {
  settlement: InterestSettlementView;
  /** The fiscal claim parts of the year's subsidies with their status (none when nobody earned one). */
  claims: ClaimPart[];
}

export async function runInterestSettlement(hub: HubServices, year: number, asOf: string): Promise<InterestRunReport> {
  if (!settlementYearEnded(year, asOf))
    throw new RangeError(`YEAR_NOT_ENDED: settlement year ${year} has not ended on ${asOf}`);
  const actor: Actor = { ...SYSTEM_ACTOR, requestId: `job-interest-${randomUUID()}` };
  const settlement = await runSettlement(hub, year, asOf);
  const claims = await claimInterestSubsidy(hub, year, actor);
  return { settlement, claims };
}
