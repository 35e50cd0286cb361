// A/B of two hub builds on one bench database (decision 031): the hub of this tree and the hub of another checkout
// (`--other=<dir>`, e.g. `git archive <commit> | tar -x -C <dir>` with this tree's node_modules and src/generated
// linked in), in alternating windows of the same read, so that both see the same machine load, window by window.
// Prints, per window, req/s, the hub's CPU per request, PostgreSQL's CPU per request and the other processes' share,
// then the medians per build. Reads: `--read=lookup` (row 3's account query, CENTER_OPERATOR) or `--read=rental`
// (row 4a's rentalEligibility x1, HOUSING_BUREAU, exchange log on); `--read=tax` (row 4b's taxDeductions, pages of
// 500 of `--tax-persons=10000` persons seeded as row 4b seeds them, TAX_BUREAU, 4 pages in flight: a request is a
// page); or the write `--read=deposit` (row 1's recordDeposit, CENTER_OPERATOR, each request a month not paid yet, one
// schedule shared by both builds).
//   node -r @swc-node/register bench/ab-hubs.ts --other=/tmp/old --read=lookup --window=4 --rounds=4
// Without `--other`, both hubs are this tree and differ only in their node options (decision 047), e.g.
//   ... bench/ab-hubs.ts --read=rental --this-node=--max-semi-space-size=64 --other-node= (options comma-separated;
// `--both-node=--max-old-space-size=384` goes to both, as `npm start` runs the hub). `--this-socket=<dir>` or
// `--other-socket=<dir>` makes that hub reach PostgreSQL through the Unix socket in <dir> (e.g. /var/run/postgresql)
// instead of the bench database's TCP address (decision 060); the bench's own pool stays on TCP.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";

import { Pool } from "pg";

import { startNationalPlatformSimulator } from "../simulators";
import { signDevToken } from "../src/auth/token-verifier";
import { mixedTaxIds, PAGE, RENTAL, seedTaxPersons, TAX, TAX_YEAR } from "./agency.bench";
import { depositRequest, scheduler, topUpMonths } from "./deposits.bench";
import { ENROLLED_ON, months } from "./lib/context";
import { withCpu } from "./lib/cpu";
import { analyzeAfterWarmUp, createBenchDatabase } from "./lib/db";
import { runLoad } from "./lib/load";
import { type NodeChild, startNodeChild, stopAllChildren } from "./lib/proc";
import { ACCOUNT, graphqlSuccess, seedAccountsSql } from "./lib/seed";
import { bankSettlementId } from "./lib/sql-deposit";

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** Statements the hub's pg clients sent so far (counted in bench/hub-process.ts). */
async function statements(hub: NodeChild): Promise<number> {
  const answer = await hub.ask({ cmd: "statements" });
  return Number(answer?.total ?? NaN);
}

