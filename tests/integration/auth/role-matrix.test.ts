// Every root operation of the built schema, called as every role and anonymously. Who may call what is the table
// below, written by hand from the contract's doc comments (shared/contract/hub.graphql, quoted per operation) and
// domain.md's table of actors: it does not read src/auth/permissions.ts, so a wrong grant there fails here.
// An allowed role must get a real answer (the data asked for, hand-checked, or a named business userError), a
// refused role FORBIDDEN and no data, no token UNAUTHENTICATED (HTTP 401), and an agency without a purpose
// (no claim, no x-hub-purpose header) UNAUTHENTICATED. The operation list comes from the schema, so a new
// operation fails here until it has a row in CONTRACT_ROLES and a sample with its expected answer.
import "reflect-metadata";

import { getNamedType, type GraphQLField, isCompositeType, isNonNullType } from "graphql";

import { Role } from "../../../src/auth/role";
import { buildBareSchema } from "../../../src/graphql/build-schema";
import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import {
  type AsOptions,
  errorCodes,
  expectLedgerBalanced,
  type GqlResponse,
  startTestHub,
  type TestHub,
} from "../../helpers/test-hub";

type RootType = "Query" | "Mutation";
const { CENTER_OPERATOR, CENTER_ADMIN, WORKER, TAX_BUREAU, HOUSING_BUREAU, FINANCE_BUREAU, LEADERSHIP, AUDITOR } = Role;
const CENTER = [CENTER_OPERATOR, CENTER_ADMIN]; // "CENTER_*"

/** The contract's doc comment of each root operation, and the roles it names. Written by hand; every contract
 *  operation is listed (built or not). An operation without a comment of its own follows the comment above it in
 *  the contract (accountByIdNumber after account, payLumpSum after recordDeposit, exitAgreement after withdraw). */
const CONTRACT_ROLES: Record<RootType, Record<string, readonly Role[]>> = {
  Query: {
    account: [...CENTER, WORKER], //              "CENTER_*: any account; WORKER: only their own."
    accountByIdNumber: [...CENTER, WORKER], //    (same comment)
    loanQuota: [...CENTER, WORKER], //            "CENTER_*, WORKER (own account)."
    taxDeductions: [TAX_BUREAU], //               "TAX_BUREAU. At most 500 ID numbers per call; ..."
    rentalEligibility: [HOUSING_BUREAU], //       "HOUSING_BUREAU. At most 500 ID numbers per call; ..."
    pilotMetrics: [LEADERSHIP, CENTER_ADMIN], //  "LEADERSHIP, CENTER_ADMIN. Aggregates only."
    loan: [...CENTER, WORKER], //                 "CENTER_*; WORKER (own loans)."
    policyParameters: CENTER, //                  "CENTER_*: the parameters in force on a date."
    exchangeLog: [AUDITOR], //                    "AUDITOR: the exchange log, newest first; ..."
    myDataAccess: [WORKER], //                    "WORKER: who read my data, when and why (a data tracker)."
    verifyExchangeLog: [AUDITOR], //              "AUDITOR: recompute the hash chain of the whole exchange log."
  },
  Mutation: {
    enrollWorker: [CENTER_OPERATOR], //           "CENTER_OPERATOR."
    recordDeposit: [CENTER_OPERATOR], //          "CENTER_OPERATOR."
    payLumpSum: [CENTER_OPERATOR], //             (same comment)
    withdraw: [CENTER_OPERATOR, WORKER], //       "CENTER_OPERATOR, WORKER (own account)."
    exitAgreement: [CENTER_OPERATOR, WORKER], //  (same comment)
    setPolicyParameter: [CENTER_ADMIN], //        "CENTER_ADMIN."
    importBankCollection: [CENTER_OPERATOR], //   "CENTER_OPERATOR: post a bank collection result file ..."
    claimGraduateSubsidies: [CENTER_ADMIN], //    "CENTER_ADMIN: claim the graduate subsidies of a month ..."
    settleGraduateSubsidies: [CENTER_ADMIN], //   "CENTER_ADMIN: ask the finance bureau what it paid, ..."
    settleInterest: [CENTER_ADMIN], //            "CENTER_ADMIN: credit a settlement year's interest ..."
    convertAccount: [CENTER_OPERATOR], //         "CENTER_OPERATOR: flexible <-> employer-based, ..."
    changeDepositPlan: [CENTER_OPERATOR, WORKER], // "CENTER_OPERATOR, WORKER (own account): a new monthly amount ..."
    transferOut: [CENTER_OPERATOR], //            "CENTER_OPERATOR: move an account to another city's center ..."
    receiveTransfer: [CENTER_OPERATOR], //        "CENTER_OPERATOR: record a transfer accepted from another city ..."
    transferToRelative: [CENTER_OPERATOR], //     "CENTER_OPERATOR: transfer of deposit rights to a relative; ..."
    importLegacyAccounts: [CENTER_OPERATOR], //   "CENTER_OPERATOR: post the accounts of the center's pre-pilot system ..."
    importBankPayouts: [CENTER_OPERATOR], //      "CENTER_OPERATOR: post a bank payout result file ..."
    applyForLoan: [CENTER_OPERATOR], //           "CENTER_OPERATOR: a loan application, ..."
    disburseLoan: [CENTER_ADMIN], //              "CENTER_ADMIN."
    repayLoan: [CENTER_OPERATOR], //              "CENTER_OPERATOR: a repayment by bank or from the HPF balance; ..."
    runLoanRepayments: [CENTER_ADMIN], //         "CENTER_ADMIN: the month's run: ..."
    recordFraudBan: [CENTER_ADMIN], //            "CENTER_ADMIN."
  },
};

