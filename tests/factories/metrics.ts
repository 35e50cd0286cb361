// The pilotMetrics query and small builders for metrics tests.
import type { MetricGroupDto, PilotMetricsDto } from "../../src/services/metrics/pilot-metrics";
import type { TestHub } from "../helpers/test-hub";
import { ENROL, enrolInput, freshIdNumber, key } from "./workers";

export const PILOT_METRICS = `query Pilot($from: YearMonth!, $to: YearMonth!, $countyCode: String) {
  pilotMetrics(from: $from, to: $to, countyCode: $countyCode) {
    from to enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount loanCount loanAmount
    graduateSubsidyAmount interestSubsidyAmount interestAmount duplicateBlocks convertedToEmployer loanToDepositRatio suppressed
    liquidityLevel loanApplications loanOverdueCount
    monthly { period enrolled depositAmount withdrawalAmount }
    byCounty { key activeAccounts depositAmount }
    byEmploymentForm { key activeAccounts depositAmount }
  }
}`;

/** The answer's shape is the service's own DTO (the GraphQL type serialises it field for field). */
export type MetricGroupView = MetricGroupDto;
export type PilotMetricsView = PilotMetricsDto;

/** The six county codes of the default enrolment.countyCodes parameter, in its order. */
export const COUNTIES = ["140502", "140521", "140522", "140524", "140525", "140581"] as const;

/** Groups for every key given, zero unless listed in `values` ({ key: [active, deposits] }). */
export function groupsOf(keys: readonly string[], values: Record<string, [number, string]>): MetricGroupDto[] {
  return keys.map((key) => ({ key, activeAccounts: values[key]?.[0] ?? 0, depositAmount: values[key]?.[1] ?? "0.00" }));
}

/** Nothing in the window: the shape every figure takes before it is overridden. */
export function emptyMetrics(from: string, to: string, periods: string[]): PilotMetricsView {
  return {
    from,
    to,
    enrolledTotal: 0,
    activeAccounts: 0,
    exitedTotal: 0,
    depositAmount: "0.00",
    depositCount: 0,
    withdrawalAmount: "0.00",
    loanCount: 0,
    loanAmount: "0.00",
    graduateSubsidyAmount: "0.00",
    interestSubsidyAmount: "0.00",
    interestAmount: "0.00",
    duplicateBlocks: 0,
    convertedToEmployer: 0,
    liquidityLevel: "NORMAL",
    loanApplications: 0,
    loanOverdueCount: 0,
    loanToDepositRatio: "0.0000",
    suppressed: false,
    monthly: periods.map((period) => ({ period, enrolled: 0, depositAmount: "0.00", withdrawalAmount: "0.00" })),
    byCounty: groupsOf(COUNTIES, {}),
    byEmploymentForm: groupsOf(["SELF_EMPLOYED", "PART_TIME", "NEW_FORM"], {}),
  };
}

export async function pilotMetrics(
  t: TestHub,
  vars: { from: string; to: string; countyCode?: string },
  as: "LEADERSHIP" | "CENTER_ADMIN" = "LEADERSHIP",
) {
  return t.gql<{ pilotMetrics: PilotMetricsView }>(PILOT_METRICS, vars, { as });
}

/** Sets the minimum cell size (policy parameter metrics.minCellSize) from the pilot's start, as the center does.
 *  Tests of the figures themselves set 1 (every cell published); the suppression tests keep or set their own. */
export async function setMinimumCellSize(t: TestHub, value: number): Promise<void> {
  const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`,
    {
      input: {
        key: "metrics.minCellSize",
        value: String(value),
        effectiveFrom: "2023-07-01",
        source: "metrics test",
        idempotencyKey: key("cell"),
      },
    },
    { as: "CENTER_ADMIN" },
  );
  if (res.body.errors || res.body.data!.setPolicyParameter.userErrors.length > 0)
    throw new Error(`setting metrics.minCellSize refused: ${JSON.stringify(res.body)}`);
}

/** A person with an active account in another city (440300) asks to enrol here and is refused by the national
 *  duplicate check: one refused duplicate in the metrics, keyed by the county and form asked for. */
export async function refusedDuplicateEnrolment(
  t: TestHub,
  at: { countyCode: string; employmentForm: string; enrolledOn: string },
): Promise<void> {
  const idNumber = freshIdNumber("1991-01-01", "440305");
  t.national.control.addRecord({
    idNumber,
    centerCode: "440300",
    accountNumber: "4403009999",
    kind: "FLEXIBLE",
    status: "ACTIVE",
  });
  const refused = await t.gql<{ enrollWorker: { userErrors: { code: string }[] } }>(ENROL, {
    input: enrolInput({ idNumber, ...at }),
  });
  const codes = refused.body.data?.enrollWorker.userErrors.map((e) => e.code);
  if (codes?.join() !== "DUPLICATE_ACCOUNT")
    throw new Error(`expected DUPLICATE_ACCOUNT: ${JSON.stringify(refused.body)}`);
}
