import { SignJWT } from "jose";

import { signDevToken } from "../../../src/auth/token-verifier";
import { activePayment, ENROL, enrolInput, freshIdNumber, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, TEST_SECRET, type TestHub } from "../../helpers/test-hub";

type AccountFields = Record<string, unknown> & { accountNumber: string; idNumber: string };
type EntriesPage = {
  edges: {
    cursor: string;
    node: { id: string; kind: string; amount: string; period: string | null; balanceAfter: string; postedOn: string };
  }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

const FIELDS = `accountNumber idNumber name kind status countyCode employmentForm openedOn balance withdrawableBalance
  paidMonths consecutiveMonths paidUpTo monthlyAmount hasOutstandingLoan`;
const ACCOUNT = `query Account($n: String!) { account(accountNumber: $n) { ${FIELDS} } }`;
const BY_ID = `query ByIdNumber($id: IdNumber!) { accountByIdNumber(idNumber: $id) { ${FIELDS} } }`;
const ENTRIES = `query Entries($n: String!, $first: Int, $after: String) {
  account(accountNumber: $n) { entries(first: $first, after: $after) { edges { cursor node { id kind amount period balanceAfter postedOn } } pageInfo { hasNextPage endCursor } } }
}`;
const ENTRIES_DEFAULT = `query Entries($n: String!) { account(accountNumber: $n) { entries { edges { node { period } } pageInfo { hasNextPage endCursor } } } }`;

let t: TestHub;
/** An account with five monthly deposits (2026-07 .. 2026-11) and one without any. */
let paid: { accountNumber: string; idNumber: string };
let other: { accountNumber: string; idNumber: string };

async function openAccount(idNumber: string, enrolledOn = "2026-07-15") {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
    ENROL,
    {
      input: enrolInput({
        idNumber,
        enrolledOn,
        name: "王芳",
        countyCode: "140581",
        employmentForm: "PART_TIME",
        monthlyAmount: "800.00",
      }),
    },
  );
  expect(res.body.data!.enrollWorker.userErrors).toEqual([]);
  return { accountNumber: res.body.data!.enrollWorker.account!.accountNumber, idNumber };
}

