// The bench's own database: bench_<random> on the given server, created empty (the first hub child migrates
// it exactly as a hub does at start) and dropped at the end.
import { randomBytes } from "node:crypto";

import { Client, type Pool } from "pg";

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString("hex")}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * How the bench's processes reach PostgreSQL, for the run's header: the loopback TCP address of the default `--db`, or
 * a Unix socket directory (`?host=/var/run/postgresql`, decision 060). Every side of every row (hub children, bare
 * baselines, the bench's own pool) connects the same way, so a run's ratios compare like with like; runs made one way
 * and the other do not compare.
 */
export function transportOf(serverUrl: string): string {
  const url = new URL(serverUrl);
  const host = url.searchParams.get("host") ?? decodeURIComponent(url.hostname);
  return host.startsWith("/") ? `the Unix socket in ${host}` : `TCP ${host}:${url.port || "5432"}`;
}

/**
 * ANALYZE after a warm-up, before a measured window, so that both sides are measured in the state a running hub is in
 * once autovacuum has looked at its tables. The bench's tables grow from empty within seconds (exchange_record,
 * posting, ledger_entry), and PostgreSQL keeps the plan of each foreign-key check per connection as it was first made:
 * made while the referenced table was tiny, it is a sequential scan, and it stays one until an ANALYZE of that table
 * invalidates it (autovacuum's first one comes up to a minute later, longer than a window). One 4 s deposit window
 * made 198 such scans of posting, ~4,400 rows each, and the side that wrote first (the hub) paid for all of them.
 */
export async function analyzeAfterWarmUp(pool: Pool): Promise<void> {
  await pool.query("ANALYZE");
}

/** The exchange records a bare baseline server wrote (its `-recorded` routes sign as `bench-baseline`, decision 038). */
export async function baselineRecords(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM exchange_record WHERE consumer_sub = 'bench-baseline'",
  );
  return Number(rows[0]?.n ?? 0);
}
