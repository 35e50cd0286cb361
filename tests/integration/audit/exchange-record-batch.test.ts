// A batch of exchange records is one statement (decision 031): every record with its own subject keys (a duplicate
// key once, none for a record that touched nobody), ids in the order of the batch, and nothing at all when one record
// of the batch is refused.
import type { ExchangeEntry } from "../../../src/services/audit/exchange-log.writer";
import { insertExchangeRecords } from "../../../src/services/audit/exchange-record.insert";
import { startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
}, 120_000);
afterAll(async () => {
  await t.close();
});

const key = (c: string) => c.repeat(64);

function entry(requestId: string, subjectKeys: string[], outcome: "OK" | "ERROR" = "OK"): ExchangeEntry {
  return {
    at: new Date("2026-12-02T10:00:00.000Z"),
    consumerRole: "HOUSING_BUREAU",
    consumerOrg: "housing-140500",
    consumerSub: "batch-test",
    operation: "rentalEligibility",
    purpose: "公租房资格审核",
    requestId,
    subjectKeys,
    subjectCount: new Set(subjectKeys).size,
    resultSize: subjectKeys.length,
    outcome,
  };
}

async function stored(prefix: string) {
  return t.hub.db.prisma.$queryRawUnsafe<
    { request_id: string; id: string; subject_count: number; outcome: string; keys: string[] | null }[]
  >(
    `SELECT r.request_id, r.id::text AS id, r.subject_count, r.outcome,
            (SELECT array_agg(s.subject_key::text ORDER BY s.subject_key) FROM exchange_subject s WHERE s.record_id = r.id) AS keys
       FROM exchange_record r WHERE r.request_id LIKE $1 ORDER BY r.id`,
    `${prefix}%`,
  );
}

it("writes each record of a batch with its own subject keys, ids in the batch's order", async () => {
  await insertExchangeRecords(t.hub.db.sql.client, [
    entry("batch-a-1", [key("b"), key("a")]),
    entry("batch-a-2", []),
    entry("batch-a-3", [key("c"), key("c")], "ERROR"),
  ]);
  const rows = await stored("batch-a-");
  expect(rows.map((r) => [r.request_id, r.subject_count, r.outcome, r.keys])).toEqual([
    ["batch-a-1", 2, "OK", [key("a"), key("b")]],
    ["batch-a-2", 0, "OK", null],
    ["batch-a-3", 1, "ERROR", [key("c")]],
  ]);
  const ids = rows.map((r) => BigInt(r.id));
  expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
});

it("writes nothing of a batch when one record is refused", async () => {
  const refused = { ...entry("batch-b-2", [key("e")]), resultSize: 3_000_000_000 }; // result_size is an int
  await expect(insertExchangeRecords(t.hub.db.sql.client, [entry("batch-b-1", [key("d")]), refused])).rejects.toThrow();
  expect(await stored("batch-b-")).toEqual([]);
});
