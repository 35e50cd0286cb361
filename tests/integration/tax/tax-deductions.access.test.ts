// Who may call taxDeductions, what the tax bureau can see (data minimization), and the exchange record of each call.
import { Role } from "../../../src/auth/role";
import {
  askedAndOther,
  EXCHANGE_LOG,
  type ExchangeNode,
  idNumbersIn,
  lastExchangeRecordFor,
  TAX_DEDUCTIONS,
  unknownIdNumbers,
  type Worker,
} from "../../factories/agency-exchange";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let asked: Worker;
let other: Worker;

const OTHER_OPERATIONS = [
  {
    name: "account",
    document: `query A($n: String!) { account(accountNumber: $n) { idNumber name balance } }`,
    variables: () => ({ n: other.accountNumber }),
  },
  {
    name: "accountByIdNumber",
    document: `query B($id: IdNumber!) { accountByIdNumber(idNumber: $id) { idNumber name } }`,
    variables: () => ({ id: other.idNumber }),
  },
  {
    name: "rentalEligibility",
    document: `query R($ids: [IdNumber!]!) { rentalEligibility(idNumbers: $ids, asOf: "2026-08-20") { idNumber consecutiveMonths } }`,
    variables: () => ({ ids: [other.idNumber] }),
  },
  {
    name: "exchangeLog",
    document: `{ exchangeLog(first: 50) { edges { node { consumerSub operation } } } }`,
    variables: () => ({}),
  },
];

beforeAll(async () => {
  t = await startTestHub();
  ({ asked, other } = await askedAndOther(t));
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("taxDeductions access", () => {
  it.each(Object.values(Role).filter((r) => r !== Role.TAX_BUREAU))(
    "refuses %s with FORBIDDEN and no data",
    async (role) => {
      const res = await t.gql(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: [asked.idNumber] }, { as: role });
      expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
      expect(res.body.data ?? null).toBeNull();
    },
  );

  it("refuses an anonymous call and a tax bureau call without a purpose with UNAUTHENTICATED", async () => {
    const anonymous = await t.gql(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: [asked.idNumber] }, { as: null });
    const noPurpose = await t.gql(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: [asked.idNumber] },
      { as: "TAX_BUREAU", purpose: null },
    );
    expect([errorCodes(anonymous), errorCodes(noPurpose)]).toEqual([["UNAUTHENTICATED"], ["UNAUTHENTICATED"]]);
  });

  it("records each call in the exchange log with its purpose, the persons asked and the answers given", async () => {
    const [stranger] = unknownIdNumbers(1);
    const purpose = "个税专项扣除核验 2026-T-0042";
    const res = await t.gql(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: [asked.idNumber, stranger!, asked.idNumber] },
      { as: "TAX_BUREAU", purpose },
    );
    expect(errorCodes(res)).toEqual([]);
    const expected = {
      consumerRole: "TAX_BUREAU",
      operation: "taxDeductions",
      purpose,
      subjectCount: 2,
      resultSize: 3,
      outcome: "OK",
    };
    expect(await lastExchangeRecordFor(t, asked.idNumber)).toEqual(expected);
    expect(await lastExchangeRecordFor(t, stranger!)).toEqual(expected);
  });

  it("records a refused call too, as touching nobody", async () => {
    await t.gql(
      TAX_DEDUCTIONS,
      { taxYear: 2026, idNumbers: unknownIdNumbers(501) },
      { as: "TAX_BUREAU", purpose: "too many" },
    );
    const res = await t.gql<{ exchangeLog: { edges: { node: ExchangeNode }[] } }>(
      EXCHANGE_LOG,
      { first: 1 },
      { as: "AUDITOR" },
    );
    expect(res.body.data!.exchangeLog.edges[0]!.node).toEqual({
      consumerRole: "TAX_BUREAU",
      operation: "taxDeductions",
      purpose: "too many",
      subjectCount: 0,
      resultSize: 0,
      outcome: "ERROR",
    });
  });
});

describe("what the tax bureau sees", () => {
  it("never returns an ID number it did not ask about", async () => {
    const idsAsked = [asked.idNumber, ...unknownIdNumbers(3)];
    const res = await t.gql(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: idsAsked }, { as: "TAX_BUREAU" });
    const json = JSON.stringify(res.body);
    expect(json).toContain("1000.00");
    expect(idNumbersIn(json).filter((id) => !idsAsked.includes(id))).toEqual([]);
    expect(json).not.toContain(other.idNumber);
  });

  it("sees only the fields of TaxDeduction: asking for more is refused", async () => {
    const res = await t.gql(
      `query { taxDeductions(taxYear: 2026, idNumbers: ["${asked.idNumber}"]) { idNumber name balance } }`,
      {},
      { as: "TAX_BUREAU" },
    );
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT"]);
    expect(res.body.data ?? null).toBeNull();
  });

  it.each(OTHER_OPERATIONS.map((op) => [op.name, op] as const))("cannot read %s", async (_name, op) => {
    const res = await t.gql(op.document, op.variables(), { as: "TAX_BUREAU" });
    expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
    expect(idNumbersIn(JSON.stringify(res.body))).toEqual([]);
  });
});