beforeAll(async () => {
  t = await startTestHub();
  paid = await openAccount(freshIdNumber("1990-03-08"));
  other = await openAccount(freshIdNumber("1988-11-30"));
  for (const period of ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]) {
    const res = await t.gql<{ recordDeposit: { userErrors: unknown[] } }>(RECORD, {
      input: activePayment(paid.accountNumber, period),
    });
    expect(res.body.data!.recordDeposit.userErrors).toEqual([]);
  }
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

const accountAs = (accountNumber: string, as: Parameters<TestHub["gql"]>[2]) =>
  t.gql<{ account: AccountFields | null }>(ACCOUNT, { n: accountNumber }, as);
const byIdAs = (idNumber: string, as: Parameters<TestHub["gql"]>[2]) =>
  t.gql<{ accountByIdNumber: AccountFields | null }>(BY_ID, { id: idNumber }, as);
const entries = (first: number | undefined, after?: string | null) =>
  t.gql<{ account: { entries: EntriesPage } | null }>(ENTRIES, { n: paid.accountNumber, first, after });

describe("account and accountByIdNumber", () => {
  it("shows center staff any account with the full ID number and its deposit history", async () => {
    for (const as of ["CENTER_OPERATOR", "CENTER_ADMIN"] as const) {
      const res = await accountAs(paid.accountNumber, { as });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.account).toEqual({
        accountNumber: paid.accountNumber,
        idNumber: paid.idNumber,
        name: "王芳",
        kind: "FLEXIBLE",
        status: "ACTIVE",
        countyCode: "140581",
        employmentForm: "PART_TIME",
        openedOn: "2026-07-15",
        balance: "4000.00",
        withdrawableBalance: "4000.00",
        paidMonths: 5,
        consecutiveMonths: 5,
        paidUpTo: "2026-11",
        monthlyAmount: "800.00",
        hasOutstandingLoan: false,
      });
      const byId = await byIdAs(other.idNumber, { as });
      expect(byId.body.data!.accountByIdNumber).toMatchObject({
        accountNumber: other.accountNumber,
        idNumber: other.idNumber,
        balance: "0.00",
        paidMonths: 0,
        paidUpTo: null,
      });
    }
  });

  it("shows a worker their own account in full", async () => {
    const own = await accountAs(paid.accountNumber, { as: "WORKER", sub: paid.accountNumber });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!.account).toMatchObject({
      accountNumber: paid.accountNumber,
      idNumber: paid.idNumber,
      balance: "4000.00",
    });
    const byId = await byIdAs(paid.idNumber, { as: "WORKER", sub: paid.accountNumber });
    expect(byId.body.data!.accountByIdNumber).toMatchObject({
      accountNumber: paid.accountNumber,
      idNumber: paid.idNumber,
    });
  });

  it("answers a worker asking for someone else's account exactly as for a missing one", async () => {
    const worker = { as: "WORKER" as const, sub: paid.accountNumber };
    const others = await accountAs(other.accountNumber, worker);
    const missing = await accountAs("1405009999999999", worker);
    expect(others.body).toEqual({ data: { account: null } });
    expect(others.body).toEqual(missing.body);
    const othersById = await byIdAs(other.idNumber, worker);
    const missingById = await byIdAs(freshIdNumber("1979-04-04"), worker);
    expect(othersById.body).toEqual({ data: { accountByIdNumber: null } });
    expect(othersById.body).toEqual(missingById.body);
    const entriesOfOthers = await t.gql(ENTRIES, { n: other.accountNumber, first: 10 }, worker);
    expect(entriesOfOthers.body).toEqual({ data: { account: null } });
  });

  it("answers null for an unknown account number or ID number", async () => {
    expect((await accountAs("1405009999999999", { as: "CENTER_OPERATOR" })).body).toEqual({ data: { account: null } });
    expect((await accountAs("x".repeat(40), { as: "CENTER_OPERATOR" })).body).toEqual({ data: { account: null } });
    expect((await byIdAs(freshIdNumber("1979-04-05"), { as: "CENTER_ADMIN" })).body).toEqual({
      data: { accountByIdNumber: null },
    });
  });

  it("rejects a malformed ID number with BAD_USER_INPUT", async () => {
    expect(errorCodes(await byIdAs("140502199005170011", { as: "CENTER_OPERATOR" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("pages the entries newest first with first/after", async () => {
    const one = await entries(2);
    const page1 = one.body.data!.account!.entries;
    expect(page1.edges.map((e) => e.node.period)).toEqual(["2026-11", "2026-10"]);
    expect(page1.edges[0]!.node).toEqual({
      id: expect.any(String),
      kind: "DEPOSIT",
      amount: "800.00",
      period: "2026-11",
      balanceAfter: "4000.00",
      postedOn: "2026-11-20",
    });
    expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.edges[1]!.cursor });
    const page2 = (await entries(2, page1.pageInfo.endCursor)).body.data!.account!.entries;
    expect(page2.edges.map((e) => e.node.period)).toEqual(["2026-09", "2026-08"]);
    expect(page2.pageInfo.hasNextPage).toBe(true);
    const page3 = (await entries(2, page2.pageInfo.endCursor)).body.data!.account!.entries;
    expect(page3.edges.map((e) => [e.node.period, e.node.balanceAfter])).toEqual([["2026-07", "800.00"]]);
    expect(page3.pageInfo).toEqual({ hasNextPage: false, endCursor: page3.edges[0]!.cursor });
    const exact = (await entries(5)).body.data!.account!.entries;
    expect(exact.edges).toHaveLength(5);
    expect(exact.pageInfo.hasNextPage).toBe(false);
    const all = await t.gql<{ account: { entries: EntriesPage } }>(ENTRIES_DEFAULT, { n: paid.accountNumber });
    expect(all.body.data!.account.entries.edges.map((e) => e.node.period)).toEqual([
      "2026-11",
      "2026-10",
      "2026-09",
      "2026-08",
      "2026-07",
    ]);
    const none = await t.gql<{ account: { entries: EntriesPage } }>(ENTRIES_DEFAULT, { n: other.accountNumber });
    expect(none.body.data!.account.entries).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it("rejects an invalid cursor or page size with BAD_USER_INPUT", async () => {
    for (const after of [
      "garbage",
      Buffer.from("e:abc").toString("base64url"),
      Buffer.from("x:5").toString("base64url"),
    ]) {
      expect([after, errorCodes(await entries(2, after))]).toEqual([after, ["BAD_USER_INPUT"]]);
    }
    for (const first of [0, -1, 1000])
      expect([first, errorCodes(await entries(first))]).toEqual([first, ["BAD_USER_INPUT"]]);
    expect(errorCodes(await entries(200))).toEqual([]);
  });

  it("refuses the agency, leadership and auditor roles with FORBIDDEN, revealing nothing", async () => {
    for (const as of ["TAX_BUREAU", "HOUSING_BUREAU", "FINANCE_BUREAU", "LEADERSHIP", "AUDITOR"] as const) {
      const existing = await accountAs(paid.accountNumber, { as });
      const missing = await accountAs("1405009999999999", { as });
      expect([as, errorCodes(existing)]).toEqual([as, ["FORBIDDEN"]]);
      expect(existing.body.data?.account ?? null).toBeNull();
      expect(JSON.stringify(existing.body)).not.toContain(paid.idNumber);
      expect(existing.body).toEqual(missing.body);
      expect([as, errorCodes(await byIdAs(paid.idNumber, { as }))]).toEqual([as, ["FORBIDDEN"]]);
    }
  });

  it("refuses an anonymous caller with UNAUTHENTICATED", async () => {
    const res = await accountAs(paid.accountNumber, { as: null });
    expect(errorCodes(res)).toEqual(["UNAUTHENTICATED"]);
    expect(JSON.stringify(res.body)).not.toContain(paid.idNumber);
    expect(errorCodes(await byIdAs(paid.idNumber, { as: null }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a token with a wrong signature, an expired token, a malformed one and an agency token without purpose", async () => {
    const claims = { sub: "center-op", role: "CENTER_OPERATOR" as const, org: "140500" };
    const wrongSignature = await signDevToken("another-secret-that-is-not-the-hub-secret-0123456789", claims);
    const expired = await new SignJWT({ role: claims.role, org: claims.org })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    const noExpiry = await new SignJWT({ role: claims.role, org: claims.org })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .sign(new TextEncoder().encode(TEST_SECRET));
    const unknownRole = await signDevToken(TEST_SECRET, { ...claims, role: "SUPERUSER" as never });
    const noPurpose = await t.token("TAX_BUREAU", undefined, null);
    const valid = await signDevToken(TEST_SECRET, claims);
    expect(
      (await t.gql(ACCOUNT, { n: paid.accountNumber }, { as: null, headers: { authorization: `Bearer ${valid}` } }))
        .body.data,
    ).toMatchObject({ account: { accountNumber: paid.accountNumber } });
    for (const [what, token] of Object.entries({
      wrongSignature,
      expired,
      noExpiry,
      unknownRole,
      noPurpose,
      garbage: "not.a.jwt",
    })) {
      const res = await t.gql(
        ACCOUNT,
        { n: paid.accountNumber },
        { as: null, headers: { authorization: `Bearer ${token}` } },
      );
      expect([what, res.status, errorCodes(res)]).toEqual([what, 401, ["UNAUTHENTICATED"]]);
      expect(JSON.stringify(res.body)).not.toContain(paid.idNumber);
    }
  });
});
