// The read lanes (src/db/read-lanes.ts, decision 045): short reads multiplexed onto a few pipelined connections.
// PostgreSQL only: on PGlite (one session behind Prisma) there is no pool and no lane, and every read is Prisma's.
// Waits are on events (a lock the server reports as awaited, a lane the test saw open), never on a clock; the only
// timers are the statement limits under test, and one pause that staggers reads (said where it is).
import { Pool } from "pg";

import { isDatabaseUnavailable } from "../../../src/db/database-unavailable";
import { type LaneReads, laneReads, SHORT_READ_MAX_KEYS } from "../../../src/db/read-lanes";
import { socketWrites } from "../../helpers/socket-writes";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy";
import { createTestDatabase, serverUrl, testClient, type TestDatabase } from "../../helpers/test-database";

const onPostgres = serverUrl() ? describe : describe.skip; // the lanes exist only on PostgreSQL (see above)

const LOCK = 4242;
/** Answers `n` and the backend that answered, after waiting for the shared advisory lock LOCK (if it is held). */
const GATED = `SELECT $1::int AS n, pg_backend_pid() AS pid FROM (SELECT pg_advisory_xact_lock_shared(${LOCK})) l`;
const PLAIN = `SELECT $1::int AS n, pg_backend_pid() AS pid`;

interface Row {
  n: number;
  pid: number;
}

