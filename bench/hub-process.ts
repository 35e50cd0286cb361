// The hub under test, in its own process (so that the load generator does not share its event loop):
// createHub on the bench database, silent logger, development semantics, listening on a free loopback port.
// Prints one JSON line {"ready":true,"url":...,"pid":...} and stops cleanly on SIGTERM.
import "reflect-metadata";
import pino from "pino";
import { createHub } from "../src/app";

async function main(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  const jwtSecret = process.env.BENCH_JWT_SECRET;
  const nationalUrl = process.env.BENCH_NATIONAL_URL;
  if (!url || !jwtSecret || !nationalUrl) throw new Error("BENCH_HUB_DATABASE_URL, BENCH_JWT_SECRET and BENCH_NATIONAL_URL are required");
  const poolSize = process.env.BENCH_HUB_POOL ? Number(process.env.BENCH_HUB_POOL) : undefined;
  const hub = await createHub({
    database: poolSize ? { url, poolSize } : { url },
    auth: { jwtSecret },
    connectors: { nationalUrl },
    logger: pino({ level: "silent" }),
    production: false,
  });
  const hubUrl = await hub.listen(0, "127.0.0.1");
  process.stdout.write(`${JSON.stringify({ ready: true, url: hubUrl, pid: process.pid })}\n`);
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
