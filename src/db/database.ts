// Opens the database the configuration names: PostgreSQL through node-postgres when a URL is given,
// otherwise embedded PGlite in a data folder (locked to this process). Migrates, then hands out one
// Prisma client on a driver adapter. Tests pass their database explicitly; nothing here reads env.
import { mkdirSync, realpathSync } from "node:fs";

import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

import { PrismaClient } from "../generated/prisma/client";
import { acquireDataDirLock } from "./data-dir-lock";
import { migrate, type MigrationDriver, migrationsApplied } from "./migrator";
import { QueryCounter } from "./query-counter";

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  driver: MigrationDriver;
  /** Counts the statements Prisma sends (only when opened with `countQueries`). */
  queries?: QueryCounter;
  /** True when the database answers and every migration is applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite in dataDir. */
  url?: string;
  /** PGlite data folder, or "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  poolSize?: number;
  migrate?: boolean;
  /** Count the SQL statements Prisma sends (tests that guard against N+1); off by default. */
  countQueries?: boolean;
}

const ADVISORY_LOCK_KEY = 140500;

function pgliteDriver(pg: PGlite): MigrationDriver {
  return {
    exec: async (sql) => {
      await pg.exec(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await pg.query<T>(sql, params)).rows,
    withLock: (fn) => fn(), // one process, one session: nothing to serialise against
  };
}

function pgDriver(pool: Pool): MigrationDriver {
  return {
    exec: async (sql) => {
      await pool.query(sql);
    },
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    withLock: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
        return await fn();
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => undefined);
        client.release();
      }
    },
  };
}

async function openPglite(dataDir: string): Promise<{ pg: PGlite; release: () => void }> {
  if (dataDir.includes("://")) return { pg: await PGlite.create(dataDir), release: () => undefined };
  const release = acquireDataDirLock(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
    return { pg: await PGlite.create(realpathSync(dataDir)), release };
  } catch (e) {
    release();
    throw e;
  }
}

/** Turns on Prisma's query events and feeds them to a counter when one is asked for. */
function countingOptions(counter: QueryCounter | undefined): { log?: [{ emit: "event"; level: "query" }] } {
  return counter ? { log: [{ emit: "event", level: "query" }] } : {};
}

function attachCounter(prisma: PrismaClient, counter: QueryCounter | undefined): void {
  if (counter)
    (prisma as unknown as { $on(event: "query", cb: () => void): void }).$on("query", () => counter.record());
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new Pool({ connectionString: options.url, max: options.poolSize ?? 20 });
    // A connection the server terminates emits "error" (idle: on the pool; checked out: on the client, between the
    // queries of a transaction). Unlistened, either ends the process; the query in flight fails on its own and the
    // pool replaces the connection (found by the exchange-log fault test: connections terminated under load).
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", () => {}));
    const driver = pgDriver(pool);
    try {
      if (options.migrate !== false) await migrate(driver);
    } catch (e) {
      await pool.end(); // a hub that refuses to start holds no connections
      throw e;
    }
    const queries = options.countQueries ? new QueryCounter() : undefined;
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), ...countingOptions(queries) });
    attachCounter(prisma, queries);
    return {
      kind: "postgres",
      prisma,
      driver,
      queries,
      ready: () => migrationsApplied(driver).catch(() => false),
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const { pg, release } = await openPglite(options.dataDir ?? "memory://");
  const driver = pgliteDriver(pg);
  try {
    if (options.migrate !== false) await migrate(driver);
  } catch (e) {
    await pg.close();
    release();
    throw e;
  }
  const queries = options.countQueries ? new QueryCounter() : undefined;
  const prisma = new PrismaClient({
    adapter: new PrismaPGlite(pg),
    transactionOptions: { maxWait: 30000, timeout: 60000 },
    ...countingOptions(queries),
  });
  attachCounter(prisma, queries);
  return {
    kind: "pglite",
    prisma,
    driver,
    queries,
    ready: () => migrationsApplied(driver).catch(() => false),
    close: async () => {
      await prisma.$disconnect();
      if (!pg.closed) await pg.close();
      release();
    },
  };
}
