// Every root operation of the built schema, called as every role and anonymously, with valid arguments:
// the roles ROOT_PERMISSIONS lists get through the gate, every other role gets FORBIDDEN, no token gets
// UNAUTHENTICATED, and an agency call without a purpose (no claim, no x-hub-purpose header) is UNAUTHENTICATED.
// The operation list comes from the schema, so a new operation is covered as soon as it exists; it then needs
// sample arguments below, or its tests fail saying so.
import "reflect-metadata";

import { getNamedType, type GraphQLField, isCompositeType, isNonNullType } from "graphql";

import { ROOT_PERMISSIONS } from "../../../src/auth/permissions";
import { Role } from "../../../src/auth/role";
import { buildBareSchema } from "../../../src/graphql/build-schema";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import { type AsOptions, errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

type RootType = "Query" | "Mutation";
type Sample = (ctx: { accountNumber: string }) => Record<string, unknown>;

const ASOF = "2026-07-20";

/** Syntactically valid arguments per operation (contract operations not built yet are listed ahead of time). */
const SAMPLES: Record<RootType, Record<string, Sample>> = {
  Query: {
    account: ({ accountNumber }) => ({ accountNumber }),
    accountByIdNumber: () => ({ idNumber: freshIdNumber() }),
    loanQuota: ({ accountNumber }) => ({
      input: { accountNumber, asOf: ASOF, monthlyIncome: "8000.00", housePrice: "600000.00", termYears: 20 },
    }),
    taxDeductions: () => ({ taxYear: 2026, idNumbers: [freshIdNumber()] }),
    rentalEligibility: () => ({ idNumbers: [freshIdNumber()], asOf: ASOF }),
    pilotMetrics: () => ({ from: "2026-07", to: "2026-07" }),
    policyParameters: () => ({ asOf: ASOF }),
    exchangeLog: () => ({ first: 5 }),
    myDataAccess: () => ({ first: 5 }),
    verifyExchangeLog: () => ({}),
  },
  Mutation: {
    enrollWorker: () => ({ input: enrolInput() }),
    recordDeposit: ({ accountNumber }) => ({
      input: {
        accountNumber,
        period: "2026-07",
        amount: "1000.00",
        channel: "ACTIVE_PAYMENT",
        paymentRef: key("ref"),
        paidOn: ASOF,
        idempotencyKey: key(),
      },
    }),
    payLumpSum: ({ accountNumber }) => ({
      input: {
        accountNumber,
        settlementYear: 2026,
        amount: "12000.00",
        channel: "ACTIVE_PAYMENT",
        paymentRef: key("ref"),
        paidOn: ASOF,
        idempotencyKey: key(),
      },
    }),
    withdraw: ({ accountNumber }) => ({
      input: { accountNumber, amount: "1.00", requestedOn: ASOF, idempotencyKey: key() },
    }),
    exitAgreement: () => ({ input: { accountNumber: "1405009999999999", requestedOn: ASOF, idempotencyKey: key() } }),
    setPolicyParameter: () => ({
      input: {
        key: "relativesTransfer.enabled",
        value: "false",
        effectiveFrom: "2030-01-01",
        source: "role matrix test",
        idempotencyKey: key(),
      },
    }),
    importBankCollection: () => ({
      csv: "paymentRef,accountNumber,period,amount,paidOn,result,reason\n",
      idempotencyKey: key(),
    }),
    claimGraduateSubsidies: () => ({ period: "2026-07", idempotencyKey: key() }),
    settleGraduateSubsidies: () => ({ batchNo: "GS-NO-SUCH-BATCH", idempotencyKey: key() }),
    importBankPayouts: () => ({ csv: "payoutRef,accountNumber,amount,paidOn,result,reason\n", idempotencyKey: key() }),
    // A year not ended on asOf: answered with YEAR_NOT_ENDED, nothing written.
    settleInterest: () => ({ settlementYear: 2030, asOf: "2026-07-01", idempotencyKey: key() }),
  },
};

const schema = buildBareSchema();
const ROLES = Object.values(Role);
const AGENCY: readonly Role[] = [Role.TAX_BUREAU, Role.HOUSING_BUREAU, Role.FINANCE_BUREAU];
const REFUSALS = ["FORBIDDEN", "UNAUTHENTICATED"];
/** What an allowed role must not see either: a refusal, a crash, or a sample that no longer validates. */
const NOT_THROUGH = [...REFUSALS, "INTERNAL_SERVER_ERROR", "BAD_USER_INPUT"];

interface Operation {
  type: RootType;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

const operations: Operation[] = (["Query", "Mutation"] as const).flatMap((type) => {
  const root = type === "Query" ? schema.getQueryType() : schema.getMutationType();
  return Object.values(root?.getFields() ?? {}).map((field) => ({ type, name: field.name, field }));
});

/** The document for one operation, its variables declared from the schema's own argument types. */
function documentFor(op: Operation, variables: Record<string, unknown>): string {
  const missing = op.field.args
    .filter((a) => isNonNullType(a.type) && a.defaultValue === undefined && !(a.name in variables))
    .map((a) => a.name);
  if (missing.length)
    throw new Error(`the sample for ${op.type}.${op.name} lacks required argument(s) ${missing.join(", ")}`);
  const unknown = Object.keys(variables).filter((v) => !op.field.args.some((a) => a.name === v));
  if (unknown.length)
    throw new Error(`the sample for ${op.type}.${op.name} has argument(s) the schema does not: ${unknown.join(", ")}`);
  const args = op.field.args.filter((a) => a.name in variables);
  const declared = args.length ? `(${args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ")})` : "";
  const passed = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(", ")})` : "";
  const selection = isCompositeType(getNamedType(op.field.type)) ? " { __typename }" : "";
  return `${op.type === "Query" ? "query" : "mutation"} RoleMatrix${declared} { ${op.name}${passed}${selection} }`;
}

let t: TestHub;
let accountNumber: string;

beforeAll(async () => {
  t = await startTestHub();
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } | null } }>(ENROL, {
    input: enrolInput(),
  });
  accountNumber = res.body.data!.enrollWorker.account!.accountNumber;
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

async function call(op: Operation, options: AsOptions) {
  const sample = SAMPLES[op.type][op.name];
  if (!sample) {
    throw new Error(
      `${op.type}.${op.name} has no sample arguments in SAMPLES (tests/integration/auth/role-matrix.test.ts): add one so its permissions are tested`,
    );
  }
  const variables = sample({ accountNumber });
  const sub = options.as === Role.WORKER ? accountNumber : undefined; // the worker owns the test account
  const res = await t.gql(documentFor(op, variables), variables, { sub, ...options });
  return { res, codes: errorCodes(res) };
}

it("finds the root operations in the schema", () => {
  expect(operations.length).toBeGreaterThanOrEqual(8);
});

describe.each(operations.map((op) => [`${op.type}.${op.name}`, op] as const))("%s", (_label, op) => {
  const allowed = ROOT_PERMISSIONS[op.type][op.name] ?? [];

  it("has sample arguments and a permission entry", () => {
    expect(SAMPLES[op.type][op.name]).toBeInstanceOf(Function);
    expect(allowed.length).toBeGreaterThan(0);
  });

  it.each(ROLES)("answers %s according to ROOT_PERMISSIONS", async (role) => {
    const { res, codes } = await call(op, { as: role });
    if (allowed.includes(role)) {
      expect({ role, codes: codes.filter((c) => NOT_THROUGH.includes(c!)) }).toEqual({ role, codes: [] });
    } else {
      expect({ role, codes }).toEqual({ role, codes: ["FORBIDDEN"] });
      expect(JSON.stringify(res.body.data ?? null)).not.toMatch(/__typename/);
    }
  });

  it("refuses an anonymous call with UNAUTHENTICATED (HTTP 401)", async () => {
    const { res, codes } = await call(op, { as: null });
    expect(codes).toEqual(["UNAUTHENTICATED"]);
    expect(res.status).toBe(401);
  });

  it.each(AGENCY)("refuses %s without a purpose (no claim, no header) with UNAUTHENTICATED", async (role) => {
    const { codes } = await call(op, { as: role, purpose: null });
    expect(codes).toEqual(["UNAUTHENTICATED"]);
  });

  it.each(AGENCY)("authenticates %s whose purpose comes in the x-hub-purpose header", async (role) => {
    const { codes } = await call(op, {
      as: role,
      purpose: null,
      headers: { "x-hub-purpose": "case 2026-0815 role matrix" },
    });
    expect(codes).not.toContain("UNAUTHENTICATED");
    if (allowed.includes(role)) expect(codes.filter((c) => NOT_THROUGH.includes(c!))).toEqual([]);
    else expect(codes).toEqual(["FORBIDDEN"]);
  });
});
