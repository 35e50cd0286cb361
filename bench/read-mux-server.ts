// A probe server (decision 044; driven by read-mux-probe.ts, not part of `npm run bench`): the lookup baseline's read
// with its reads on the pool (MUX=0) or multiplexed onto MUX pipelined connections, each sent to the connection with
// the fewest reads in flight, the reads of one turn corked into one write per connection. No reconnect, no answer
// for a read stuck behind a slow one: a measurement of the transport, not a design for the hub.
import pg from "pg";

import { writesTogether } from "../src/db/driver-sql";
import type { SqlReads } from "../src/db/sql-reads";
import { poolReads } from "../src/db/sql-reads";
import { readAccounts } from "../src/services/accounts/account-view";
import { runBareServer } from "./lib/bare-server";

function muxReads(url: string, k: number): SqlReads {
  // The cork of one turn is the driver transactions' own (writesTogether, decision 044).
  const lanes: { c: pg.Client; inflight: number; together: () => void }[] = [];
  const ready = Promise.all(
    Array.from({ length: k }, async () => {
      const c = new pg.Client({ connectionString: url });
      (c as unknown as { pipeline: boolean }).pipeline = true;
      await c.connect();
      lanes.push({ c, inflight: 0, together: writesTogether(c) });
    }),
  );
  return {
    async query<T>(name: string, text: string, values: unknown[]) {
      if (lanes.length < k) await ready;
      let lane = lanes[0]!;
      for (const l of lanes) if (l.inflight < lane.inflight) lane = l;
      lane.inflight++;
      lane.together();
      try {
        return (await lane.c.query({ name, text, values })).rows as T[];
      } finally {
        lane.inflight--;
      }
    },
  };
}

runBareServer("mux baseline", async (pool, env) => {
  const k = Number(process.env.MUX ?? 0);
  const reads = k > 0 ? muxReads(env.BENCH_HUB_DATABASE_URL!, k) : poolReads(pool);
  return {
    pattern: /^\/account\/([0-9]{1,32})$/,
    async answer(m) {
      const read = (await readAccounts(reads, [m[1]!], { storedOnly: false, page: null })).get(m[1]!);
      return { data: { account: read?.view ?? null } };
    },
  };
});
