// Issue 11, finding 5: a line without end used to be buffered whole until the process died. The streamed import
// now stops at the first line over 4,096 characters and answers 413 with a JSON error (what came before is
// imported and recorded); the GraphQL import refuses such a file before importing anything.
import { request } from "node:http";

import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

const HEADER = "paymentRef,accountNumber,period,amount,paidOn,result,reason\n";

/** Streams HEADER then `megabytes` MB of one endless line; resolves with the answer as soon as the hub gives one. */
async function endlessLine(
  megabytes: number,
  key: string,
): Promise<{ status: number; body: Record<string, unknown>; sentMb: number }> {
  const token = await t.token("CENTER_OPERATOR");
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    let sentMb = 0;
    let answered = false;
    const req = request(
      {
        host: hostname,
        port,
        method: "POST",
        path: "/imports/bank-collection",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/csv", "idempotency-key": key },
      },
      (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown>, sentMb }),
        );
      },
    );
    req.on("error", (e) => (answered ? undefined : reject(e)));
    const mb = "x".repeat(1024 * 1024);
    req.write(HEADER);
    const pump = () => {
      while (!answered && sentMb < megabytes) {
        sentMb++;
        if (!req.write(mb)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

it("answers a 64 MB line without end with 413 and a JSON error, having read only a little of it", async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const res = await endlessLine(64, "endless-line-1");
  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({
    errors: [{ extensions: { code: "BAD_USER_INPUT", reason: "LINE_TOO_LONG", line: 2 } }],
    result: { accepted: 0, rows: 0 },
  });
  expect(res.sentMb).toBeLessThan(64);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  // Still serving, and the refused import left its exchange record (nothing unrecorded).
  await t.hub.services.exchangeLog.drain();
  expect(await t.hub.db.prisma.exchangeRecord.count({ where: { operation: "importBankCollection" } })).toBe(1);
  expect((await t.gql(`{ policyParameters(asOf: "2026-07-20") { key } }`)).status).toBe(200);
});

it("refuses a GraphQL import with a line over 4,096 characters before importing anything", async () => {
  const csv = `${HEADER}P-1,1405000000000001,2026-07,1000.00,2026-07-10,SUCCESS,${"r".repeat(5000)}\n`;
  const res = await t.gql<{ importBankCollection: unknown }>(
    `mutation($csv: String!, $key: String!) { importBankCollection(csv: $csv, idempotencyKey: $key) { accepted } }`,
    { csv, key: "long-line-gql-1" },
  );
  expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  expect(res.body.errors![0]!.message).toMatch(/第2行超过 4096 个字符/);
  expect(await t.hub.db.prisma.idempotencyRecord.count({ where: { key: "long-line-gql-1" } })).toBe(0);
});