onPostgres("read lanes (decision 045)", () => {
  let database: TestDatabase;
  let url: string;
  const opened: { pool: Pool; reads: LaneReads }[] = [];
  const errors: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    url = database.options.url!;
  }, 60_000);
  afterEach(async () => {
    for (const { pool, reads } of opened.splice(0)) {
      await reads.close();
      await pool.end();
    }
  });
  afterAll(() => database.drop(), 60_000);

  function open(lanes: number, more: { maxInFlightPerLane?: number; statementMs?: number; at?: string } = {}) {
    const statementMs = more.statementMs ?? 15_000;
    const pool = new Pool({
      connectionString: more.at ?? url,
      max: 4,
      statement_timeout: statementMs,
      query_timeout: statementMs + 1000,
      connectionTimeoutMillis: 1000,
    });
    pool.on("error", () => undefined);
    const reads = laneReads(pool, {
      url: more.at ?? url,
      lanes,
      maxInFlightPerLane: more.maxInFlightPerLane ?? 32,
      statementMs,
      connectMs: 5000,
      reconnectDelayMs: 0,
      onError: (e) => errors.push(e),
    });
    opened.push({ pool, reads });
    return { pool, reads };
  }

  /** A session holding LOCK, and a wait for `count` backends queued behind it. */
  async function holdLock() {
    const admin = testClient(url);
    await admin.connect();
    await admin.query(`SELECT pg_advisory_lock(${LOCK})`);
    return {
      async waiters(count: number) {
        for (;;) {
          const { rows } = await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ${LOCK} AND NOT granted`,
          );
          if (rows[0]!.n >= count) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
      terminate: (pid: number) => admin.query(`SELECT pg_terminate_backend($1)`, [pid]),
      async release() {
        await admin.query(`SELECT pg_advisory_unlock(${LOCK})`);
        await admin.end();
      },
    };
  }

  const laneOf = async (reads: LaneReads): Promise<number> => (await reads.query<Row>("lane_pid", PLAIN, [0]))[0]!.pid;

  it("answers each of a turn's reads with its own rows, sent on one lane in one socket write", async () => {
    const { reads } = open(1);
    expect(await reads.warm()).toBe(1);
    const lane = await laneOf(reads);
    // A statement new to the lane: the first read prepares it, and the 19 sent behind it use it.
    const { result, writes } = await socketWrites(() =>
      Promise.all(Array.from({ length: 20 }, (_, i) => reads.query<Row>("first_use", PLAIN, [i + 1]))),
    );
    expect(result.map((rows) => rows[0]!.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(result.map((rows) => rows[0]!.pid))).toEqual(new Set([lane]));
    // One write per read would be 20.
    expect(writes).toBe(1);
    expect(reads.stats()).toMatchObject({ open: 1, inFlight: 0, overflow: 0, retried: 0 });
  });

  it("sends the reads of separate callbacks of one pass of the event loop in one socket write", async () => {
    // Requests arrive in callbacks of their own (one per socket); the lane's cork lasts until the loop's check phase,
    // so reads started by two timer callbacks that fire in the same pass leave together.
    const { reads } = open(1);
    await reads.warm();
    await reads.query<Row>("plain", PLAIN, [0]);
    const { result, writes } = await socketWrites(
      () =>
        new Promise<Row[][]>((resolve, reject) => {
          const answers: Promise<Row[]>[] = [];
          setTimeout(() => answers.push(reads.query<Row>("plain", PLAIN, [1])), 0);
          setTimeout(() => {
            answers.push(reads.query<Row>("plain", PLAIN, [2]));
            Promise.all(answers).then(resolve, reject);
          }, 0);
        }),
    );
    expect(result.map((rows) => rows[0]!.n)).toEqual([1, 2]);
    // Uncorked at the end of each callback (process.nextTick) this was 2.
    expect(writes).toBe(1);
  });

  it("sends a read of many keys to the pool, where a short read on the lane is not queued behind it", async () => {
    const { reads } = open(1);
    await reads.warm();
    const lane = await laneOf(reads);
    const lock = await holdLock();
    try {
      const scan = reads.query<Row>("gated", GATED, [1], SHORT_READ_MAX_KEYS + 1);
      let scanDone = false;
      void scan.then(() => (scanDone = true));
      await lock.waiters(1);
      const short = await reads.query<Row>("plain", PLAIN, [2]);
      expect(short).toEqual([{ n: 2, pid: lane }]);
      expect(scanDone).toBe(false);
      await lock.release();
      const [row] = await scan;
      expect(row!.n).toBe(1);
      expect(row!.pid).not.toBe(lane);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });

  it("sends reads to the pool once every lane has its limit in flight", async () => {
    const { reads } = open(1, { maxInFlightPerLane: 2 });
    await reads.warm();
    const lane = await laneOf(reads);
    const lock = await holdLock();
    try {
      const held = [1, 2].map((n) => reads.query<Row>("gated", GATED, [n]));
      await lock.waiters(1); // the first holds the lane's backend; the second is queued behind it on the lane
      const [third] = await reads.query<Row>("plain", PLAIN, [3]);
      expect(third!.pid).not.toBe(lane);
      expect(reads.stats()).toMatchObject({ inFlight: 2, overflow: 1 });
      await lock.release();
      expect((await Promise.all(held)).map((rows) => rows[0])).toEqual([
        { n: 1, pid: lane },
        { n: 2, pid: lane },
      ]);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });

  it("answers the reads in flight on a lane whose backend is terminated from the pool, and opens a new lane", async () => {
    const { reads } = open(1);
    await reads.warm();
    const lane = await laneOf(reads);
    const lock = await holdLock();
    try {
      const inFlight = [1, 2, 3].map((n) => reads.query<Row>("gated", GATED, [n]));
      await lock.waiters(1);
      await lock.terminate(lane);
      await lock.release();
      const answers = (await Promise.all(inFlight)).map((rows) => rows[0]!);
      expect(answers.map((r) => r.n)).toEqual([1, 2, 3]);
      expect(answers.every((r) => r.pid !== lane)).toBe(true);
      expect(reads.stats().retried).toBe(3);
      expect(await reads.warm()).toBe(1);
      const next = await laneOf(reads);
      expect(next).not.toBe(lane);
      expect(reads.stats()).toMatchObject({ open: 1, retried: 3 });
      expect(errors.some((e) => /terminat/i.test(e.message))).toBe(true);
    } finally {
      await lock.release().catch(() => undefined);
    }
  });

  it("fails a read the server cancels for time with a typed error, without sending it again; its neighbour answers", async () => {
    const { reads } = open(1, { statementMs: 300 });
    await reads.warm();
    const lane = await laneOf(reads);
    const slow = reads.query("slow", `SELECT pg_sleep(30)`, []);
    const neighbour = reads.query<Row>("plain", PLAIN, [5]);
    const failure = await slow.then(
      () => null,
      (e: unknown) => e,
    );
    expect((failure as { code?: string }).code).toBe("57014");
    expect(isDatabaseUnavailable(failure)).toBe(true); // CONNECTOR_UNAVAILABLE (database) at the API
    expect(await neighbour).toEqual([{ n: 5, pid: lane }]);
    expect(reads.stats()).toMatchObject({ open: 1, retried: 0 });
  });

  describe("behind a network that goes silent", () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      const target = new URL(url);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    });
    afterAll(() => proxy.close());

    /** One lane and its pool behind the proxy, statement limit 300 ms (client timeout 1.3 s), the lane open. */
    async function openBehindProxy() {
      const at = new URL(url);
      at.host = `${proxy.host}:${proxy.port}`;
      const { reads } = open(1, { statementMs: 300, at: at.toString() });
      expect(await reads.warm()).toBe(1);
      return reads;
    }

    it("fails the reads typed within the statement limit, crashes nothing, and reads on a new lane once it answers", async () => {
      const reads = await openBehindProxy();
      const lane = await laneOf(reads);
      proxy.cut();
      const outcomes = await Promise.allSettled([1, 2, 3].map((n) => reads.query<Row>("plain", PLAIN, [n])));
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        expect(isDatabaseUnavailable((outcome as PromiseRejectedResult).reason)).toBe(true);
      }
      // Each read timed out on its own limit (sent together, they wait together): none is sent again to a silent
      // database, where it would only wait as long once more.
      expect(reads.stats().retried).toBe(0);
      proxy.restore();
      expect(await reads.warm()).toBe(1);
      const [row] = await reads.query<Row>("plain", PLAIN, [4]);
      expect(row!.n).toBe(4);
      expect(row!.pid).not.toBe(lane);
      expect(reads.stats().open).toBe(1);
    }, 30_000);

    it("does not send again a read that had waited its limit when a neighbour's timeout ended the lane", async () => {
      const reads = await openBehindProxy();
      proxy.cut();
      const first = reads.query<Row>("plain", PLAIN, [1]);
      // The one deliberate pause here: the next two reads leave a tenth of a second after the first, so the first's
      // client timeout (1.3 s) ends the lane while theirs are still running. They fail as a lost connection, having
      // waited more than their 300 ms limit. Before this rule they were sent again (retried 2); under load the
      // previous test's three reads could fall apart the same way.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const outcomes = await Promise.allSettled([first, ...[2, 3].map((n) => reads.query<Row>("plain", PLAIN, [n]))]);
      const reasons = outcomes.map((o) => (o as PromiseRejectedResult).reason as Error);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(reasons.every((e) => isDatabaseUnavailable(e))).toBe(true);
      expect(reads.stats().retried).toBe(0);
      proxy.restore();
    }, 30_000);
  });
});
