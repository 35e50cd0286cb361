// Money-out helpers over HTTP: open accounts with deposits, withdraw, exit, import payout files, settle interest.
import type { TestHub } from "../helpers/test-hub";
import { ENROL, enrolInput, key, RECORD } from "./workers";

export type UserErrorView = { code: string; field: string | null; message: string };
export type EntryView = {
  id: string;
  kind: string;
  amount: string;
  postedOn: string;
  balanceAfter: string;
  paymentRef: string | null;
};
export type AccountMoneyView = {
  accountNumber: string;
  status: string;
  balance: string;
  withdrawableBalance: string;
  hasOutstandingLoan: boolean;
};
export type WithdrawPayloadView = {
  account: AccountMoneyView | null;
  entry: EntryView | null;
  entries: EntryView[];
  userErrors: UserErrorView[];
};

const PAYLOAD = `account { accountNumber status balance withdrawableBalance hasOutstandingLoan }
  entry { id kind amount postedOn balanceAfter paymentRef }
  entries { id kind amount postedOn balanceAfter paymentRef }
  userErrors { code field message }`;

export const WITHDRAW = `mutation W($input: WithdrawInput!) { withdraw(input: $input) { ${PAYLOAD} } }`;
export const EXIT = `mutation X($input: ExitInput!) { exitAgreement(input: $input) { ${PAYLOAD} } }`;
export const PAYOUTS = `mutation P($csv: String!, $key: String!) {
  importBankPayouts(csv: $csv, idempotencyKey: $key) { accepted rejected duplicates missed rows errors { code field message } }
}`;
export const SETTLE = `mutation S($year: Int!, $asOf: Date!, $key: String!) {
  settleInterest(settlementYear: $year, asOf: $asOf, idempotencyKey: $key) {
    settlement { settlementYear settledOn accounts interestAmount subsidyAmount }
    userErrors { code field message }
  }
}`;
export const ACCOUNT_MONEY = `query A($n: String!) { account(accountNumber: $n) {
  accountNumber status balance withdrawableBalance hasOutstandingLoan
  entries(first: 100) { edges { node { id kind amount postedOn balanceAfter paymentRef } } }
} }`;

/** Opens an account on `enrolledOn` and pays each [period, amount, paidOn]. */
export async function openWithDeposits(
  t: TestHub,
  enrolledOn: string,
  deposits: [string, string, string][],
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] } }>(
    ENROL,
    { input: enrolInput({ enrolledOn, ...overrides }) },
  );
  if (res.body.data?.enrollWorker.userErrors.length !== 0) throw new Error(JSON.stringify(res.body));
  const accountNumber = res.body.data.enrollWorker.account!.accountNumber;
  for (const [period, amount, paidOn] of deposits) await deposit(t, accountNumber, period, amount, paidOn);
  return accountNumber;
}

export async function deposit(t: TestHub, accountNumber: string, period: string, amount: string, paidOn: string) {
  const input = {
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn,
    idempotencyKey: key("dep"),
  };
  const res = await t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, { input });
  if (res.body.data?.recordDeposit.userErrors.length !== 0) throw new Error(JSON.stringify(res.body));
}

export async function withdraw(
  t: TestHub,
  accountNumber: string,
  amount: string,
  requestedOn: string,
  as: { as?: "CENTER_OPERATOR" | "WORKER" | "CENTER_ADMIN"; sub?: string } = {},
  idempotencyKey = key("wd"),
): Promise<WithdrawPayloadView> {
  const res = await t.gql<{ withdraw: WithdrawPayloadView }>(
    WITHDRAW,
    { input: { accountNumber, amount, requestedOn, idempotencyKey } },
    { as: as.as ?? "CENTER_OPERATOR", sub: as.sub },
  );
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.withdraw;
}

export async function exitAgreement(
  t: TestHub,
  accountNumber: string,
  requestedOn: string,
): Promise<WithdrawPayloadView> {
  const res = await t.gql<{ exitAgreement: WithdrawPayloadView }>(EXIT, {
    input: { accountNumber, requestedOn, idempotencyKey: key("exit") },
  });
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.exitAgreement;
}

export type ImportView = {
  accepted: number;
  rejected: number;
  duplicates: number;
  missed: number;
  rows: number;
  errors: UserErrorView[];
};

export async function importPayouts(t: TestHub, rows: string[], idempotencyKey = key("payout")): Promise<ImportView> {
  const csv = ["payoutRef,accountNumber,amount,paidOn,result,reason", ...rows].join("\n");
  const res = await t.gql<{ importBankPayouts: ImportView }>(PAYOUTS, { csv, key: idempotencyKey });
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.importBankPayouts;
}

export type SettlementView = {
  settlementYear: number;
  settledOn: string;
  accounts: number;
  interestAmount: string;
  subsidyAmount: string;
};

export async function settle(t: TestHub, year: number, asOf: string, idempotencyKey = key("settle")) {
  const res = await t.gql<{ settleInterest: { settlement: SettlementView | null; userErrors: UserErrorView[] } }>(
    SETTLE,
    { year, asOf, key: idempotencyKey },
    { as: "CENTER_ADMIN" },
  );
  if (!res.body.data) throw new Error(JSON.stringify(res.body));
  return res.body.data.settleInterest;
}

export async function accountMoney(t: TestHub, accountNumber: string) {
  const res = await t.gql<{ account: AccountMoneyView & { entries: { edges: { node: EntryView }[] } } }>(
    ACCOUNT_MONEY,
    {
      n: accountNumber,
    },
  );
  const account = res.body.data!.account;
  return { ...account, entries: account.entries.edges.map((e) => e.node).reverse() };
}