const ASOF = "2026-07-20";

interface Fixture {
  /** A MONTHLY account the WORKER role owns (its token's sub). */
  accountNumber: string;
  idNumber: string;
  /** A LUMP_SUM account for payLumpSum, and one for recordDeposit, so the two never meet. */
  lumpAccountNumber: string;
  depositAccountNumber: string;
}

/** One built operation: valid arguments, the selection asked for, and the answer an allowed role must get
 *  (hand-written from the contract and domain.md; `role` is the allowed role that called). */
interface Sample {
  args(f: Fixture): Record<string, unknown>;
  selection: string;
  expectAnswer(answer: unknown, f: Fixture, role: Role): void;
}

const UNKNOWN_PERSON = freshIdNumber();
/** An account number nobody holds: a business answer (ACCOUNT_NOT_FOUND) that writes nothing. */
const NO_SUCH_ACCOUNT = "1405009999999999";
let letterSeq = 0;
const anyRecord = { edges: expect.any(Array) };

const SAMPLES: Record<RootType, Record<string, Sample>> = {
  Query: {
    account: {
      args: (f) => ({ accountNumber: f.accountNumber }),
      selection: "{ accountNumber status }",
      expectAnswer: (a, f) => expect(a).toEqual({ accountNumber: f.accountNumber, status: "ACTIVE" }),
    },
    accountByIdNumber: {
      args: (f) => ({ idNumber: f.idNumber }),
      selection: "{ accountNumber idNumber }",
      expectAnswer: (a, f) => expect(a).toEqual({ accountNumber: f.accountNumber, idNumber: f.idNumber }),
    },
    taxDeductions: {
      args: () => ({ taxYear: 2026, idNumbers: [UNKNOWN_PERSON] }),
      selection: "{ idNumber deductibleAmount }",
      // "unknown IDs get zero amounts"
      expectAnswer: (a) => expect(a).toEqual([{ idNumber: UNKNOWN_PERSON, deductibleAmount: "0.00" }]),
    },
    rentalEligibility: {
      args: () => ({ idNumbers: [UNKNOWN_PERSON], asOf: ASOF }),
      selection: "{ idNumber priorityEligible depositWaiverEligible }",
      // "unknown IDs are not eligible"
      expectAnswer: (a) =>
        expect(a).toEqual([{ idNumber: UNKNOWN_PERSON, priorityEligible: false, depositWaiverEligible: false }]),
    },
    pilotMetrics: {
      args: () => ({ from: "2026-07", to: "2026-07" }),
      selection: "{ __typename depositAmount }",
      expectAnswer: (a) =>
        expect(a).toEqual({ __typename: "PilotMetrics", depositAmount: expect.stringMatching(/^\d+\.\d{2}$/) }),
    },
    policyParameters: {
      args: () => ({ asOf: ASOF }),
      selection: "{ key }",
      expectAnswer: (a) =>
        expect(a).toEqual(
          expect.arrayContaining([{ key: "relativesTransfer.enabled" }, { key: "deposit.monthlyMin" }]),
        ),
    },
    exchangeLog: {
      args: () => ({ first: 5 }),
      selection: "{ edges { node { consumerRole } } }",
      // The enrolments of beforeAll are center actions and so in the log: a page of 1..5 records.
      expectAnswer: (a) => {
        expect(a).toEqual(anyRecord);
        expect((a as { edges: unknown[] }).edges.length).toBeGreaterThanOrEqual(1);
        expect((a as { edges: unknown[] }).edges.length).toBeLessThanOrEqual(5);
      },
    },
    myDataAccess: {
      args: () => ({ first: 5 }),
      selection: "{ edges { node { consumerRole } } pageInfo { hasNextPage } }",
      expectAnswer: (a) => expect(a).toEqual({ ...anyRecord, pageInfo: { hasNextPage: expect.any(Boolean) } }),
    },
    loanQuota: {
      args: (f) => ({
        input: {
          accountNumber: f.accountNumber,
          asOf: ASOF,
          monthlyIncome: "10000.00",
          housePrice: "1000000.00",
          termYears: 20,
        },
      }),
      selection: "{ eligible quota reasons }",
      // The account has no paid month yet: below the 6-month gate, so no quota (domain.md, Loans).
      expectAnswer: (a) =>
        expect(a).toEqual({
          eligible: false,
          quota: "0.00",
          reasons: expect.arrayContaining(["PAID_MONTHS_BELOW_MINIMUM"]),
        }),
    },
    verifyExchangeLog: {
      args: () => ({}),
      selection: "{ ok checked firstBrokenId }",
      expectAnswer: (a) => expect(a).toEqual({ ok: true, checked: expect.any(Number), firstBrokenId: null }),
    },
  },
  Mutation: {
    enrollWorker: {
      args: () => ({ input: enrolInput() }),
      selection: "{ account { accountNumber status } userErrors { code } }",
      // Account numbers are the center code 140500 and a 10-digit sequence.
      expectAnswer: (a) =>
        expect(a).toEqual({
          account: { accountNumber: expect.stringMatching(/^140500\d{10}$/), status: "ACTIVE" },
          userErrors: [],
        }),
    },
    recordDeposit: {
      args: (f) => ({
        input: {
          accountNumber: f.depositAccountNumber,
          period: "2026-07",
          amount: "1000.00",
          channel: "ACTIVE_PAYMENT",
          paymentRef: key("ref"),
          paidOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { balance paidUpTo } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ account: { balance: "1000.00", paidUpTo: "2026-07" }, userErrors: [] }),
    },
    payLumpSum: {
      args: (f) => ({
        input: {
          accountNumber: f.lumpAccountNumber,
          settlementYear: 2026,
          amount: "12000.00",
          channel: "ACTIVE_PAYMENT",
          paymentRef: key("ref"),
          paidOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { balance paidMonths paidUpTo } userErrors { code } }",
      // Twelve months of 1000.00 for the settlement year 2026 (July 2026 to June 2027).
      expectAnswer: (a) =>
        expect(a).toEqual({ account: { balance: "12000.00", paidMonths: 12, paidUpTo: "2027-06" }, userErrors: [] }),
    },
    setPolicyParameter: {
      args: () => ({
        input: {
          key: "relativesTransfer.enabled",
          value: "false",
          effectiveFrom: "2030-01-01",
          source: "role matrix test",
          idempotencyKey: key(),
        },
      }),
      selection: "{ parameter { key value effectiveFrom } userErrors { code } }",
      expectAnswer: (a) =>
        expect(a).toEqual({
          parameter: { key: "relativesTransfer.enabled", value: "false", effectiveFrom: "2030-01-01" },
          userErrors: [],
        }),
    },
    importBankCollection: {
      args: () => ({ csv: "paymentRef,accountNumber,period,amount,paidOn,result,reason\n", idempotencyKey: key() }),
      selection: "{ accepted duplicates errors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ accepted: 0, duplicates: 0, errors: [] }),
    },
    claimGraduateSubsidies: {
      args: () => ({ period: "2026-07", idempotencyKey: key() }),
      selection: "{ batch { batchNo } userErrors { code } }",
      // Nobody here is a graduate: a business answer, not a refusal.
      expectAnswer: (a) => expect(a).toEqual({ batch: null, userErrors: [{ code: "NOTHING_TO_CLAIM" }] }),
    },
    withdraw: {
      args: (f) => ({
        input: { accountNumber: f.accountNumber, amount: "1.00", requestedOn: ASOF, idempotencyKey: key() },
      }),
      selection: "{ entries { amount } userErrors { code } }",
      // The worker's own account holds nothing yet: a business refusal, not a permission one.
      expectAnswer: (a) => expect(a).toEqual({ entries: [], userErrors: [{ code: "EXCEEDS_WITHDRAWABLE" }] }),
    },
    exitAgreement: {
      args: () => ({ input: { accountNumber: NO_SUCH_ACCOUNT, requestedOn: ASOF, idempotencyKey: key() } }),
      selection: "{ entries { amount } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ entries: [], userErrors: [{ code: "ACCOUNT_NOT_FOUND" }] }),
    },
    importBankPayouts: {
      args: () => ({ csv: "payoutRef,accountNumber,amount,paidOn,result,reason\n", idempotencyKey: key() }),
      selection: "{ accepted duplicates errors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ accepted: 0, duplicates: 0, errors: [] }),
    },
    settleInterest: {
      // The settlement year 2030 ends on 2031-06-30, long after asOf.
      args: () => ({ settlementYear: 2030, asOf: "2026-07-01", idempotencyKey: key() }),
      selection: "{ settlement { settlementYear } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ settlement: null, userErrors: [{ code: "YEAR_NOT_ENDED" }] }),
    },
    convertAccount: {
      args: () => ({
        input: {
          accountNumber: NO_SUCH_ACCOUNT,
          to: "EMPLOYER",
          employerName: "某公司",
          effectiveOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { accountNumber } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ account: null, userErrors: [{ code: "ACCOUNT_NOT_FOUND" }] }),
    },
    changeDepositPlan: {
      args: () => ({
        input: {
          accountNumber: NO_SUCH_ACCOUNT,
          monthlyAmount: "1000.00",
          depositDay: 10,
          mode: "MONTHLY",
          channel: "ACTIVE_PAYMENT",
          effectiveFrom: "2026-09",
          requestedOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { accountNumber } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ account: null, userErrors: [{ code: "ACCOUNT_NOT_FOUND" }] }),
    },
    receiveTransfer: {
      args: () => ({
        input: {
          contactLetterNo: `440300260720${String(++letterSeq).padStart(4, "0")}`,
          fromCenter: "440300",
          idNumber: freshIdNumber(),
          name: "转入人",
          countyCode: "140502",
          principal: "1000.00",
          interest: "10.00",
          openedMonth: "2020-01",
          paidUpTo: "2026-06",
          lastSixMonthsContinuous: true,
          paidMonths: 60,
          loanCount: 0,
          loanOutstanding: false,
          fraudFlag: false,
          receivedOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { status balance } userErrors { code } }",
      // A person with no account here gets one, SEALED until they enrol, holding principal + interest.
      expectAnswer: (a) => expect(a).toEqual({ account: { status: "SEALED", balance: "1010.00" }, userErrors: [] }),
    },
    transferOut: {
      args: () => ({
        input: { accountNumber: NO_SUCH_ACCOUNT, toCenter: "440300", requestedOn: ASOF, idempotencyKey: key() },
      }),
      selection: "{ account { accountNumber } contactLetterNo entries { amount } userErrors { code } }",
      expectAnswer: (a) =>
        expect(a).toEqual({
          account: null,
          contactLetterNo: null,
          entries: [],
          userErrors: [{ code: "ACCOUNT_NOT_FOUND" }],
        }),
    },
    transferToRelative: {
      args: (f) => ({
        input: {
          fromAccountNumber: f.accountNumber,
          toAccountNumber: f.depositAccountNumber,
          relation: "SPOUSE",
          amount: "1.00",
          requestedOn: ASOF,
          idempotencyKey: key(),
        },
      }),
      selection: "{ account { accountNumber } entries { amount } userErrors { code } }",
      // The policy switch is off by default (domain.md): a business answer, not a refusal.
      expectAnswer: (a) =>
        expect(a).toEqual({ account: null, entries: [], userErrors: [{ code: "FEATURE_DISABLED" }] }),
    },
    importLegacyAccounts: {
      args: () => ({
        csv: "accountNumber,idNumber,name,countyCode,openedMonth,paidUpTo,paidMonths,balance,status\n",
        idempotencyKey: key(),
      }),
      selection: "{ accepted duplicates errors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ accepted: 0, duplicates: 0, errors: [] }),
    },
    recordFraudBan: {
      args: () => ({
        input: {
          idNumber: UNKNOWN_PERSON,
          kind: "WITHDRAWAL_FRAUD",
          decidedOn: ASOF,
          reason: "骗提",
          idempotencyKey: key(),
        },
      }),
      selection: "{ ban { until } userErrors { code } }",
      // A person the center has never seen cannot be banned here (the ban needs a person to hold it).
      expectAnswer: (a) => expect(a).toEqual({ ban: null, userErrors: [{ code: "PERSON_NOT_FOUND" }] }),
    },
    settleGraduateSubsidies: {
      args: () => ({ batchNo: "GS-NO-SUCH-BATCH", idempotencyKey: key() }),
      selection: "{ batch { batchNo } userErrors { code } }",
      expectAnswer: (a) => expect(a).toEqual({ batch: null, userErrors: [{ code: "BATCH_NOT_FOUND" }] }),
    },
  },
};

const schema = buildBareSchema();
const ROLES = Object.values(Role);
const AGENCY: readonly Role[] = [TAX_BUREAU, HOUSING_BUREAU, FINANCE_BUREAU];

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
function documentFor(op: Operation, variables: Record<string, unknown>, selection: string): string {
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
  const picked = isCompositeType(getNamedType(op.field.type)) ? ` ${selection}` : "";
  return `${op.type === "Query" ? "query" : "mutation"} RoleMatrix${declared} { ${op.name}${passed}${picked} }`;
}

let t: TestHub;
let fixture: Fixture;

async function enrol(overrides: Record<string, unknown> = {}): Promise<{ accountNumber: string; idNumber: string }> {
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string; idNumber: string } | null } }>(ENROL, {
    input: enrolInput(overrides),
  });
  return res.body.data!.enrollWorker.account!;
}

beforeAll(async () => {
  t = await startTestHub();
  const own = await enrol();
  fixture = {
    ...own,
    lumpAccountNumber: (await enrol({ mode: "LUMP_SUM" })).accountNumber,
    depositAccountNumber: (await enrol()).accountNumber,
  };
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

function sampleOf(op: Operation): Sample {
  const sample = SAMPLES[op.type][op.name];
  if (!sample) {
    throw new Error(
      `${op.type}.${op.name} has no sample in SAMPLES (tests/integration/auth/role-matrix.test.ts): add its arguments and expected answer`,
    );
  }
  return sample;
}

async function call(op: Operation, options: AsOptions): Promise<{ res: GqlResponse; codes: (string | undefined)[] }> {
  const sample = sampleOf(op);
  const variables = sample.args(fixture);
  const sub = options.as === WORKER ? fixture.accountNumber : undefined; // the worker owns the test account
  const res = await t.gql(documentFor(op, variables, sample.selection), variables, { sub, ...options });
  return { res, codes: errorCodes(res) };
}

/** An allowed role's answer: no error of any kind, and exactly the data the sample expects. */
function expectAnswered(op: Operation, role: Role, res: GqlResponse): void {
  expect({ role, errors: res.body.errors ?? [] }).toEqual({ role, errors: [] });
  sampleOf(op).expectAnswer(res.body.data?.[op.name], fixture, role);
}

function expectForbidden(op: Operation, role: Role, res: GqlResponse, codes: (string | undefined)[]): void {
  expect({ role, codes }).toEqual({ role, codes: ["FORBIDDEN"] });
  expect(res.body.data?.[op.name] ?? null).toBeNull(); // nothing of the answer leaks
}

it("finds the root operations in the schema", () => {
  expect(operations.length).toBeGreaterThanOrEqual(16);
});

describe.each(operations.map((op) => [`${op.type}.${op.name}`, op] as const))("%s", (_label, op) => {
  const allowed = CONTRACT_ROLES[op.type][op.name] ?? [];

  it("is in the contract's role table and has a sample", () => {
    expect({ op: op.name, inContract: allowed.length > 0 }).toEqual({ op: op.name, inContract: true });
    expect(SAMPLES[op.type][op.name]?.expectAnswer).toBeInstanceOf(Function);
  });

  it.each(ROLES)("answers %s as the contract says", async (role) => {
    const { res, codes } = await call(op, { as: role });
    if (allowed.includes(role)) expectAnswered(op, role, res);
    else expectForbidden(op, role, res, codes);
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
    const { res, codes } = await call(op, {
      as: role,
      purpose: null,
      headers: { "x-hub-purpose": "case 2026-0815 role matrix" },
    });
    if (allowed.includes(role)) expectAnswered(op, role, res);
    else expectForbidden(op, role, res, codes);
  });
});
