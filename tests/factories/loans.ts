// Loan-book helpers over HTTP: apply, disburse, repay, run the month, set the liquidity thresholds.
import type { TestHub } from "../helpers/test-hub";
import { key } from "./workers";

export type UserErrorView = { code: string; field: string | null; message: string };
export interface LoanView {
  loanNumber: string;
  accountNumber: string;
  status: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  method: string;
  offsetFromBalance: boolean;
  appliedOn: string;
  disbursedOn: string | null;
  outstandingPrincipal: string;
  overdueInstalments: number;
  quota: { eligible: boolean; quota: string; reasons: string[]; factors: { name: string; value: string }[] };
}
export interface LoanPayloadView {
  loan: LoanView | null;
  userErrors: UserErrorView[];
  warnings: UserErrorView[];
}
export interface InstalmentView {
  number: number;
  period: string;
  principal: string;
  interest: string;
  total: string;
  paid: string;
  status: string;
}
export interface LoanRunView {
  period: string;
  offsets: number;
  offsetAmount: string;
  due: number;
  overdue: number;
}

export const LOAN_FIELDS = `loanNumber accountNumber status amount annualRate termMonths method offsetFromBalance appliedOn
  disbursedOn outstandingPrincipal overdueInstalments quota { eligible quota reasons factors { name value } }`;
const PAYLOAD = `loan { ${LOAN_FIELDS} } userErrors { code field message } warnings { code field message }`;

export const APPLY = `mutation A($input: LoanApplicationInput!) { applyForLoan(input: $input) { ${PAYLOAD} } }`;
export const DISBURSE = `mutation D($loanNumber: String!, $on: Date!, $key: String!) {
  disburseLoan(loanNumber: $loanNumber, disbursedOn: $on, idempotencyKey: $key) { ${PAYLOAD} } }`;
export const REPAY = `mutation R($input: LoanRepaymentInput!) { repayLoan(input: $input) { ${PAYLOAD} } }`;
export const RUN = `mutation M($period: YearMonth!, $key: String!) {
  runLoanRepayments(period: $period, idempotencyKey: $key) { run { period offsets offsetAmount due overdue } userErrors { code } } }`;
export const LOAN = `query L($loanNumber: String!, $first: Int, $after: Int) {
  loan(loanNumber: $loanNumber) { ${LOAN_FIELDS} schedule(first: $first, after: $after) { number period principal interest total paid status } } }`;

export function applicationInput(accountNumber: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountNumber,
    appliedOn: "2026-12-01",
    amount: "100000.00",
    monthlyIncome: "20000.00",
    housePrice: "2000000.00",
    termYears: 20,
    firstHome: true,
    method: "EQUAL_INSTALMENT",
    offsetFromBalance: false,
    idempotencyKey: key("apply"),
    ...more,
  };
}

export async function apply(t: TestHub, input: Record<string, unknown>): Promise<LoanPayloadView> {
  const res = await t.gql<{ applyForLoan: LoanPayloadView }>(APPLY, { input });
  if (!res.body.data) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.applyForLoan;
}

export async function disburse(t: TestHub, loanNumber: string, on: string): Promise<LoanPayloadView> {
  const res = await t.gql<{ disburseLoan: LoanPayloadView }>(
    DISBURSE,
    { loanNumber, on, key: key("disburse") },
    { as: "CENTER_ADMIN" },
  );
  if (!res.body.data) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.disburseLoan;
}

export async function repay(
  t: TestHub,
  loanNumber: string,
  amount: string,
  paidOn: string,
  fromBalance: boolean,
): Promise<LoanPayloadView> {
  const input = { loanNumber, amount, paidOn, paymentRef: key("BK"), fromBalance, idempotencyKey: key("repay") };
  const res = await t.gql<{ repayLoan: LoanPayloadView }>(REPAY, { input });
  if (!res.body.data) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.repayLoan;
}

export async function runMonth(t: TestHub, period: string): Promise<LoanRunView> {
  const res = await t.gql<{ runLoanRepayments: { run: LoanRunView | null; userErrors: unknown[] } }>(
    RUN,
    { period, key: key("run") },
    { as: "CENTER_ADMIN" },
  );
  if (!res.body.data?.runLoanRepayments.run) throw new Error(JSON.stringify(res.body));
  return res.body.data.runLoanRepayments.run;
}

export async function schedule(t: TestHub, loanNumber: string, first: number, after = 0): Promise<InstalmentView[]> {
  const res = await t.gql<{ loan: { schedule: InstalmentView[] } | null }>(LOAN, { loanNumber, first, after });
  return res.body.data!.loan!.schedule;
}

/** Sets a policy parameter as the center does (CENTER_ADMIN). */
export async function setParameter(t: TestHub, k: string, value: string, effectiveFrom: string): Promise<void> {
  const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code message } } }`,
    { input: { key: k, value, effectiveFrom, source: "loan test", idempotencyKey: key("param") } },
    { as: "CENTER_ADMIN" },
  );
  if (res.body.data?.setPolicyParameter.userErrors.length !== 0) throw new Error(JSON.stringify(res.body));
}

/** The liquidity thresholds from a date (ratios; the tests' pools are small, so the defaults would refuse). */
export async function setLiquidity(t: TestHub, warning: string, alarm: string, from: string): Promise<void> {
  await setParameter(t, "liquidity.warningRatio", warning, from);
  await setParameter(t, "liquidity.alarmRatio", alarm, from);
}
