// Each test file gets its own database: in-memory PGlite by default, or — when DATABASE_URL is set (CI's second
// pass) — a fresh database on that PostgreSQL server, dropped afterwards. Both count their SQL statements
// (`hub.db.queries`), so a test can show that a query count does not grow with the number of rows.
import { randomBytes } from "node:crypto";

import { Client } from "pg";

import type { DatabaseOptions } from "../../src/db/database";

export interface TestDatabase {
  options: DatabaseOptions;
  kind: "pglite" | "postgres";
  drop(): Promise<void>;
}

export function serverUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = serverUrl();
  if (!base)
    return { options: { dataDir: "memory://", countQueries: true }, kind: "pglite", drop: async () => undefined };
  const name = `hub_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    options: { url: url.toString(), poolSize: 20, countQueries: true },
    kind: "postgres",
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
