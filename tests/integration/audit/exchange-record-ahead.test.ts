// An agency read whose persons are named in its arguments has its exchange record sent with the read, not after it
// (decision 047). What must still hold: the answer leaves only once that record is committed; a read that fails after
// its record was sent is followed by an ERROR record of the same request; a request of several fields gets one record
// after its reads, as before; the batches of the writer in flight stay bounded and every record lands.

import type { SqlTx } from "../../../src/db/driver-sql";
import {
  type ExchangeEntry,
  ExchangeLogWriter,
  MAX_FLUSHES_IN_FLIGHT,
} from "../../../src/services/audit/exchange-log.writer";
import { askedAndOther, RENTAL_ELIGIBILITY, TAX_DEDUCTIONS, type Worker } from "../../factories/agency-exchange";
import { errorCodes, expectLedgerBalanced, sqlOutsideHub, startTestHub, type TestHub } from "../../helpers/test-hub";

type RecordRow = { operation: string; outcome: string; subject_count: number; result_size: number; seq: bigint | null };

let t: TestHub;
let asked: Worker;
let other: Worker;

const sql = (statement: string) => sqlOutsideHub(t, statement);

const recordsOf = async (requestId: string) => {
  await t.hub.services.exchangeLog.drain();
  return t.hub.db.prisma.$queryRaw<RecordRow[]>`
    SELECT operation, outcome, subject_count, result_size, seq FROM exchange_record
    WHERE request_id = ${requestId} ORDER BY id`;
};
const shape = (rows: RecordRow[]) => rows.map(({ seq: _seq, ...r }) => r);

