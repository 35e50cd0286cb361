// The "peer" of the hub's reads: PostGraphile 5 over the bench database (same tables, same PostgreSQL), in its own
// process, started by bench/peer.bench.ts under the Node 22 binary of .ci/node22.sh (PostGraphile 5 wants
// Node >= 22). Default Amber preset plus one smart tag (accountByAccountNumber), schema `public`, a pg Pool of BENCH_HUB_POOL (20, the hub's default).
// BENCH_PEER_JWT=1 puts a JWT check in front: the hub's own HS256 verifier (src/auth/token-verifier.ts, same
// secret, issuer, audience and maximum age), so PostGraphile answers only requests bearing a token the hub accepts.
// Prints one JSON line {"ready":true,"url":...,"pid":...}; stops on SIGTERM.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { Pool } from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

import { hs256Verifier } from "../src/auth/token-verifier";

// PostGraphile 5 (@dataplan/pg's executor and pg adaptor) calls Promise.withResolvers, which Node 22 has and Node 20
// does not: on Node 20 every query then fails ("Cannot read properties of undefined (reading 'items')"). With this
// five-line polyfill (only installed where it is missing) the same PostGraphile runs on Node 20, so the bench can
// compare PostGraphile on both runtimes.
const nativeWithResolvers = typeof (Promise as { withResolvers?: unknown }).withResolvers === "function";
if (!nativeWithResolvers)
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
      return { promise, resolve, reject };
    },
  });

async function main(): Promise<void> {
  const url = process.env.BENCH_HUB_DATABASE_URL;
  const secret = process.env.BENCH_JWT_SECRET;
  if (!url || !secret) throw new Error("BENCH_HUB_DATABASE_URL and BENCH_JWT_SECRET are required");
  const withJwt = process.env.BENCH_PEER_JWT === "1";
  const pool = new Pool({ connectionString: url, max: Number(process.env.BENCH_HUB_POOL ?? 20) });
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    // account_number is unique through Prisma's unique index (account_account_number_key), not a constraint, and
    // PostGraphile derives unique lookups from constraints only: the documented smart tag declares it (no DB change).
    plugins: [jsonPgSmartTags({ version: 1, config: { class: { account: { tags: { unique: "account_number" } } } } })],
    pgServices: [makePgService({ pool, schemas: ["public"] })],
    grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  await pgl.getSchema(); // introspect before reporting ready, so that no measured request pays for it
  const handler = serv.createHandler();
  const verifier = hs256Verifier(secret);
  const refuse = (res: import("node:http").ServerResponse) => {
    const text = JSON.stringify({
      errors: [{ message: "invalid or expired token", extensions: { code: "UNAUTHENTICATED" } }],
    });
    res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  };
  const server = createServer((req, res) => {
    if (!withJwt) return handler(req, res);
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    if (!m) return refuse(res);
    verifier.verify(m[1]!, undefined).then(
      () => handler(req, res),
      () => refuse(res),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: `http://127.0.0.1:${address.port}`, pid: process.pid, node: process.version, polyfilled: !nativeWithResolvers })}\n`,
  );
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    Promise.all([pgl.release(), pool.end()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`peer (PostGraphile) failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
