// Steps shared by the graduate-subsidy suites, all over HTTP: enrol a graduate, pay a month, claim, settle, read back.
import { ENROL, enrolInput, key, RECORD } from "../../factories/workers";
import type { AsOptions, GqlResponse, TestHub } from "../../helpers/test-hub";

export interface BatchDto {
  batchNo: string;
  period: string;
  status: string;
  claimCount: number;
  amount: string;
  paidCount: number;
  paidAmount: string;
}
type BatchPayload = { batch: BatchDto | null; userErrors: { code: string; field: string | null }[] };

const BATCH_FIELDS =
  "batch { batchNo period status claimCount amount paidCount paidAmount } userErrors { code field message }";
export const CLAIM = `mutation Claim($period: YearMonth!, $idempotencyKey: String!) { claimGraduateSubsidies(period: $period, idempotencyKey: $idempotencyKey) { ${BATCH_FIELDS} } }`;
export const SETTLE = `mutation Settle($batchNo: String!, $idempotencyKey: String!) { settleGraduateSubsidies(batchNo: $batchNo, idempotencyKey: $idempotencyKey) { ${BATCH_FIELDS} } }`;
const ADMIN: AsOptions = { as: "CENTER_ADMIN" };

/** Enrols a worker (opened 2026-07-15) with the given education and graduation date; returns the account number. */
export async function enrolGraduate(
  t: TestHub,
  education: string | null,
  graduationDate: string | null,
): Promise<string> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({ education, graduationDate }),
    },
  );
  const account = res.body.data?.enrollWorker.account;
  if (!account) throw new Error(`enrolment failed: ${JSON.stringify(res.body)}`);
  return account.accountNumber;
}

/** Pays the month `period` on the 10th of that month. */
export async function pay(t: TestHub, accountNumber: string, period: string, amount: string): Promise<void> {
  const input = {
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("ref"),
    paidOn: `${period}-10`,
    idempotencyKey: key(),
  };
  const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, { input });
  if (res.body.data?.recordDeposit.userErrors.length !== 0)
    throw new Error(`deposit failed: ${JSON.stringify(res.body)}`);
}

export async function claim(
  t: TestHub,
  period: string,
  idempotencyKey = key("claim"),
  as: AsOptions = ADMIN,
): Promise<GqlResponse<{ claimGraduateSubsidies: BatchPayload }>> {
  return t.gql(CLAIM, { period, idempotencyKey }, as);
}

export async function settle(
  t: TestHub,
  batchNo: string,
  idempotencyKey = key("settle"),
  as: AsOptions = ADMIN,
): Promise<GqlResponse<{ settleGraduateSubsidies: BatchPayload }>> {
  return t.gql(SETTLE, { batchNo, idempotencyKey }, as);
}

/** Claims the month and returns the batch (fails the test on userErrors). */
export async function claimedBatch(t: TestHub, period: string): Promise<BatchDto> {
  const res = await claim(t, period);
  const payload = res.body.data?.claimGraduateSubsidies;
  if (!payload?.batch) throw new Error(`claim failed: ${JSON.stringify(res.body)}`);
  return payload.batch;
}

export async function settledBatch(t: TestHub, batchNo: string): Promise<BatchDto> {
  const res = await settle(t, batchNo);
  const payload = res.body.data?.settleGraduateSubsidies;
  if (!payload?.batch) throw new Error(`settle failed: ${JSON.stringify(res.body)}`);
  return payload.batch;
}

export interface AccountState {
  balance: string;
  subsidies: { amount: string; period: string; postedOn: string }[];
}

export async function accountState(t: TestHub, accountNumber: string): Promise<AccountState> {
  const res = await t.gql<{
    account: {
      balance: string;
      entries: { edges: { node: { kind: string; amount: string; period: string; postedOn: string } }[] };
    };
  }>(
    `query A($n: String!) { account(accountNumber: $n) { balance entries(first: 100) { edges { node { kind amount period postedOn } } } } }`,
    { n: accountNumber },
  );
  const account = res.body.data!.account;
  return {
    balance: account.balance,
    subsidies: account.entries.edges
      .filter((e) => e.node.kind === "GRADUATE_SUBSIDY")
      .map(({ node }) => ({ amount: node.amount, period: node.period, postedOn: node.postedOn })),
  };
}

/** The claims of a batch as stored, for checks the API does not show (reason, postingId). */
export async function storedClaims(t: TestHub, batchNo: string) {
  const claims = await t.hub.db.prisma.subsidyClaim.findMany({ where: { batch: { batchNo } }, orderBy: { id: "asc" } });
  return claims.map((c) => ({
    claimNo: c.claimNo,
    status: c.status,
    amount: c.amount.toFixed(2),
    reason: c.reason,
    credited: c.postingId !== null,
  }));
}

export async function subsidyPostingCount(t: TestHub): Promise<number> {
  return t.hub.db.prisma.posting.count({ where: { kind: "GRADUATE_SUBSIDY" } });
}