beforeAll(async () => {
  t = await startTestHub();
  ({ asked, other } = await askedAndOther(t));
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

// First in the file: the hub has not prepared the rental statement yet, so a renamed table makes the read fail.
describe("a read that fails after its record was sent", () => {
  it("keeps the record sent ahead and follows it with an ERROR record of the same request", async () => {
    await sql(`ALTER TABLE deposit_plan RENAME TO deposit_plan_away`);
    let res;
    try {
      res = await t.gql(
        RENTAL_ELIGIBILITY,
        { idNumbers: [asked.idNumber], asOf: "2026-07-20" },
        { as: "HOUSING_BUREAU" },
      );
    } finally {
      await sql(`ALTER TABLE deposit_plan_away RENAME TO deposit_plan`);
    }
    expect(errorCodes(res)).toEqual(["INTERNAL_SERVER_ERROR"]);
    expect(res.body.data ?? null).toBeNull();
    expect(shape(await recordsOf(res.requestId))).toEqual([
      { operation: "rentalEligibility", outcome: "OK", subject_count: 1, result_size: 1 },
      { operation: "rentalEligibility", outcome: "ERROR", subject_count: 1, result_size: 0 },
    ]);
  });
});

describe("a one-field agency read", () => {
  it.each([
    ["rentalEligibility", RENTAL_ELIGIBILITY, "HOUSING_BUREAU", { asOf: "2026-07-20" }],
    ["taxDeductions", TAX_DEDUCTIONS, "TAX_BUREAU", { taxYear: 2026 }],
  ] as const)("%s has exactly one record: OK, the persons asked, one answer each", async (operation, doc, as, vars) => {
    const res = await t.gql(doc, { idNumbers: [asked.idNumber, other.idNumber, asked.idNumber], ...vars }, { as });
    expect(errorCodes(res)).toEqual([]);
    expect(shape(await recordsOf(res.requestId))).toEqual([
      { operation, outcome: "OK", subject_count: 2, result_size: 3 },
    ]);
  });

  it("sends nothing ahead for a request refused before its read: one ERROR record, touching nobody", async () => {
    const res = await t.gql(TAX_DEDUCTIONS, { idNumbers: [asked.idNumber], taxYear: 1800 }, { as: "TAX_BUREAU" });
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(shape(await recordsOf(res.requestId))).toEqual([
      { operation: "taxDeductions", outcome: "ERROR", subject_count: 0, result_size: 0 },
    ]);
  });

  it("withholds the answer when the record sent ahead is refused, and only that answer", async () => {
    // The database refuses the record of one consumer: its read must not be answered, a neighbour's must.
    await sql(`CREATE FUNCTION refuse_ahead_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.consumer_sub = 'refused-sub' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await sql(`CREATE TRIGGER refuse_ahead_test BEFORE INSERT ON exchange_record
      FOR EACH ROW EXECUTE FUNCTION refuse_ahead_test()`);
    let refused, neighbour;
    try {
      const variables = { idNumbers: [asked.idNumber], asOf: "2026-07-20" };
      [refused, neighbour] = await Promise.all([
        t.gql(RENTAL_ELIGIBILITY, variables, { as: "HOUSING_BUREAU", sub: "refused-sub" }),
        t.gql(RENTAL_ELIGIBILITY, variables, { as: "HOUSING_BUREAU", sub: "neighbour-sub" }),
      ]);
    } finally {
      await sql(`DROP TRIGGER refuse_ahead_test ON exchange_record`);
      await sql(`DROP FUNCTION refuse_ahead_test()`);
    }
    expect(refused.status).toBe(500);
    expect(refused.body).toEqual({
      errors: [{ message: "服务器内部错误 internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    });
    expect(await recordsOf(refused.requestId)).toEqual([]);
    expect(errorCodes(neighbour)).toEqual([]);
    expect(JSON.stringify(neighbour.body.data)).toContain(asked.idNumber);
    expect(shape(await recordsOf(neighbour.requestId))).toEqual([
      { operation: "rentalEligibility", outcome: "OK", subject_count: 1, result_size: 1 },
    ]);
  });
});

describe("a read of two fields", () => {
  it("gets one record after its reads, naming every person both fields asked about", async () => {
    const res = await t.gql(
      `query($a: [IdNumber!]!, $b: [IdNumber!]!) {
        first: rentalEligibility(idNumbers: $a, asOf: "2026-07-20") { idNumber }
        second: rentalEligibility(idNumbers: $b, asOf: "2026-07-20") { idNumber }
      }`,
      { a: [asked.idNumber], b: [other.idNumber] },
      { as: "HOUSING_BUREAU" },
    );
    expect(errorCodes(res)).toEqual([]);
    expect(shape(await recordsOf(res.requestId))).toEqual([
      { operation: "rentalEligibility", outcome: "OK", subject_count: 2, result_size: 2 },
    ]);
  });
});

describe("the exchange log writer", () => {
  it(`keeps at most ${MAX_FLUSHES_IN_FLIGHT} batches in flight and writes every record once`, async () => {
    const db = t.hub.db.sql.client;
    let inFlight = 0;
    let most = 0;
    let statements = 0;
    // The hub's own SQL client, counting the batch statements that are running at once.
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "$executeRaw" || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          statements++;
          most = Math.max(most, ++inFlight);
          try {
            // Held for a few turns of the event loop, as a busy database would: later appends find it in flight.
            for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inFlight--;
          }
        };
      },
    }) as SqlTx;
    const writer = new ExchangeLogWriter(counting);
    const entry = (n: number): ExchangeEntry => ({
      at: new Date(),
      consumerRole: "TAX_BUREAU",
      consumerOrg: "tax-140500",
      consumerSub: "writer-test",
      operation: "taxDeductions",
      purpose: "写入测试",
      requestId: `writer-bound-${n}`,
      subjectKeys: [],
      subjectCount: 0,
      resultSize: 0,
      outcome: "OK",
    });
    // Appends spread over many turns of the event loop, so that batches overlap.
    const appended: Promise<void>[] = [];
    for (let n = 0; n < 300; n++) {
      appended.push(writer.append(entry(n)));
      if (n % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(appended);
    await writer.close();
    const [stored] = await t.hub.db.prisma.$queryRaw<{ n: bigint; distinct: bigint }[]>`
      SELECT count(*) AS n, count(DISTINCT request_id) AS distinct FROM exchange_record WHERE request_id LIKE 'writer-bound-%'`;
    expect({ n: Number(stored!.n), distinct: Number(stored!.distinct) }).toEqual({ n: 300, distinct: 300 });
    expect(writer.appended).toBe(300);
    expect(statements).toBeGreaterThan(1);
    expect(most).toBe(MAX_FLUSHES_IN_FLIGHT);
  });
});
