// The frame of the bench's bare baseline servers (lookup, agency, peer, loan quota): a node:http server and a pg
// Pool on BENCH_HUB_DATABASE_URL (BENCH_HUB_POOL connections, 20 by default), one GET route matched on the whole
// request URL whose answer is sent as JSON (404 when the URL does not match, 500 with the error's message when the
// answer fails), the ready line the bench waits for (`startNodeChild`) and a clean stop on SIGTERM. Each server
// keeps only what differs: its SQL and the shaping of the answer. No GraphQL, no auth, no Prisma.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Pool } from "pg";

export interface BareRoute {
  /** Matched against the whole request URL (path and query). */
  pattern: RegExp;
  /** The JSON body of a 200 answer. */
  answer(match: RegExpExecArray): Promise<unknown>;
}

/** Starts the server in this process (the script's whole `main`): `setup` gets the pool and the environment
 *  variables named in `requiredEnv` (checked first) and returns the route. */
export function runBareServer(
  name: string,
  setup: (pool: Pool, env: Record<string, string>) => BareRoute | Promise<BareRoute>,
  requiredEnv: string[] = [],
): void {
  main(setup, requiredEnv).catch((e: unknown) => {
    process.stderr.write(`${name} failed to start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}

async function main(
  setup: (pool: Pool, env: Record<string, string>) => BareRoute | Promise<BareRoute>,
  requiredEnv: string[],
): Promise<void> {
  const names = ["BENCH_HUB_DATABASE_URL", ...requiredEnv];
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) throw new Error(`${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} required`);
  const env = Object.fromEntries(names.map((n) => [n, process.env[n]!]));
  const pool = new Pool({
    connectionString: env.BENCH_HUB_DATABASE_URL,
    max: Number(process.env.BENCH_HUB_POOL ?? 20),
  });
  const route = await setup(pool, env);
  const server = createServer((req, res) => {
    const m = route.pattern.exec(req.url ?? "");
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    route.answer(m).then(
      (body) => {
        const text = JSON.stringify(body);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      },
      (e: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String((e as Error).message));
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: `http://127.0.0.1:${address.port}`, pid: process.pid, node: process.version })}\n`,
  );
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    pool.end().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
