// Issue 11, finding 7: slow and greedy clients. A slowloris (1 byte every 200 ms) on the headers or on a GraphQL
// body is disconnected, a stalled body is cut at the idle timeout, connections over the cap are closed at once,
// and the hub keeps serving everyone else. The limits are made small here so the test waits on events briefly.
import { connect, type Socket } from "node:net";

import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({
    connectionLimits: {
      maxConnections: 8,
      headersTimeoutMs: 1000,
      bodyIdleTimeoutMs: 800,
      graphqlBodyTimeoutMs: 1500,
      checkIntervalMs: 200,
    },
  });
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

interface Conn {
  socket: Socket;
  /** Resolves when the server closes the connection, with everything it sent. */
  closed: Promise<string>;
}

function open(): Promise<Conn> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (got += d));
    const closed = new Promise<string>((done) => socket.on("close", () => done(got)));
    socket.once("error", () => undefined);
    socket.once("connect", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}

/** Sends `text` one byte every 200 ms until the connection closes; returns what the server sent and bytes sent. */
async function drip(conn: Conn, text: string): Promise<{ answer: string; sent: number }> {
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < text.length && !conn.socket.destroyed) conn.socket.write(text[sent++]!);
  }, 200);
  const answer = await conn.closed;
  clearInterval(timer);
  return { answer, sent };
}

async function expectStillServing(): Promise<void> {
  const res = await t.gql<{ policyParameters: unknown[] }>(`{ policyParameters(asOf: "2026-07-20") { key } }`);
  expect(res.status).toBe(200);
  expect(res.body.data!.policyParameters.length).toBeGreaterThan(10);
}

it("disconnects a slowloris on the headers (1 byte every 200 ms) with 408 at the header deadline", async () => {
  const conn = await open();
  const headers = `GET /healthz HTTP/1.1\r\nHost: x\r\n${"X-Slow: aaaaaaaaaaaaaaaaaaaa\r\n".repeat(20)}\r\n`;
  const { answer, sent } = await drip(conn, headers);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(sent).toBeLessThan(headers.length); // cut off long before the headers were complete
  await expectStillServing();
});

it("disconnects a GraphQL body sent 1 byte every 200 ms at the body deadline", async () => {
  const conn = await open();
  const body = JSON.stringify({ query: `{ policyParameters(asOf: "2026-07-20") { key } }` }).padEnd(400, " ");
  conn.socket.write(
    `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const { answer, sent } = await drip(conn, body);
  expect(answer).toBe("");
  expect(sent).toBeLessThan(body.length);
  await expectStillServing();
});

it("disconnects a streamed import whose body stalls past the idle timeout, having imported nothing", async () => {
  const conn = await open();
  const token = await t.token("CENTER_OPERATOR");
  conn.socket.write(
    `POST /imports/bank-collection HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/csv\r\n` +
      `Idempotency-Key: stalled-import-1\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const header = "paymentRef,accountNumber,period,amount,paidOn,result,reason\n";
  conn.socket.write(`${header.length.toString(16)}\r\n${header}\r\n`); // then nothing more
  await conn.closed;
  expect(await t.hub.db.prisma.idempotencyRecord.count({ where: { key: "stalled-import-1" } })).toBe(0);
  await expectStillServing();
});

it("closes connections over the cap at once and serves again when they are gone", async () => {
  const conns: Conn[] = [];
  for (let i = 0; i < 9; i++) conns.push(await open());
  // The first connection the server closes is one over the cap: closed without a byte, before any header deadline.
  const first = await Promise.race(conns.map((c, i) => c.closed.then((answer) => ({ i, answer }))));
  expect(first.answer).toBe("");
  for (const c of conns) c.socket.destroy();
  await Promise.all(conns.map((c) => c.closed));
  await expectStillServing();
});
