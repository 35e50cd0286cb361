// The hub under test, in its own process (so that the load generator does not share its event loop):
// createHub on the bench database, silent logger, development semantics, listening on a free loopback port.
// Prints one JSON line {"ready":true,"url":...,"pid":...} and stops cleanly on SIGTERM. Answers IPC commands
// from the bench (memory peaks; start/stop a CPU profile around a measured window).
import "reflect-metadata";

import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { monitorEventLoopDelay } from "node:perf_hooks";

import pg from "pg";
import pino from "pino";

import { createHub } from "../src/app";

/** Every statement the hub sends to PostgreSQL (through any pg client: Prisma's adapter and raw pools alike),
 *  counted in total, as transactions (BEGIN) and by its first words, so the bench can report statements per
 *  request, a figure the machine's load does not move. */
const statements = {
  total: 0,
  transactions: 0,
  byText: new Map<string, number>(),
  msByText: new Map<string, number>(),
};
/** What the counter needs of a statement's text, worked out once per text: the hub sends the same few texts over and
 *  over (the read statements run to kilobytes), and the counting must not cost the hub more than a look-up. */
const shapes = new Map<string, { head: string; begin: boolean; pilot: boolean }>();
function shapeOf(raw: string): { head: string; begin: boolean; pilot: boolean } {
  let shape = shapes.get(raw);
  if (!shape) {
    const text = raw.trim();
    shape = {
      head: text.replace(/\s+/g, " ").slice(0, 72),
      begin: /^BEGIN\b/i.test(text),
      pilot: /GROUPING\(month/.test(text),
    };
    if (shapes.size < 10_000) shapes.set(raw, shape);
  }
  return shape;
}
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string } | undefined;
  const { head, begin, pilot } = shapeOf(typeof first === "string" ? first : (first?.text ?? ""));
  statements.total += 1;
  if (begin) statements.transactions += 1;
  statements.byText.set(head, (statements.byText.get(head) ?? 0) + 1);
  const t0 = performance.now();
  // Wall time until each statement's answer (queued time on the client included), summed by its first words.
  const took = () => {
    statements.msByText.set(head, (statements.msByText.get(head) ?? 0) + performance.now() - t0);
    if (pilot) diag.pilotStatements.push(performance.now() - t0);
  };
  // pg-pool's pool.query passes a callback (no promise comes back): time the answer through it.
  const last = args.length - 1;
  if (typeof args[last] === "function") {
    const cb = args[last] as (...a: unknown[]) => unknown;
    args[last] = (...r: unknown[]) => {
      took();
      return cb(...r);
    };
  }
  const result = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(took, took);
  return result;
} as typeof pg.Client.prototype.query;

/** The write system calls this process has made (write, writev, sendmsg...: `syscw` of /proc/self/io; null where
 *  there is no such file): every socket write to PostgreSQL and to the clients, a figure the load does not move. */
