// The yearly fiscal claim of the interest subsidy: the subsidies were credited to workers at settlement against the
// interest-subsidy receivable, and claims collect them from the finance bureau (connectors.md, POST /v1/fiscal-claims).
// A year is claimed in parts of at most CLAIM_PART_ITEMS items, IS-<year>-0001, -0002, ... (decision 021): each posted
// subsidy credit is stamped with the part that collects it (interest_credit.claim_no), so every credit is claimed once,
// a credit posted after a part was sent (an exit settling an earlier year) goes into the next part, and neither the
// request body, the outbound exchange record nor the hub's memory grows with the number of workers.
// Parts are recorded first (one short transaction each), sent after (outside any transaction); a finance outage leaves
// a part CLAIMED and the next run (or job) sends it again under the same claim number (finance is idempotent on it).
import { ConnectorUnavailableError } from "../../connectors/connector.errors";
import { inTransaction } from "../../db/transaction";
import { callFor } from "../audit/outbound-exchange";
import type { Actor, HubServices } from "../hub-services";
import { fen } from "./interest-credits";

/** Items per claim part: one request body of about 1 MB and one exchange record naming at most this many people. */
export const CLAIM_PART_ITEMS = 10_000;

/** Advisory-lock namespace of the interest-subsidy claim (one year's parts are numbered one at a time). */
const CLAIM_LOCK_NAMESPACE = 7140509;

export function interestSubsidyClaimNo(year: number, part: number): string {
  return `IS-${year}-${String(part).padStart(4, "0")}`;
}

export interface ClaimPart {
  claimNo: string;
  status: string;
}

/** Stamps the year's unclaimed posted subsidies into new parts, sends every part still CLAIMED, and answers the
 *  year's parts with their status (empty when nobody earned a subsidy). */
export async function claimInterestSubsidy(
  hub: HubServices,
  year: number,
  actor: Actor,
  partItems: number = CLAIM_PART_ITEMS,
): Promise<ClaimPart[]> {
  while (await recordNextPart(hub, year, partItems));
  const parts = await hub.prisma.fiscalClaim.findMany({
    where: { kind: "INTEREST_SUBSIDY", settlementYear: year },
    orderBy: { claimNo: "asc" },
  });
  for (const part of parts) {
    if (part.status !== "CLAIMED") continue;
    const sent = await sendPart(hub, year, part.claimNo, actor);
    if (sent === null) break; // finance is down: the rest wait for the next run as well
    part.status = sent;
  }
  return parts.map((p) => ({ claimNo: p.claimNo, status: p.status }));
}

/** One part: the next unclaimed posted subsidies of the year in account order, stamped with a new claim number in the
 *  same transaction that records the part. False when nothing is left to claim. */
async function recordNextPart(hub: HubServices, year: number, partItems: number): Promise<boolean> {
  return inTransaction(hub.prisma, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_NAMESPACE}::int, ${year}::int)`;
    const [counted] = await tx.$queryRaw<{ parts: bigint }[]>`
      SELECT count(*) AS parts FROM fiscal_claim WHERE kind = 'INTEREST_SUBSIDY' AND settlement_year = ${year}::int`;
    const claimNo = interestSubsidyClaimNo(year, Number(counted!.parts) + 1);
    const [stamped] = await tx.$queryRaw<{ n: bigint; amount: { toFixed(): string } | null }[]>`
      WITH picked AS (
        SELECT account_id FROM interest_credit
        WHERE settlement_year = ${year}::int AND subsidy > 0 AND posted_at IS NOT NULL AND claim_no IS NULL
        ORDER BY account_id LIMIT ${partItems}::int
      ), stamped AS (
        UPDATE interest_credit ic SET claim_no = ${claimNo}
        FROM picked WHERE ic.account_id = picked.account_id AND ic.settlement_year = ${year}::int
        RETURNING ic.subsidy
      )
      SELECT count(*) AS n, sum(subsidy) AS amount FROM stamped`;
    if (Number(stamped!.n) === 0) return false;
    await tx.$executeRaw`
      INSERT INTO fiscal_claim (claim_no, kind, settlement_year, item_count, amount, status)
      VALUES (${claimNo}, 'INTEREST_SUBSIDY', ${year}::int, ${Number(stamped!.n)}::int, ${fen(stamped!.amount)}::numeric,
              'CLAIMED')`;
    return Number(stamped!.n) === partItems;
  });
}

/** Sends one recorded part with exactly the items stamped with its number; its new status, or null if finance is
 *  unreachable (the part stays CLAIMED). */
async function sendPart(hub: HubServices, year: number, claimNo: string, actor: Actor): Promise<string | null> {
  const items = await hub.prisma.$queryRaw<
    { id_number: string; account_number: string; subsidy: { toFixed(): string } }[]
  >`
    SELECT p.id_number, a.account_number, ic.subsidy FROM interest_credit ic
    JOIN account a ON a.id = ic.account_id JOIN person p ON p.id = a.person_id
    WHERE ic.claim_no = ${claimNo} ORDER BY ic.account_id`;
  try {
    const answer = await hub.finance.submitFiscalClaim(
      {
        claimNo,
        kind: "INTEREST_SUBSIDY",
        items: items.map((i) => ({
          idNumber: i.id_number,
          reference: `${i.account_number}-${year}`,
          amount: fen(i.subsidy),
        })),
      },
      callFor(actor),
    );
    await hub.prisma.fiscalClaim.update({
      where: { claimNo },
      data: { status: answer.status, submittedAt: new Date() },
    });
    return answer.status;
  } catch (e) {
    if (!(e instanceof ConnectorUnavailableError)) throw e;
    hub.logger.warn({ claimNo, err: e.message }, "interest subsidy claim part not sent; the next run sends it");
    return null;
  }
}
