// The chainer's rounds asked for by inserts (kick) start at most once per kickGapMs (decision 031): under load every
// batch of read records used to start a round of its own. A kick inside the gap is kept, not lost: the round runs
// when the gap ends (the final round of stop() links anything left, so nothing waits on the timer at shutdown).
import pino from "pino";

import type { SqlDb, SqlTx } from "../../../src/db/driver-sql";
import { ExchangeAnchor } from "../../../src/services/audit/exchange-anchor";
import { ExchangeChainer } from "../../../src/services/audit/exchange-chainer";

/** A database with nothing to link: counts the rounds (one transaction each). */
function countingDb(): SqlDb & { rounds: number } {
  const tx = {
    $queryRaw: async () => [],
    $executeRaw: async () => 0,
    $queryRawUnsafe: async () => [],
    $executeRawUnsafe: async () => 0,
  } as unknown as SqlTx;
  const db = {
    rounds: 0,
    client: tx,
    async transaction<T>(work: (t: SqlTx) => Promise<T>): Promise<T> {
      db.rounds += 1;
      return work(tx);
    },
  };
  return db;
}

function chainer(db: SqlDb, kickGapMs: number): ExchangeChainer {
  return new ExchangeChainer(db, "pglite", new ExchangeAnchor("k".repeat(32)), pino({ level: "silent" }), {
    intervalMs: 60_000,
    checkpointIntervalMs: 60_000,
    kickGapMs,
  });
}

it("runs one round for the kicks of a gap, and the kept kick's round at stop at the latest", async () => {
  const db = countingDb();
  const c = chainer(db, 60_000);
  c.kick();
  await c.idle();
  expect(db.rounds).toBe(1);
  for (let i = 0; i < 5; i++) c.kick();
  await c.idle();
  expect(db.rounds).toBe(1); // inside the gap: waiting for it, not run
  await c.stop();
  expect(db.rounds).toBe(2); // stop()'s own final round
});

it("runs a round per kick when there is no gap", async () => {
  const db = countingDb();
  const c = chainer(db, 0);
  for (let i = 0; i < 3; i++) {
    c.kick();
    await c.idle();
  }
  expect(db.rounds).toBe(3);
  await c.stop();
});