async function main(): Promise<void> {
  const other = arg("other", "");
  const nodeOptions = (name: string) => arg(name, "").split(",").filter(Boolean);
  const both = nodeOptions("both-node");
  const thisNode = [...both, ...nodeOptions("this-node")];
  const otherNode = [...both, ...nodeOptions("other-node")];
  const thisSocket = arg("this-socket", "");
  const otherSocket = arg("other-socket", "");
  if (!other && thisNode.join() === otherNode.join() && thisSocket === otherSocket)
    throw new Error(
      "--other=<dir of another checkout>, or --this-node / --other-node options or --this-socket / --other-socket that differ, is required",
    );
  const read = arg("read", "lookup");
  const windowMs = Number(arg("window", "4")) * 1000;
  const rounds = Number(arg("rounds", "4"));
  const db = await createBenchDatabase(arg("db", "postgres://postgres@127.0.0.1:5432/postgres"));
  const national = await startNationalPlatformSimulator({ port: 0, host: "127.0.0.1" });
  const secret = randomBytes(32).toString("hex");
  const env = {
    BENCH_HUB_DATABASE_URL: db.url,
    BENCH_JWT_SECRET: secret,
    BENCH_NATIONAL_URL: national.url,
    NODE_ENV: "development",
  };
  let pool: Pool | null = null;
  try {
    const hubs: [string, NodeChild][] = [];
    process.stdout.write(
      `this: node ${thisNode.join(" ") || "(defaults)"}\nother: ${other || "this tree"}, node ${otherNode.join(" ") || "(defaults)"}\n`,
    );
    /** The bench database's URL through the Unix socket in `dir` (the host query parameter), or as it is. */
    const reachedThrough = (dir: string) => {
      if (!dir) return db.url;
      const url = new URL(db.url);
      url.hostname = "localhost";
      url.port = "";
      url.searchParams.set("host", dir);
      return url.toString();
    };
    process.stdout.write(
      `this reaches PostgreSQL at ${reachedThrough(thisSocket)}\nother reaches PostgreSQL at ${reachedThrough(otherSocket)}\n`,
    );
    const start = (name: string, script: string, nodeArgs: string[], socket: string) =>
      startNodeChild(
        name,
        script,
        { ...env, BENCH_HUB_DATABASE_URL: reachedThrough(socket) },
        { readyTimeoutMs: 120_000, nodeArgs },
      );
    hubs.push(["this", await start("hub (this)", "bench/hub-process.ts", thisNode, thisSocket)]);
    hubs.push([
      "other",
      await start("hub (other)", resolve(other || ".", "bench/hub-process.ts"), otherNode, otherSocket),
    ]);
    pool = new Pool({ connectionString: db.url, max: 8 });
    // An idle connection the database ends (the bench database dropped WITH (FORCE) at the end) must not crash the run.
    pool.on("error", (e) => console.error(`bench pool: ${e.message}`));
    const accounts = await seedAccountsSql(pool, {
      area: "140524",
      count: 500,
      enrolledOn: ENROLLED_ON,
      monthlyAmount: "1000.00",
      channel: "ACTIVE_PAYMENT",
    });
    await topUpMonths(pool, accounts, 12);
    const { rows } = await pool.query<{ id_number: string }>(
      `SELECT p.id_number::text AS id_number FROM account a JOIN person p ON p.id = a.person_id WHERE a.account_number = ANY($1::text[])`,
      [accounts],
    );
    const ids = rows.map((r) => r.id_number);
    const taxPages: string[][] = [];
    if (read === "tax") {
      const { highIds, lowIds, noneIds } = await seedTaxPersons(
        pool,
        await bankSettlementId(pool),
        Number(arg("tax-persons", "10000")),
      );
      const all = mixedTaxIds(highIds, lowIds, noneIds);
      for (let i = 0; i < all.length; i += PAGE) taxPages.push(all.slice(i, i + PAGE));
    }
    await pool.query("VACUUM ANALYZE");
    const token =
      read === "rental"
        ? await signDevToken(secret, { role: "HOUSING_BUREAU", sub: "ab", org: "housing-140500", purpose: "ab" }, "4h")
        : read === "tax"
          ? await signDevToken(secret, { role: "TAX_BUREAU", sub: "ab", org: "tax-140500", purpose: "ab" }, "4h")
          : await signDevToken(secret, { role: "CENTER_OPERATOR", sub: "ab", org: "140500" }, "4h");
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    let k = 0;
    const slots = scheduler(accounts, months(240).slice(12)); // the first 12 months are paid above
    const tag = randomBytes(4).toString("hex");
    const body = () => {
      if (read === "deposit") {
        const slot = slots();
        if (!slot) throw new Error("the deposit schedule ran out: fewer rounds or shorter windows");
        return depositRequest(slot, headers, `AB${tag}${slot.n}`, `ab-dep-${tag}-${slot.n}`).body;
      }
      if (read === "tax")
        return JSON.stringify({ query: TAX, variables: { year: TAX_YEAR, ids: taxPages[k++ % taxPages.length] } });
      return read === "rental"
        ? JSON.stringify({ query: RENTAL, variables: { ids: [ids[k++ % ids.length]], asOf: "2024-06-20" } })
        : JSON.stringify({ query: ACCOUNT, variables: { n: accounts[k++ % accounts.length] } });
    };
    const load = (url: string, durationMs: number) =>
      runLoad({
        url,
        concurrency: read === "tax" ? 4 : 48,
        durationMs,
        label: "ab",
        check: (status, text) =>
          read === "deposit"
            ? graphqlSuccess(status, text)
            : status === 200 && !text.includes('"errors"')
              ? null
              : `${status} ${text.slice(0, 200)}`,
        next: () => ({ method: "POST", path: "/graphql", headers, body: body() }),
      });
    for (const [, h] of hubs) await load(h.info.url, 2000);
    await analyzeAfterWarmUp(pool); // both hubs' foreign-key plans made on the grown tables (lib/db.ts)
    const results: Record<string, { rps: number; hub: number; pg: number; statements: number }[]> = {
      this: [],
      other: [],
    };
    for (let r = 0; r < rounds; r++)
      for (const [name, h] of r % 2 === 0 ? hubs : [...hubs].reverse()) {
        const others = hubs.filter(([n]) => n !== name).map(([, c]) => c.pid);
        const before = await statements(h);
        const { result, cpu } = await withCpu(pool, h.pid, others, () => load(h.info.url, windowMs));
        const sent = (await statements(h)) - before;
        const requests = result.ok + result.failed;
        const row = {
          rps: result.rps,
          hub: (10 * cpu.subject) / result.rps,
          pg: (10 * cpu.postgres) / result.rps,
          statements: sent / requests,
        };
        results[name]!.push(row);
        process.stdout.write(
          `${name.padEnd(5)} ${result.rps.toFixed(0).padStart(5)} req/s  hub ${row.hub.toFixed(3)} ms/req  pg ${row.pg.toFixed(3)} ms/req  ${row.statements.toFixed(2)} statements/req  other ${cpu.otherProcesses.toFixed(0)}%  failed ${result.failed}\n`,
        );
      }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [name, rs] of Object.entries(results))
      process.stdout.write(
        `median ${name.padEnd(5)} ${median(rs.map((x) => x.rps)).toFixed(0)} req/s  hub ${median(rs.map((x) => x.hub)).toFixed(3)} ms/req  pg ${median(rs.map((x) => x.pg)).toFixed(3)} ms/req  ${median(rs.map((x) => x.statements)).toFixed(2)} statements/req\n`,
      );
  } finally {
    await stopAllChildren();
    await pool?.end();
    await national.close();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
