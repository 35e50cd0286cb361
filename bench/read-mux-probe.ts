// A probe, not part of `npm run bench` (decision 044): the lookup read served by `read-mux-server.ts` with its reads
// on the pool (MUX=0) or multiplexed onto MUX pipelined connections, in alternating 5 s windows at c=48 on a bench
// database kept with `--keep-db`: `node -r @swc-node/register bench/read-mux-probe.ts <database url> 0,4,8 3`.
import { Pool } from "pg";

import { describeCpu, withCpu } from "./lib/cpu";
import { runLoad } from "./lib/load";
import { startNodeChild } from "./lib/proc";

async function main() {
  const url = process.argv[2]!;
  const variants = (process.argv[3] ?? "0,4").split(",").map(Number);
  const rounds = Number(process.argv[4] ?? 3);
  const pool = new Pool({ connectionString: url, max: 4 });
  const accounts = (
    await pool.query<{ n: string }>(
      `SELECT a.account_number AS n FROM account a WHERE (SELECT count(*) FROM deposit_month d WHERE d.account_id = a.id) >= 12 LIMIT 2000`,
    )
  ).rows.map((r) => r.n);
  console.log("accounts", accounts.length);
  const servers = [];
  for (const k of variants)
    servers.push({
      k,
      s: await startNodeChild(`mux ${k}`, "bench/read-mux-server.ts", { BENCH_HUB_DATABASE_URL: url, MUX: String(k) }),
    });
  let i = 0;
  const next = () => ({ method: "GET" as const, path: `/account/${accounts[(i++ * 7919) % accounts.length]}` });
  const check = (status: number) => (status === 200 ? null : `status ${status}`);
  for (const { s } of servers) await runLoad({ url: s.info.url, concurrency: 48, durationMs: 2000, next, check });
  for (let r = 0; r < rounds; r++)
    for (const { k, s } of r % 2 ? [...servers].reverse() : servers) {
      const { result, cpu } = await withCpu(pool, s.pid, [], () =>
        runLoad({ url: s.info.url, concurrency: 48, durationMs: 5000, next, check }),
      );
      console.log(
        `round ${r} mux=${k}: ${result.rps.toFixed(0)} req/s p50 ${result.latencyMs.p50.toFixed(1)} p99 ${result.latencyMs.p99.toFixed(1)} failed ${result.failed}; server ${((10 * cpu.subject) / result.rps).toFixed(3)} ms/req, postgres ${((10 * cpu.postgres) / result.rps).toFixed(3)} ms/req; ${describeCpu(cpu)}`,
      );
    }
  for (const { s } of servers) await s.stop();
  await pool.end();
}
void main();