function writeSyscalls(): number | null {
  try {
    const m = /^syscw:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Diagnostics of a measured window (pilot-load bench, issue 12): how long each pool checkout waited for a
 *  connection, how long the pilotMetrics statement itself took (its answer, from the client's send), and the
 *  event loop's delay; reset by the bench at the start of a window ("diag-reset"), read at its end ("diag"). */
const diag = {
  poolWaits: [] as number[],
  pilotStatements: [] as number[],
  loop: monitorEventLoopDelay({ resolution: 10 }),
};
diag.loop.enable();
const PoolProto = pg.Pool.prototype as unknown as { connect: (...a: unknown[]) => unknown };
const originalConnect = PoolProto.connect;
PoolProto.connect = function timedConnect(this: pg.Pool, ...args: unknown[]) {
  const t0 = performance.now();
  const done = () => diag.poolWaits.push(performance.now() - t0);
  const cb = args[0];
  if (typeof cb === "function")
    return originalConnect.call(this, (...r: unknown[]) => {
      done();
      return (cb as (...a: unknown[]) => unknown)(...r);
    });
  const result = originalConnect.apply(this, args) as Promise<unknown>;
  result.then(done, done);
  return result;
};
const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? 0 };
};

async function main(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  const jwtSecret = process.env.BENCH_JWT_SECRET;
  const nationalUrl = process.env.BENCH_NATIONAL_URL;
  if (!url || !jwtSecret || !nationalUrl)
    throw new Error("BENCH_HUB_DATABASE_URL, BENCH_JWT_SECRET and BENCH_NATIONAL_URL are required");
  const poolSize = process.env.BENCH_HUB_POOL ? Number(process.env.BENCH_HUB_POOL) : undefined;
  // BENCH_HUB_READ_POOL=0: no connections reserved for pilotMetrics (decision 026), to compare with and without.
  const readPoolSize = process.env.BENCH_HUB_READ_POOL ? Number(process.env.BENCH_HUB_READ_POOL) : undefined;
  // BENCH_HUB_READ_LANES=0: every short read on the pool, as before decision 045, to compare with and without lanes.
  const readLanes = process.env.BENCH_HUB_READ_LANES ? Number(process.env.BENCH_HUB_READ_LANES) : undefined;
  const hub = await createHub({
    database: {
      url,
      ...(poolSize ? { poolSize } : {}),
      ...(readPoolSize !== undefined ? { readPoolSize } : {}),
      ...(readLanes !== undefined ? { readLanes } : {}),
    },
    auth: { jwtSecret },
    // The credit reference simulator (loanQuota, applyForLoan), when the bench started one.
    connectors: { nationalUrl, ...(process.env.BENCH_CREDIT_URL ? { creditUrl: process.env.BENCH_CREDIT_URL } : {}) },
    logger: pino({ level: "silent" }),
    production: false,
    // BENCH_HUB_NO_EXCHANGE_LOG=1: the agency bench's second hub, to price the exchange log (benchmarks only).
    ...(process.env.BENCH_HUB_NO_EXCHANGE_LOG === "1" ? { benchmarkWithoutExchangeLog: true } : {}),
    // BENCH_METRICS_COMPACTION_MS=1000: fold metric deltas into the rollups this often (pilot-load bench).
    ...(process.env.BENCH_METRICS_COMPACTION_MS
      ? { metricsCompactionIntervalMs: Number(process.env.BENCH_METRICS_COMPACTION_MS) }
      : {}),
    // BENCH_HUB_MAX_MUTATIONS=8: admission control for writers (decision 029).
    ...(process.env.BENCH_HUB_MAX_MUTATIONS
      ? { maxConcurrentMutations: Number(process.env.BENCH_HUB_MAX_MUTATIONS) }
      : {}),
    // BENCH_HUB_METRICS_STALENESS_MS=1000: pilotMetrics answers shared within that bound (decision 033).
    ...(process.env.BENCH_HUB_METRICS_STALENESS_MS
      ? { pilotMetricsFreshness: { maxStalenessMs: Number(process.env.BENCH_HUB_METRICS_STALENESS_MS) } }
      : {}),
    // BENCH_HUB_IMPORT_LANES=1: bank file batches posted one at a time, as before decision 041.
    ...(process.env.BENCH_HUB_IMPORT_LANES ? { importLanes: Number(process.env.BENCH_HUB_IMPORT_LANES) } : {}),
    // BENCH_DEPOSIT_BATCH='{"maxBatch":1}': recordDeposit's group commit tuned or turned off (one deposit per transaction).
    ...(process.env.BENCH_DEPOSIT_BATCH ? { depositBatch: JSON.parse(process.env.BENCH_DEPOSIT_BATCH) as object } : {}),
    // BENCH_WITHDRAWAL_BATCH='{"maxBatch":1}': withdraw's group commit tuned or turned off (decision 051).
    ...(process.env.BENCH_WITHDRAWAL_BATCH
      ? { withdrawalBatch: JSON.parse(process.env.BENCH_WITHDRAWAL_BATCH) as object }
      : {}),
  });
  const hubUrl = await hub.listen(0, "127.0.0.1");
  process.stdout.write(`${JSON.stringify({ ready: true, url: hubUrl, pid: process.pid })}\n`);
  // Peaks of the V8 heap, external memory (wasm, buffers) and RSS, reported on SIGUSR2 (sampled every 250 ms).
  const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[k] = Math.max(peaks[k], m[k]);
  };
  setInterval(sample, 250).unref();
  // Commands from the bench over IPC: memory peaks, and a CPU profile of just the measured window.
  let session: Session | null = null;
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((done, fail) =>
      session!.post(method, params ?? {}, (err, result) => (err ? fail(err) : done(result as T))),
    );
  process.on("message", (msg: { id: number; cmd: string; file?: string }) => {
    const reply = (body: object) => process.send?.({ id: msg.id, ...body });
    if (msg.cmd === "memory") {
      sample();
      const now = process.memoryUsage();
      // With --expose-gc (the bench starts the hub so): what is still referenced after a full collection.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      reply({ memoryPeaks: peaks, memoryNow: now, afterFullGc: gc ? process.memoryUsage() : null });
    } else if (msg.cmd === "statements") {
      reply({
        total: statements.total,
        transactions: statements.transactions,
        writeSyscalls: writeSyscalls(),
        depositBatches: { ...hub.services.depositBatcher.stats },
        withdrawalBatches: { ...hub.services.withdrawalBatcher.stats },
        byText: Object.fromEntries([...statements.byText].sort((a, b) => b[1] - a[1]).slice(0, 400)),
        msByText: Object.fromEntries([...statements.msByText].sort((a, b) => b[1] - a[1]).slice(0, 400)),
      });
    } else if (msg.cmd === "diag-reset") {
      diag.poolWaits.length = 0;
      diag.pilotStatements.length = 0;
      diag.loop.reset();
      reply({ reset: true });
    } else if (msg.cmd === "diag") {
      const ms = (ns: number) => ns / 1e6;
      reply({
        poolWait: quantiles(diag.poolWaits),
        pilotStatement: quantiles(diag.pilotStatements),
        eventLoopDelay: {
          p50: ms(diag.loop.percentile(50)),
          p99: ms(diag.loop.percentile(99)),
          max: ms(diag.loop.max),
        },
      });
    } else if (msg.cmd === "profile-start") {
      session = new Session();
      session.connect();
      post("Profiler.enable")
        .then(() => post("Profiler.setSamplingInterval", { interval: 500 }))
        .then(() => post("Profiler.start"))
        .then(
          () => reply({ started: true }),
          (e: unknown) => reply({ error: String(e) }),
        );
    } else if (msg.cmd === "profile-stop" && session && msg.file) {
      const file = msg.file;
      post<{ profile: object }>("Profiler.stop")
        .then((r) => writeFileSync(file, JSON.stringify(r.profile)))
        .then(
          () => {
            session?.disconnect();
            session = null;
            reply({ written: file });
          },
          (e: unknown) => reply({ error: String(e) }),
        );
    } else reply({ error: `unknown command ${msg.cmd}` });
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    hub.close(2000).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench hub failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
