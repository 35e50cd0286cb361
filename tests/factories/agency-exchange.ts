// Workers with a deposit history, made through the API, and the agency queries (taxDeductions, rentalEligibility).
import { makeIdNumber } from "../../src/domain/accounts/id-number";
import type { TestHub } from "../helpers/test-hub";
import { ENROL, enrolInput, key, LUMP, RECORD } from "./workers";

export const TAX_DEDUCTIONS = `query Tax($taxYear: Int!, $idNumbers: [IdNumber!]!) {
  taxDeductions(taxYear: $taxYear, idNumbers: $idNumbers) { idNumber taxYear paidAmount deductibleAmount months { period paid deductible } }
}`;

export const RENTAL_ELIGIBILITY = `query Rental($idNumbers: [IdNumber!]!, $asOf: Date!) {
  rentalEligibility(idNumbers: $idNumbers, asOf: $asOf) { idNumber priorityEligible depositWaiverEligible consecutiveMonths reasons }
}`;

export const EXCHANGE_LOG = `query Log($idNumber: IdNumber, $first: Int) {
  exchangeLog(idNumber: $idNumber, first: $first) { edges { node { consumerRole operation purpose subjectCount resultSize outcome } } }
}`;

export interface MonthlyDeductionView {
  period: string;
  paid: string;
  deductible: string;
}
export interface TaxDeductionView {
  idNumber: string;
  taxYear: number;
  paidAmount: string;
  deductibleAmount: string;
  months: MonthlyDeductionView[];
}
export interface RentalEligibilityView {
  idNumber: string;
  priorityEligible: boolean;
  depositWaiverEligible: boolean;
  consecutiveMonths: number;
  reasons: string[];
}
export interface ExchangeNode {
  consumerRole: string;
  operation: string;
  purpose: string | null;
  subjectCount: number;
  resultSize: number;
  outcome: string;
}

export interface Worker {
  idNumber: string;
  accountNumber: string;
}

let serial = 0;

/** `count` distinct valid ID numbers nobody has enrolled with (area 140581, born in 1970). */
export function unknownIdNumbers(count: number): string[] {
  const batch = serial++;
  return Array.from({ length: count }, (_, i) =>
    makeIdNumber(
      "140581",
      `1970-${String(1 + (batch % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
      Math.floor(i / 28) * 7 + 1,
    ),
  );
}

/** Enrols a worker through the API (deposit day 10 unless overridden). */
export async function enrolWorker(t: TestHub, overrides: Record<string, unknown> = {}): Promise<Worker> {
  const input = enrolInput(overrides);
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    { input },
  );
  const { account, userErrors } = res.body.data!.enrollWorker;
  if (!account) throw new Error(`enrolment refused: ${JSON.stringify(userErrors)}`);
  return { idNumber: input.idNumber as string, accountNumber: account.accountNumber };
}

/** Pays one month through recordDeposit. */
export async function payMonth(
  t: TestHub,
  accountNumber: string,
  period: string,
  amount: string,
  paidOn: string,
): Promise<void> {
  const input = {
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("ref"),
    paidOn,
    idempotencyKey: key("dep"),
  };
  const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input });
  if (res.body.data?.recordDeposit.userErrors.length !== 0)
    throw new Error(`deposit ${period} refused: ${JSON.stringify(res.body)}`);
}

/** Pays each month on the given day of that month. */
export async function payMonthsOnDay(
  t: TestHub,
  accountNumber: string,
  periods: readonly string[],
  amount: string,
  day = "10",
): Promise<void> {
  for (const period of periods) await payMonth(t, accountNumber, period, amount, `${period}-${day}`);
}

/** Pays a lump sum for a settlement year through payLumpSum. */
export async function payLump(
  t: TestHub,
  accountNumber: string,
  settlementYear: number,
  amount: string,
  paidOn: string,
): Promise<void> {
  const input = {
    accountNumber,
    settlementYear,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("lump"),
    paidOn,
    idempotencyKey: key("lump"),
  };
  const res = await t.gql<{ payLumpSum: { userErrors: unknown[] } }>(LUMP, { input });
  if (res.body.data?.payLumpSum.userErrors.length !== 0)
    throw new Error(`lump sum refused: ${JSON.stringify(res.body)}`);
}

/** Every 18-character ID number anywhere in a JSON text. */
export function idNumbersIn(json: string): string[] {
  return [...new Set(json.match(/\d{17}[\dX]/g) ?? [])];
}

/** The newest exchange record that touched a person, as the auditor sees it. */
export async function lastExchangeRecordFor(t: TestHub, idNumber: string): Promise<ExchangeNode> {
  const res = await t.gql<{ exchangeLog: { edges: { node: ExchangeNode }[] } }>(
    EXCHANGE_LOG,
    { idNumber, first: 1 },
    { as: "AUDITOR" },
  );
  return res.body.data!.exchangeLog.edges[0]!.node;
}

/** Two workers who each paid 2026-07: the one an agency asks about, and another it must never see. */
export async function askedAndOther(t: TestHub): Promise<{ asked: Worker; other: Worker }> {
  const asked = await enrolWorker(t, { enrolledOn: "2026-07-01" });
  const other = await enrolWorker(t, { enrolledOn: "2026-07-01" });
  await payMonth(t, asked.accountNumber, "2026-07", "1000.00", "2026-07-10");
  await payMonth(t, other.accountNumber, "2026-07", "2000.00", "2026-07-10");
  return { asked, other };
}
