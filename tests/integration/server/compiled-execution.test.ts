// Compiled execution (decision 023) with the production setting: a query runs on graphql-js the first time and
// compiled (graphql-jit) from the second. Every answer, refusal and error of the compiled run must equal the
// graphql-js run's, and the compiled run keeps the guarantees: permission rules, the WORKER's row scope, the
// exchange record of every agency call and center read, the request limits and exactly two decimals.
import { ENROL, enrolInput, freshIdNumber } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let account: { accountNumber: string; idNumber: string };

const ACCOUNT = `query A($n: String!) { account(accountNumber: $n) { accountNumber idNumber name monthlyAmount balance withdrawableBalance paidMonths } }`;

beforeAll(async () => {
  t = await startTestHub({ compiledExecution: {} }); // the production default: compile on the second sighting
  const idNumber = freshIdNumber("1991-02-03");
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput({ idNumber, name: "李雷", monthlyAmount: "800.00" }),
  });
  account = { accountNumber: res.body.data!.enrollWorker.account.accountNumber, idNumber };
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

/** Sends the same request twice (graphql-js, then compiled) and returns both answers. */
async function twice(query: string, variables: Record<string, unknown>, options?: Parameters<TestHub["gql"]>[2]) {
  const before = { ...t.hub.server.execution! };
  const first = await t.gql(query, variables, options);
  const second = await t.gql(query, variables, options);
  const after = t.hub.server.execution!;
  return { first, second, ranCompiled: after.jit - before.jit, ranReference: after.reference - before.reference };
}

const strip = (r: { status: number; body: unknown }) => ({ status: r.status, body: r.body });

it("answers a center read compiled exactly as graphql-js did, and records it", async () => {
  const { first, second, ranCompiled } = await twice(ACCOUNT, { n: account.accountNumber });
  expect(ranCompiled).toBeGreaterThanOrEqual(1);
  expect(strip(second)).toEqual(strip(first));
  expect(second.body.data).toEqual({
    account: {
      accountNumber: account.accountNumber,
      idNumber: account.idNumber,
      name: "李雷",
      monthlyAmount: "800.00",
      balance: "0.00",
      withdrawableBalance: "0.00",
      paidMonths: 0,
    },
  });
  await t.hub.services.exchangeLog.drain();
  const records = await t.hub.db.prisma.$queryRaw<{ operation: string; subject_count: number }[]>`
    SELECT operation, subject_count FROM exchange_record WHERE request_id = ${second.requestId}`;
  expect(records).toEqual([{ operation: "account", subject_count: 1 }]);
});

it("keeps a WORKER to their own account when compiled", async () => {
  const own = await twice(ACCOUNT, { n: account.accountNumber }, { as: "WORKER", sub: account.accountNumber });
  expect(own.ranCompiled).toBeGreaterThanOrEqual(1);
  expect((own.second.body.data as { account: { name: string } }).account.name).toBe("李雷");
  const other = await twice(ACCOUNT, { n: account.accountNumber }, { as: "WORKER", sub: "999999999999" });
  expect(strip(other.second)).toEqual(strip(other.first));
  expect(other.second.body).toEqual({ data: { account: null } });
});

it("refuses the same roles with the same errors when compiled", async () => {
  for (const as of ["HOUSING_BUREAU", "AUDITOR"] as const) {
    const r = await twice(ACCOUNT, { n: account.accountNumber }, { as });
    expect(r.ranCompiled).toBeGreaterThanOrEqual(1);
    expect(strip(r.second)).toEqual(strip(r.first));
    expect(r.second.body.data).toEqual({ account: null });
    expect(r.second.body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  }
  const anonymous = await twice(ACCOUNT, { n: account.accountNumber }, { as: null });
  expect(strip(anonymous.second)).toEqual(strip(anonymous.first));
  expect(anonymous.second.body.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
});

it("refuses bad variables with graphql-js's own error (HTTP 400) on a compiled document", async () => {
  await twice(ACCOUNT, { n: account.accountNumber }); // compiled now
  const bad = await twice(ACCOUNT, { n: 12 });
  expect(bad.ranCompiled).toBe(0);
  expect(strip(bad.second)).toEqual(strip(bad.first));
  expect(bad.second.status).toBe(400);
  expect(bad.second.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
});

it("keeps the request limits and the agency's exchange record on compiled agency reads", async () => {
  const RENTAL = `query R($ids: [IdNumber!]!) { rentalEligibility(idNumbers: $ids, asOf: "2026-12-01") { idNumber priorityEligible reasons } }`;
  const ok = await twice(RENTAL, { ids: [account.idNumber] }, { as: "HOUSING_BUREAU" });
  expect(ok.ranCompiled).toBeGreaterThanOrEqual(1);
  expect(strip(ok.second)).toEqual(strip(ok.first));
  await t.hub.services.exchangeLog.drain();
  const records = await t.hub.db.prisma.$queryRaw<{ outcome: string; result_size: number }[]>`
    SELECT outcome, result_size FROM exchange_record WHERE request_id = ${ok.second.requestId}`;
  expect(records).toEqual([{ outcome: "OK", result_size: 1 }]);
  const tooMany = Array.from({ length: 501 }, () => account.idNumber);
  const refused = await twice(RENTAL, { ids: tooMany }, { as: "HOUSING_BUREAU" });
  expect(strip(refused.second)).toEqual(strip(refused.first));
  expect(refused.second.status).toBe(400);
  expect(refused.second.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
});

it("runs mutations and introspection on graphql-js", async () => {
  const r = await twice(`{ __schema { queryType { name } } }`, {});
  expect(r.ranCompiled).toBe(0);
  expect(r.second.body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
});
