// GET /metrics (Prometheus text format) after a few real requests: the request counter and the per-operation
// latency histograms carry them, the breaker gauges name each connector, the queue depths are the database's, the
// pool figures are there on PostgreSQL; a scrape without a token is refused (401), with another role's too (403).
import { ENROL, enrolInput, key, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  // The outbox would deliver the enrolment's message at any moment; stopped, the pending count is known.
  await t.hub.outbox.stop();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

async function scrape(role?: "CENTER_ADMIN" | "CENTER_OPERATOR" | "LEADERSHIP") {
  const headers: Record<string, string> = role ? { authorization: `Bearer ${await t.token(role)}` } : {};
  const res = await fetch(`${t.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** The value of one series line, e.g. `hub_queue_depth{queue="outbox_pending"}`; undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("refuses a scrape without a token, and with a role other than CENTER_ADMIN", async () => {
  expect(await scrape()).toMatchObject({ status: 401, text: expect.stringContaining("UNAUTHENTICATED") });
  expect(await scrape("CENTER_OPERATOR")).toMatchObject({ status: 403, text: expect.stringContaining("FORBIDDEN") });
  expect(await scrape("LEADERSHIP")).toMatchObject({ status: 403 });
  const res = await fetch(`${t.url}/metrics`, { headers: { authorization: "Bearer not-a-token" } });
  expect(res.status).toBe(401);
});

it("shows the requests, the operations' latency, breakers, queues and pool after some requests", async () => {
  const enrolled = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput(),
  });
  const accountNumber = enrolled.body.data!.enrollWorker.account.accountNumber;
  for (const period of ["2026-08", "2026-09"]) {
    const input = {
      accountNumber,
      period,
      amount: "1000.00",
      channel: "ACTIVE_PAYMENT",
      paymentRef: key("PAY"),
      paidOn: `${period}-10`,
      idempotencyKey: key("dep"),
    };
    expect((await t.gql(RECORD, { input })).status).toBe(200);
  }
  const read = `query A($n: String!) { account(accountNumber: $n) { balance } }`;
  for (let i = 0; i < 3; i++) expect((await t.gql(read, { n: accountNumber })).status).toBe(200);
  // A query that does not validate is timed under "(invalid)" with outcome error.
  expect((await t.gql(`{ noSuchField }`)).status).toBe(400);
  await fetch(`${t.url}/healthz`);
  await fetch(`${t.url}/no/such/path`);

  const { status, type, text } = await scrape("CENTER_ADMIN");
  expect(status).toBe(200);
  expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
  // Requests before this scrape: 1 enrolment + 2 deposits + 3 reads + 1 invalid = 7 on /graphql (all POST) …
  expect(value(text, `hub_http_requests_total{route="/graphql",method="POST",status="200"}`)).toBe(6);
  expect(value(text, `hub_http_requests_total{route="/graphql",method="POST",status="400"}`)).toBe(1);
  expect(value(text, `hub_http_requests_total{route="/healthz",method="GET",status="200"}`)).toBe(1);
  expect(value(text, `hub_http_requests_total{route="other",method="GET",status="404"}`)).toBe(1);
  // … the four refused scrapes of the first test (the hub is shared by this file).
  expect(value(text, `hub_http_requests_total{route="/metrics",method="GET",status="401"}`)).toBe(2);
  expect(value(text, `hub_http_requests_total{route="/metrics",method="GET",status="403"}`)).toBe(2);
  // Per operation: counts, and the +Inf bucket equals the count.
  const ops = (op: string, type: string, outcome: string) =>
    value(text, `hub_graphql_operation_duration_seconds_count{operation="${op}",type="${type}",outcome="${outcome}"}`);
  expect(ops("enrollWorker", "mutation", "ok")).toBe(1);
  expect(ops("recordDeposit", "mutation", "ok")).toBe(2);
  expect(ops("account", "query", "ok")).toBe(3);
  expect(ops("(invalid)", "unknown", "error")).toBe(1);
  expect(
    value(
      text,
      `hub_graphql_operation_duration_seconds_bucket{le="+Inf",operation="recordDeposit",type="mutation",outcome="ok"}`,
    ),
  ).toBe(2);
  expect(value(text, `hub_http_request_duration_seconds_count{route="/graphql"}`)).toBe(7);
  // Every connector's breaker is closed (0).
  for (const connector of ["national-platform", "finance", "credit"])
    expect(value(text, `hub_connector_breaker_state{connector="${connector}"}`)).toBe(0);
  // The enrolment's registration waits in the stopped outbox; every exchange record is written.
  expect(value(text, `hub_queue_depth{queue="outbox_pending"}`)).toBe(1);
  expect(value(text, `hub_queue_depth{queue="exchange_write_queue"}`)).toBe(0);
  expect(value(text, `hub_queue_depth{queue="exchange_unchained"}`)).toEqual(expect.any(Number));
  expect(value(text, `hub_queue_depth{queue="metric_deltas"}`)).toEqual(expect.any(Number));
  expect(value(text, "hub_outbox_oldest_pending_seconds")).toBeGreaterThanOrEqual(0);
  // The pool: only PostgreSQL has one (PGlite is one connection inside the process); the test pool holds 20.
  if (t.database.kind === "postgres") {
    expect(value(text, `hub_db_pool_connections{state="max"}`)).toBe(20);
    expect(value(text, `hub_db_pool_connections{state="total"}`)).toBeGreaterThan(0);
    expect(value(text, "hub_db_pool_waiting")).toBe(0);
    // The read lanes (decision 045): each of the three account reads went on a lane, or to the pool while the lanes
    // were still opening; none failed and none is in flight.
    const lanes = (path: string) => value(text, `hub_db_read_lane_reads_total{path="${path}"}`)!;
    expect(lanes("lane") + lanes("overflow")).toBeGreaterThanOrEqual(3);
    expect(lanes("retried")).toBe(0);
    expect(value(text, `hub_db_read_lanes{state="reads_in_flight"}`)).toBe(0);
    expect(value(text, `hub_db_read_lanes{state="open"}`)).toBeLessThanOrEqual(4);
  } else {
    expect(text).not.toContain("hub_db_pool_connections");
    expect(text).not.toContain("hub_db_read_lane");
  }
  // Node's own figures (event loop delay, heap) come with prom-client's defaults.
  expect(text).toContain("nodejs_eventloop_lag_seconds");
});
