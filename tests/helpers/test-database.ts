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
  await withAdmin(base, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    options: { url: url.toString(), poolSize: 20, countQueries: true },
    kind: "postgres",
    // Callers close the hub and every client of theirs first. A closed pool's connections may still be ending on
    // the server: wait (bounded) until they are gone, so FORCE has nobody left to terminate.
    drop: () =>
      withAdmin(base, async (admin) => {
        const deadline = Date.now() + 10000;
        while (Date.now() < deadline && (await connectionsTo(admin, name)) > 0)
          await new Promise((resolve) => setTimeout(resolve, 20));
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

/** A client with an error listener: a connection error must never become an uncaught exception in a test. */
export function testClient(connectionString: string): Client {
  const client = new Client({ connectionString });
  client.on("error", () => undefined);
  return client;
}

async function withAdmin<T>(base: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = testClient(base);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function connectionsTo(admin: Client, name: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [name],
  );
  return rows[0]?.n ?? 0;
}
