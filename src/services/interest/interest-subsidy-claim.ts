// The yearly fiscal claim of the interest subsidy: the subsidies were credited to workers at settlement against the
// interest-subsidy receivable; one claim (IS-<year>-0001) collects them from the finance bureau. Recorded first, sent
// after (outside any transaction); a finance outage leaves it CLAIMED and the next run (or job) sends it again.
import { ConnectorUnavailableError } from "../../connectors/connector.errors";
import type { Actor, HubServices } from "../hub-services";
import { fen } from "./interest-credits";

/** Claim items read per statement. */
const CLAIM_PAGE = 50_000;

export function interestSubsidyClaimNo(year: number): string {
  return `IS-${year}-0001`;
}

export async function claimInterestSubsidy(hub: HubServices, year: number, actor: Actor): Promise<string | null> {
  const claimNo = interestSubsidyClaimNo(year);
  const [totals] = await hub.prisma.$queryRaw<{ n: bigint; amount: { toFixed(): string } | null }[]>`
    SELECT count(*) AS n, sum(subsidy) AS amount FROM interest_credit
    WHERE settlement_year = ${year}::int AND subsidy > 0 AND posted_at IS NOT NULL`;
  if (Number(totals!.n) === 0) return null;
  await hub.prisma.$executeRaw`
    INSERT INTO fiscal_claim (claim_no, kind, settlement_year, item_count, amount, status)
    VALUES (${claimNo}, 'INTEREST_SUBSIDY', ${year}::int, ${Number(totals!.n)}::int, ${fen(totals!.amount)}::numeric, 'CLAIMED')
    ON CONFLICT DO NOTHING`;
  const claim = await hub.prisma.fiscalClaim.findUnique({ where: { claimNo } });
  if (!claim || claim.status !== "CLAIMED") return claimNo;
  // Read in pages by account id: one statement for a million items outgrew the statement_timeout on a busy machine.
  const items: { id_number: string; account_number: string; subsidy: { toFixed(): string } }[] = [];
  for (let after = 0n; ;) {
    const page = await hub.prisma.$queryRaw<
      { account_id: bigint; id_number: string; account_number: string; subsidy: { toFixed(): string } }[]
    >`
      SELECT ic.account_id, p.id_number, a.account_number, ic.subsidy FROM interest_credit ic
      JOIN account a ON a.id = ic.account_id JOIN person p ON p.id = a.person_id
      WHERE ic.settlement_year = ${year}::int AND ic.subsidy > 0 AND ic.posted_at IS NOT NULL
        AND ic.account_id > ${after}::bigint
      ORDER BY ic.account_id LIMIT ${CLAIM_PAGE}::int`;
    for (const row of page) items.push(row);
    if (page.length < CLAIM_PAGE) break;
    after = page[page.length - 1]!.account_id;
  }
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
      { requestId: actor.requestId },
    );
    await hub.prisma.fiscalClaim.update({
      where: { claimNo },
      data: { status: answer.status, submittedAt: new Date() },
    });
  } catch (e) {
    if (!(e instanceof ConnectorUnavailableError)) throw e;
    hub.logger.warn({ claimNo, err: e.message }, "interest subsidy claim not sent; the next run sends it");
  }
  return claimNo;
}
