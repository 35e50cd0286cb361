// Who may call rentalEligibility, what the housing bureau can see (data minimization), and the exchange record of each call.
import { Role } from "../../../src/auth/role";
import {
  askedAndOther,
  EXCHANGE_LOG,
  type ExchangeNode,
  idNumbersIn,
  lastExchangeRecordFor,
  RENTAL_ELIGIBILITY,
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
    name: "taxDeductions",
    document: `query T($ids: [IdNumber!]!) { taxDeductions(taxYear: 2026, idNumbers: $ids) { idNumber paidAmount } }`,
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

describe("rentalEligibility access", () => {
  it.each(Object.values(Role).filter((r) => r !== Role.HOUSING_BUREAU))(
    "refuses %s with FORBIDDEN and no data",
    async (role) => {
      const res = await t.gql(RENTAL_ELIGIBILITY, { idNumbers: [asked.idNumber], asOf: "2026-07-20" }, { as: role });
      expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
      expect(res.body.data ?? null).toBeNull();
    },
  );

  it("refuses an anonymous call and a housing bureau call without a purpose with UNAUTHENTICATED", async () => {
    const anonymous = await t.gql(
      RENTAL_ELIGIBILITY,
      { idNumbers: [asked.idNumber], asOf: "2026-07-20" },
      { as: null },
    );
    const noPurpose = await t.gql(
      RENTAL_ELIGIBILITY,
      { idNumbers: [asked.idNumber], asOf: "2026-07-20" },
      { as: "HOUSING_BUREAU", purpose: null },
    );
    expect([errorCodes(anonymous), errorCodes(noPurpose)]).toEqual([["UNAUTHENTICATED"], ["UNAUTHENTICATED"]]);
  });

  it("records each call in the exchange log with its purpose, the persons asked and the answers given", async () => {
    const [stranger] = unknownIdNumbers(1);
    const purpose = "公租房资格审核 2026-H-0815";
    const res = await t.gql(
      RENTAL_ELIGIBILITY,
      { idNumbers: [asked.idNumber, stranger!, asked.idNumber], asOf: "2026-07-20" },
      { as: "HOUSING_BUREAU", purpose },
    );
    expect(errorCodes(res)).toEqual([]);
    const expected = {
      consumerRole: "HOUSING_BUREAU",
      operation: "rentalEligibility",
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
      RENTAL_ELIGIBILITY,
      { idNumbers: unknownIdNumbers(501), asOf: "2026-07-20" },
      { as: "HOUSING_BUREAU", purpose: "too many" },
    );
    const res = await t.gql<{ exchangeLog: { edges: { node: ExchangeNode }[] } }>(
      EXCHANGE_LOG,
      { first: 1 },
      { as: "AUDITOR" },
    );
    expect(res.body.data!.exchangeLog.edges[0]!.node).toEqual({
      consumerRole: "HOUSING_BUREAU",
      operation: "rentalEligibility",
      purpose: "too many",
      subjectCount: 0,
      resultSize: 0,
      outcome: "ERROR",
    });
  });
});

describe("what the housing bureau sees", () => {
  it("never returns an ID number it did not ask about", async () => {
    const idsAsked = [asked.idNumber, ...unknownIdNumbers(3)];
    const res = await t.gql(RENTAL_ELIGIBILITY, { idNumbers: idsAsked, asOf: "2026-07-20" }, { as: "HOUSING_BUREAU" });
    const json = JSON.stringify(res.body);
    expect(json).toContain("NOT_ENROLLED");
    expect(idNumbersIn(json).filter((id) => !idsAsked.includes(id))).toEqual([]);
    expect(json).not.toContain(other.idNumber);
  });

  it("sees only the fields of RentalEligibility: asking for more is refused", async () => {
    const res = await t.gql(
      `query { rentalEligibility(idNumbers: ["${asked.idNumber}"], asOf: "2026-07-20") { idNumber name balance } }`,
      {},
      { as: "HOUSING_BUREAU" },
    );
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT"]);
    expect(res.body.data ?? null).toBeNull();
  });

  it.each(OTHER_OPERATIONS.map((op) => [op.name, op] as const))("cannot read %s", async (_name, op) => {
    const res = await t.gql(op.document, op.variables(), { as: "HOUSING_BUREAU" });
    expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
    expect(idNumbersIn(JSON.stringify(res.body))).toEqual([]);
  });
});
