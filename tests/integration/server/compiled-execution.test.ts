// Compiled execution (decision 023) with the production setting: a query runs on graphql-js the first time and
// compiled (graphql-jit) from the second. Every answer, refusal and error of the compiled run must equal the
// graphql-js run's, and the compiled run keeps the guarantees: permission rules, the WORKER's row scope, the
// exchange record of every agency call and center read, the request limits and exactly two decimals.
import { openWithDeposits } from "../../factories/money";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
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

const TWO_WITHDRAWALS = `mutation Two($a: WithdrawInput!, $b: WithdrawInput!) {
  a: withdraw(input: $a) { account { balance } entry { amount } userErrors { code field } }
  b: withdraw(input: $b) { account { balance } entry { amount } userErrors { code field } }
}`;

it("runs a mutation compiled from its second sighting, its root fields one after the other, as graphql-js did", async () => {
  // Two accounts holding 1,000.00 each; the same document withdraws 600.00 twice from each: the second withdrawal
  // runs after the first has committed, so it finds 400.00 and is refused, on graphql-js and compiled alike.
  const accounts = [
    await openWithDeposits(t, "2026-01-05", [["2026-01", "1000.00", "2026-01-10"]]),
    await openWithDeposits(t, "2026-01-05", [["2026-01", "1000.00", "2026-01-10"]]),
  ];
  const input = (accountNumber: string) => ({
    accountNumber,
    amount: "600.00",
    requestedOn: "2026-03-02",
    idempotencyKey: key("wd"),
  });
  const before = { ...t.hub.server.execution! };
  const answers = [];
  for (const n of accounts) answers.push(await t.gql(TWO_WITHDRAWALS, { a: input(n), b: input(n) }));
  const after = t.hub.server.execution!;
  expect([after.reference - before.reference, after.jit - before.jit]).toEqual([1, 1]);
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: {
        a: { account: { balance: "400.00" }, entry: { amount: "-600.00" }, userErrors: [] }, // a debit of the worker is negative
        b: { account: null, entry: null, userErrors: [{ code: "EXCEEDS_WITHDRAWABLE", field: "amount" }] },
      },
    });
  }
});

it("refuses a mutation to a role without it with the same error when compiled", async () => {
  const deposit = `mutation D($input: RecordDepositInput!) { recordDeposit(input: $input) { userErrors { code } } }`;
  const input = {
    accountNumber: account.accountNumber,
    period: "2026-01",
    amount: "800.00",
    channel: "ACTIVE_PAYMENT",
    paymentRef: "PAY-COMPILED-REFUSED",
    paidOn: "2026-01-10",
    idempotencyKey: key("dep"),
  };
  const r = await twice(deposit, { input }, { as: "WORKER", sub: account.accountNumber });
  expect(r.ranCompiled).toBe(1);
  expect(strip(r.second)).toEqual(strip(r.first));
  expect(r.second.body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  expect(r.second.body.data).toBeNull();
});

it("runs a document that writes Money as a literal on graphql-js, and answers it as before", async () => {
  // graphql-jit would write the parsed Decimal into its generated code as JSON: the resolver would get a string.
  const literal = `query { loanQuota(input: { accountNumber: "${account.accountNumber}", asOf: "2026-12-01",
    housePrice: "1000000.00", monthlyIncome: "8000.00", termYears: 20 }) { eligible quota } }`;
  const r = await twice(literal, {});
  expect([r.ranCompiled, r.ranReference]).toEqual([0, 2]);
  expect(strip(r.second)).toEqual(strip(r.first));
  expect(r.second.body.errors).toBeUndefined();
  expect(r.second.body.data).toEqual({ loanQuota: { eligible: false, quota: "0.00" } }); // no paid months yet
  // A Date literal parses to a string, which survives the generated code: that document still runs compiled.
  const dated = await twice(
    `query Q($n: String!) { account(accountNumber: $n) { accountNumber } loanQuota(input: { accountNumber: $n,
      asOf: "2026-12-01", housePrice: $price, monthlyIncome: $income, termYears: 20 }) { eligible } }`.replace(
      "query Q($n: String!)",
      "query Q($n: String!, $price: Money!, $income: Money!)",
    ),
    { n: account.accountNumber, price: "1000000.00", income: "8000.00" },
  );
  expect(dated.ranCompiled).toBe(1);
  expect(strip(dated.second)).toEqual(strip(dated.first));
  expect(dated.second.body.data).toEqual({
    account: { accountNumber: account.accountNumber },
    loanQuota: { eligible: false },
  });
});

it("keeps compiling a document with a literal list of ID numbers (they parse to strings)", async () => {
  const literal = `query { rentalEligibility(idNumbers: ["${account.idNumber}"], asOf: "2026-12-01") { idNumber } }`;
  const r = await twice(literal, {}, { as: "HOUSING_BUREAU" });
  expect(r.ranCompiled).toBe(1);
  expect(strip(r.second)).toEqual(strip(r.first));
  expect(r.second.body.data).toEqual({ rentalEligibility: [{ idNumber: account.idNumber }] });
});

it("runs introspection on graphql-js", async () => {
  const r = await twice(`{ __schema { queryType { name } } }`, {});
  expect(r.ranCompiled).toBe(0);
  expect(r.second.body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
});
