// A small pilot through the API, for the dashboard and export tests: six workers in five counties and all three
// employment forms, monthly deposits and one lump sum in the 2026 settlement year (2026-07 .. 2027-06).
import type { TestHub } from "../helpers/test-hub";
import { ENROL, enrolInput, freshIdNumber, key, LUMP, RECORD } from "./workers";

type UserErrorView = { code: string; field: string | null; message: string };

export const DATASET_WINDOW = { from: "2026-07", to: "2027-06" } as const;

interface Worker {
  county: string;
  form: "SELF_EMPLOYED" | "PART_TIME" | "NEW_FORM";
  enrolledOn: string;
  monthlyAmount: string;
  /** Monthly deposits: [period, paidOn]. */
  deposits?: [string, string][];
  /** A lump sum for the rest of the settlement year, paid on this date. */
  lumpSumOn?: string;
  lumpSumAmount?: string;
}

export const DATASET: readonly Worker[] = [
  {
    county: "140502",
    form: "NEW_FORM",
    enrolledOn: "2026-07-06",
    monthlyAmount: "1000.00",
    deposits: [
      ["2026-07", "2026-07-10"],
      ["2026-08", "2026-08-10"],
      ["2026-09", "2026-09-10"],
    ],
  },
  {
    county: "140502",
    form: "PART_TIME",
    enrolledOn: "2026-08-03",
    monthlyAmount: "2500.00",
    deposits: [
      ["2026-08", "2026-08-12"],
      ["2026-09", "2026-09-12"],
      ["2026-10", "2026-10-12"],
    ],
  },
  {
    county: "140521",
    form: "SELF_EMPLOYED",
    enrolledOn: "2026-07-20",
    monthlyAmount: "500.00",
    deposits: [
      ["2026-07", "2026-07-25"],
      ["2026-08", "2026-08-25"],
    ],
  },
  {
    county: "140522",
    form: "PART_TIME",
    enrolledOn: "2026-09-01",
    monthlyAmount: "2000.00",
    deposits: [["2026-09", "2026-09-05"]],
  },
  {
    county: "140581",
    form: "NEW_FORM",
    enrolledOn: "2026-07-15",
    monthlyAmount: "1500.00",
    lumpSumOn: "2026-08-05",
    lumpSumAmount: "18000.00",
  },
  {
    county: "140525",
    form: "SELF_EMPLOYED",
    enrolledOn: "2026-10-08",
    monthlyAmount: "800.00",
    deposits: [
      ["2026-10", "2026-10-15"],
      ["2026-11", "2026-11-15"],
    ],
  },
];

let people = 0;
/** A birth date of its own for every worker, so generated ID numbers never collide within a test file. */
const nextBirthDate = () => new Date(Date.UTC(1975, 0, 1) + people++ * 86_400_000).toISOString().slice(0, 10);

/** Enrols and pays for every worker of DATASET through GraphQL, as a center operator. */
export async function seedMetricsDataset(t: TestHub): Promise<void> {
  for (const w of DATASET) {
    const enrol = await t.gql<{
      enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] };
    }>(ENROL, {
      input: enrolInput({
        idNumber: freshIdNumber(nextBirthDate(), w.county),
        countyCode: w.county,
        employmentForm: w.form,
        enrolledOn: w.enrolledOn,
        monthlyAmount: w.monthlyAmount,
        mode: w.lumpSumOn ? "LUMP_SUM" : "MONTHLY",
      }),
    });
    const account = enrol.body.data?.enrollWorker.account;
    if (!account) throw new Error(`enrolment refused: ${JSON.stringify(enrol.body)}`);
    for (const [period, paidOn] of w.deposits ?? []) {
      const res = await t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, {
        input: {
          accountNumber: account.accountNumber,
          period,
          amount: w.monthlyAmount,
          channel: "ACTIVE_PAYMENT",
          paymentRef: key("PAY"),
          paidOn,
          idempotencyKey: key("dep"),
        },
      });
      if (res.body.errors || res.body.data!.recordDeposit.userErrors.length > 0)
        throw new Error(`deposit refused: ${JSON.stringify(res.body)}`);
    }
    if (w.lumpSumOn) {
      const res = await t.gql<{ payLumpSum: { userErrors: UserErrorView[] } }>(LUMP, {
        input: {
          accountNumber: account.accountNumber,
          settlementYear: 2026,
          amount: w.lumpSumAmount,
          channel: "ACTIVE_PAYMENT",
          paymentRef: key("LUMP"),
          paidOn: w.lumpSumOn,
          idempotencyKey: key("lump"),
        },
      });
      if (res.body.errors || res.body.data!.payLumpSum.userErrors.length > 0)
        throw new Error(`lump sum refused: ${JSON.stringify(res.body)}`);
    }
  }
}

export const PILOT_METRICS = `query Metrics($from: YearMonth!, $to: YearMonth!, $countyCode: String) {
  pilotMetrics(from: $from, to: $to, countyCode: $countyCode) {
    from to enrolledTotal activeAccounts exitedTotal depositAmount depositCount withdrawalAmount
    loanCount loanAmount graduateSubsidyAmount interestSubsidyAmount duplicateBlocks loanToDepositRatio suppressed
    loanApplications loanOverdueCount
    monthly { period enrolled depositAmount withdrawalAmount }
    byCounty { key activeAccounts depositAmount }
    byEmploymentForm { key activeAccounts depositAmount }
  }
}`;

/** The scalar figures of PilotMetrics: each has a data-metric element on the dashboard. */
export const HEADLINE_FIELDS = [
  "enrolledTotal",
  "activeAccounts",
  "exitedTotal",
  "depositAmount",
  "depositCount",
  "withdrawalAmount",
  "loanCount",
  "loanAmount",
  "loanApplications",
  "loanOverdueCount",
  "graduateSubsidyAmount",
  "interestSubsidyAmount",
  "duplicateBlocks",
  "loanToDepositRatio",
] as const;
