// N hub processes behind one port (node:cluster), for the scale-out bench: the primary picks a free port and forks
// BENCH_HUB_WORKERS workers; each worker is a whole hub (createHub on the bench database, as bench/hub-process.ts)
// listening on that port, and the primary hands each new connection to the next worker (round robin, Node's
// default on Linux). The primary prints one JSON line {"ready":true,"url","pid","workers":[pids]} once every
// worker listens; SIGTERM stops the workers (each closes its hub) and then the primary.
import "reflect-metadata";

import cluster from "node:cluster";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import pino from "pino";

import { createHub } from "../src/app";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function primary(): Promise<void> {
  const n = Number(process.env.BENCH_HUB_WORKERS ?? "2");
  const port = await freePort();
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const workers = Array.from({ length: n }, () => cluster.fork({ BENCH_HUB_PORT: String(port) }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((done, fail) => {
          w.on("message", (msg: { ready?: boolean }) => msg.ready && done());
          w.once("exit", (code) => fail(new Error(`hub worker ${w.process.pid} exited with ${code}`)));
        }),
    ),
  );
  const ready = {
    ready: true,
    url: `http://127.0.0.1:${port}`,
    pid: process.pid,
    workers: workers.map((w) => w.process.pid),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  const stop = () => {
    for (const w of workers) w.process.kill("SIGTERM");
    void Promise.all(workers.map((w) => new Promise((done) => (w.isDead() ? done(null) : w.once("exit", done))))).then(
      () => process.exit(0),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

async function worker(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  const jwtSecret = process.env.BENCH_JWT_SECRET;
  const nationalUrl = process.env.BENCH_NATIONAL_URL;
  if (!url || !jwtSecret || !nationalUrl)
    throw new Error("BENCH_HUB_DATABASE_URL, BENCH_JWT_SECRET and BENCH_NATIONAL_URL are required");
  const poolSize = process.env.BENCH_HUB_POOL ? Number(process.env.BENCH_HUB_POOL) : undefined;
  const hub = await createHub({
    database: poolSize ? { url, poolSize } : { url },
    auth: { jwtSecret },
    connectors: { nationalUrl },
    logger: pino({ level: "silent" }),
    production: false,
  });
  await hub.listen(Number(process.env.BENCH_HUB_PORT), "127.0.0.1");
  process.send?.({ ready: true });
  process.once("SIGTERM", () => {
    hub.close(2000).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

(cluster.isPrimary ? primary() : worker()).catch((e: unknown) => {
  process.stderr.write(`bench hub cluster failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
