import { ENROL, enrolInput, freshIdNumber } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, sqlOutsideHub, startTestHub, type TestHub } from "../../helpers/test-hub";

type Page = {
  edges: {
    node: {
      id: string;
      consumerRole: string;
      consumerSub: string;
      operation: string;
      purpose: string | null;
      subjectCount: number;
      outcome: string;
      hash: string;
      prevHash: string;
    };
  }[];
};

let t: TestHub;
let accountNumber: string;
let idNumber: string;

const LOG = `query Log($idNumber: IdNumber, $first: Int) { exchangeLog(idNumber: $idNumber, first: $first) { edges { node { id consumerRole consumerSub operation purpose subjectCount outcome hash prevHash } } pageInfo { hasNextPage endCursor } } }`;
const VERIFY = `{ verifyExchangeLog { ok checked firstBrokenId } }`;
const MINE = `{ myDataAccess { edges { node { consumerRole consumerSub operation purpose } } } }`;
const LOOKUP = `query A($n: String!) { account(accountNumber: $n) { balance } }`;

const sql = (statement: string) => sqlOutsideHub(t, statement);

beforeAll(async () => {
  t = await startTestHub();
  idNumber = freshIdNumber();
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput({ idNumber }),
  });
  accountNumber = res.body.data!.enrollWorker.account.accountNumber;
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("the exchange log", () => {
  it("records a center read of a person, findable by that person's ID number", async () => {
    await t.gql(LOOKUP, { n: accountNumber }, { as: "CENTER_ADMIN", sub: "admin-42" });
    const res = await t.gql<{ exchangeLog: Page }>(LOG, { idNumber }, { as: "AUDITOR" });
    const ops = res.body.data!.exchangeLog.edges.map((e) => `${e.node.consumerSub}:${e.node.operation}`);
    // The enrolment's national check is recorded as the operator's (outbound-exchange.ts), before its write.
    expect(ops).toEqual(["admin-42:account", "center_operator-test:enrollWorker", "center_operator-test:checkPerson"]);
    expect(res.body.data!.exchangeLog.edges[0]!.node).toMatchObject({
      consumerRole: "CENTER_ADMIN",
      subjectCount: 1,
      outcome: "OK",
    });
  });

  it("shows a worker who read their data, and does not record the worker's own reads", async () => {
    await t.gql(LOOKUP, { n: accountNumber }, { as: "WORKER", sub: accountNumber });
    const res = await t.gql<{ myDataAccess: Page }>(MINE, {}, { as: "WORKER", sub: accountNumber });
    const subs = res.body.data!.myDataAccess.edges.map((e) => e.node.consumerSub);
    expect(subs).toContain("admin-42");
    expect(subs).not.toContain(accountNumber);
  });

  it("records an agency call refused for its role, with its purpose", async () => {
    const refused = await t.gql(LOOKUP, { n: accountNumber }, { as: "TAX_BUREAU", purpose: "案件 2026-001" });
    expect(errorCodes(refused)).toEqual(["FORBIDDEN"]);
    const log = await t.gql<{ exchangeLog: Page }>(LOG, { first: 1 }, { as: "AUDITOR" });
    expect(log.body.data!.exchangeLog.edges[0]!.node).toMatchObject({
      consumerRole: "TAX_BUREAU",
      operation: "account",
      purpose: "案件 2026-001",
      outcome: "ERROR",
      subjectCount: 0,
    });
  });

  it("keeps one unbroken chain under concurrent requests", async () => {
    const before = (await t.gql<{ verifyExchangeLog: { checked: number } }>(VERIFY, {}, { as: "AUDITOR" })).body.data!
      .verifyExchangeLog.checked;
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.gql(LOOKUP, { n: accountNumber }, { as: "CENTER_OPERATOR", sub: `op-${i}` }),
      ),
    );
    const res = await t.gql<{ verifyExchangeLog: { ok: boolean; checked: number; firstBrokenId: string | null } }>(
      VERIFY,
      {},
      { as: "AUDITOR" },
    );
    expect(res.body.data!.verifyExchangeLog).toEqual({ ok: true, checked: before + 60, firstBrokenId: null });
    const log = await t.gql<{ exchangeLog: Page }>(LOG, { first: 61 }, { as: "AUDITOR" });
    const nodes = log.body.data!.exchangeLog.edges.map((e) => e.node);
    for (let i = 0; i + 1 < nodes.length; i++) expect(nodes[i]!.prevHash).toBe(nodes[i + 1]!.hash);
  });

  it("reports the id of a record edited through SQL", async () => {
    const log = await t.gql<{ exchangeLog: Page }>(LOG, { first: 5 }, { as: "AUDITOR" });
    const victim = log.body.data!.exchangeLog.edges[3]!.node.id;
    await sql(`UPDATE exchange_record SET purpose = 'rewritten' WHERE id = ${Number(victim)}`);
    const res = await t.gql<{ verifyExchangeLog: { ok: boolean; firstBrokenId: string | null } }>(
      VERIFY,
      {},
      { as: "AUDITOR" },
    );
    expect(res.body.data!.verifyExchangeLog).toMatchObject({ ok: false, firstBrokenId: victim });
  });

  it("is readable by the auditor only, and the tracker by the worker only", async () => {
    for (const role of ["CENTER_ADMIN", "CENTER_OPERATOR", "LEADERSHIP", "WORKER", "TAX_BUREAU"] as const) {
      expect(errorCodes(await t.gql(LOG, {}, { as: role }))).toEqual(["FORBIDDEN"]);
      expect(errorCodes(await t.gql(VERIFY, {}, { as: role }))).toEqual(["FORBIDDEN"]);
    }
    for (const role of ["CENTER_ADMIN", "AUDITOR", "HOUSING_BUREAU"] as const)
      expect(errorCodes(await t.gql(MINE, {}, { as: role }))).toEqual(["FORBIDDEN"]);
  });
});
