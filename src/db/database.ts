// Opens the database the configuration names: PostgreSQL through node-postgres when a URL is given,
// otherwise embedded PGlite in a data folder (locked to this process). Migrates, then hands out one
// Prisma client on a driver adapter. Tests pass their database explicitly; nothing here reads env.
import { mkdirSync, realpathSync } from "node:fs";

import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool, type PoolClient } from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

import { PrismaClient } from "../generated/prisma/client";
import { acquireDataDirLock } from "./data-dir-lock";
import { poolSql, prismaSql, type SqlDb } from "./driver-sql";
import { migrate, type MigrationDriver, migrationsApplied } from "./migrator";
import { QueryCounter } from "./query-counter";
import { laneReads, READ_LANE_DEFAULTS, type ReadLaneStats } from "./read-lanes";
import { REPLICA_GUARD_DEFAULTS, ReplicaGuard, type ReplicaGuardOptions } from "./replica-guard";
import { prismaReads, type SqlReads } from "./sql-reads";

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  driver: MigrationDriver;
  /** Counts the statements Prisma sends (only when opened with `countQueries`). */
  queries?: QueryCounter;
  /** True when the database answers and every migration is applied. */
  ready(): Promise<boolean>;
  /**
   * PostgreSQL: a client on a small pool of its own (`readPoolSize` connections) for the leadership group's
   * aggregate reads (pilotMetrics, its exports), so that they never wait for a connection behind writers holding the
   * main pool (issue 12, decision 026). Absent on PGlite (one session) and when `readPoolSize` is 0: use `prisma`.
   */
  aggregatePrisma?: PrismaClient;
  /** PostgreSQL: the connection pool's figures now (for /metrics); absent on PGlite. */
  pool?: () => PoolStats;
  /** PostgreSQL: the read lanes' figures now (for /metrics; read-lanes.ts, decision 045); absent on PGlite. */
  readLanes?: () => ReadLaneStats;
  /** The hot set-based reads, straight through the driver on PostgreSQL (sql-reads.ts, decision 023): short ones on
   *  the read lanes (read-lanes.ts, decision 045), the rest on the pool. */
  reads: SqlReads;
  /** The agency bureaus' reads (taxDeductions, rentalEligibility): with `replicaUrl`, on the replica (lanes and a
   *  pool of their own there, decision 057) while it answers and its lag is within the bound, else on the primary
   *  (replica-guard.ts, decision 058); without it, `reads`. */
  agencyReads: SqlReads;
  /** PostgreSQL with `replicaUrl`: the replica pool's figures now (for /metrics). */
  replicaPool?: () => PoolStats;
  /** PostgreSQL with `replicaUrl`: whether the agency reads go to the replica, and why (decision 058). */
  replica?: Pick<ReplicaGuard, "state" | "nextProbe">;
  /** Raw SQL (statements, transactions) for the hot write paths: the pg pool on PostgreSQL, Prisma on PGlite (driver-sql.ts, decision 030). */
  sql: SqlDb;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections open (idle + in use). */
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite in dataDir. */
  url?: string;
  /** PGlite data folder, or "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /** PostgreSQL only: connections reserved for aggregate reads (`Database.aggregatePrisma`); 0 = none. Default 2. */
  readPoolSize?: number;
  /** PostgreSQL only: pipelined connections the short reads share (read-lanes.ts); 0 = every read on the pool. Default 4. */
  readLanes?: number;
  /**
   * PostgreSQL only: a server holding the same data read-only, typically a streaming replica of `url`, for the
   * agency bureaus' reads (`Database.agencyReads`). Never migrated or written by the hub: writes, exchange records
   * and every center read stay on `url`. Decision 057.
   */
  replicaUrl?: string;
  /** With `replicaUrl`: the lag bound and the probe's interval (REPLICA_GUARD_DEFAULTS), and who hears of changes. */
  replicaGuard?: Partial<ReplicaGuardOptions>;
  migrate?: boolean;
  /** Count the SQL statements Prisma sends (tests that guard against N+1); off by default. */
  countQueries?: boolean;
  /** PostgreSQL only: how long a silent database may keep a request waiting (see DB_TIMEOUT_DEFAULTS). */
  timeouts?: Partial<DatabaseTimeouts>;
  /** Told about errors of idle connections (a terminated backend, a dropped socket); the pool replaces them. */
  onError?: (error: Error) => void;
}

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool (pg connectionTimeoutMillis), and starting a transaction. */
  connectMs: number;
  /** One statement: the server cancels it (statement_timeout), and the client gives up 1 s later if no answer comes. */
  statementMs: number;
  /** A transaction left idle this long is ended by the server (idle_in_transaction_session_timeout). */
  idleInTransactionMs: number;
  /** The readiness probe's whole answer. */
  readyMs: number;
}

export const DB_TIMEOUT_DEFAULTS: DatabaseTimeouts = {
  connectMs: 5000,
  statementMs: 15000,
  idleInTransactionMs: 30000,
  readyMs: 800,
};

const ADVISORY_LOCK_KEY = 140500;
const DEFAULT_POOL_SIZE = 20;
const DEFAULT_READ_POOL_SIZE = 2;

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

/** Resolves false when `probe` has not answered true within `ms` (a silent database never answers). */
export function answersWithin(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void probe()
      .catch(() => false)
      .then((ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
  });
}

function poolStats(pool: Pool, poolSize: number | undefined): PoolStats {
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: poolSize ?? DEFAULT_POOL_SIZE,
  };
}

function openPool(options: DatabaseOptions, t: DatabaseTimeouts): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: t.connectMs,
    // A black-holed socket answers nothing: the client stops waiting shortly after the server would have cancelled.
    query_timeout: t.statementMs + 1000,
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    keepAlive: true,
  });
  // Without a listener, an idle connection's error (57P01 when a backend is terminated) is an uncaught exception.
  pool.on("error", (e) => options.onError?.(e));
  // …and a checked-out connection between queries has no pool listener: give every connection its own.
  pool.on("connect", (client) => client.on("error", (e) => options.onError?.(e)));
  releaseLostConnections(pool);
  return pool;
}

/**
 * A checked-out connection that dies goes back to the pool at once, as lost (the pool drops it and opens another
 * later). Prisma's interactive transactions release their connection only after COMMIT or ROLLBACK succeeded: when
 * the connection dies inside a transaction both fail and the connection is never released, so every such loss
 * (a failover, a terminated backend, a dropped socket) used to take one pool slot for good, and after `poolSize`
 * losses every request waited for a connection until it timed out, until the process was restarted (found by the
 * fault suite, tests/integration/faults/fault-suite.test.ts). A later release by the holder is then a no-op.
 */
function releaseLostConnections(pool: Pool): void {
  type Release = (err?: Error | boolean) => void;
  type Callback = (err: Error | undefined, client?: PoolClient, done?: Release) => void;
  const guard = (client: PoolClient): PoolClient => {
    const release = client.release as Release;
    let released = false;
    const onEnd = () => once(new Error("the database connection was lost"));
    const once: Release = (err) => {
      if (released) return;
      released = true;
      client.removeListener("end", onEnd);
      release(err);
    };
    client.once("end", onEnd);
    client.release = once;
    return client;
  };
  const connect = pool.connect.bind(pool) as (cb?: Callback) => Promise<PoolClient> | void;
  pool.connect = ((cb?: Callback) => {
    if (typeof cb !== "function") return (connect() as Promise<PoolClient>).then(guard);
    return connect((err, client) => {
      if (err || !client) return cb(err, client, client?.release as Release);
      const guarded = guard(client);
      cb(undefined, guarded, guarded.release as Release);
    });
  }) as Pool["connect"];
}

/** Ends the pool; a connection still checked out after `graceMs` is released with an error so the pool can end.
 *  (A transaction whose connection died mid-way can leave its client checked out: pool.end() would wait forever.) */
async function endPool(pool: Pool, graceMs: number): Promise<void> {
  const ended = pool.end();
  if (await answersWithin(() => ended.then(() => true), graceMs)) return;
  const held = (pool as unknown as { _clients?: { release?: (e?: Error) => void }[] })._clients ?? [];
  for (const client of [...held]) client.release?.(new Error("the database is closing"));
  await ended;
}

/** Migrations may hold a lock or build an index for longer than a request may wait: their own short-lived pool. */
async function migrateWithoutStatementTimeout(options: DatabaseOptions, t: DatabaseTimeouts): Promise<void> {
  const pool = new Pool({ connectionString: options.url, max: 2, connectionTimeoutMillis: t.connectMs });
  pool.on("error", (e) => options.onError?.(e));
  pool.on("connect", (client) => client.on("error", (e) => options.onError?.(e)));
  try {
    await migrate(pgDriver(pool));
  } finally {
    await pool.end();
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const timeouts = { ...DB_TIMEOUT_DEFAULTS, ...options.timeouts };
    const pool = openPool(options, timeouts);
    const driver = pgDriver(pool);
    try {
      if (options.migrate !== false) await migrateWithoutStatementTimeout(options, timeouts);
    } catch (e) {
      await pool.end(); // a hub that refuses to start holds no connections
      throw e;
    }
    const queries = options.countQueries ? new QueryCounter() : undefined;
    const prisma = new PrismaClient({
      adapter: new PrismaPg(pool, { onConnectionError: (e) => options.onError?.(e) }),
      transactionOptions: { maxWait: timeouts.connectMs, timeout: 60000 },
      ...countingOptions(queries),
    });
    attachCounter(prisma, queries);
    const readPoolSize = options.readPoolSize ?? DEFAULT_READ_POOL_SIZE;
    const readPool = readPoolSize > 0 ? openPool({ ...options, poolSize: readPoolSize }, timeouts) : null;
    const aggregatePrisma = readPool
      ? new PrismaClient({
          adapter: new PrismaPg(readPool, { onConnectionError: (e) => options.onError?.(e) }),
          ...countingOptions(queries),
        })
      : undefined;
    if (aggregatePrisma) attachCounter(aggregatePrisma, queries);
    const readsOn = (on: Pool, url: string) =>
      laneReads(
        on,
        {
          ...READ_LANE_DEFAULTS,
          url,
          lanes: options.readLanes ?? READ_LANE_DEFAULTS.lanes,
          statementMs: timeouts.statementMs,
          connectMs: timeouts.connectMs,
          onError: options.onError,
        },
        queries,
      );
    const reads = readsOn(pool, options.url);
    // The replica's pool opens its connections on the first agency read: a replica that is down fails those reads
    // (typed, retryable), never the hub's start or its writes.
    const replica = options.replicaUrl
      ? { url: options.replicaUrl, pool: openPool({ ...options, url: options.replicaUrl }, timeouts) }
      : null;
    const replicaReads = replica ? readsOn(replica.pool, replica.url) : null;
    const guard = replica
      ? new ReplicaGuard(pool, replica.pool, { ...REPLICA_GUARD_DEFAULTS, ...options.replicaGuard })
      : null;
    guard?.start();
    return {
      kind: "postgres",
      prisma,
      reads,
      agencyReads: guard && replicaReads ? guard.reads(replicaReads, reads) : reads,
      ...(replica ? { replicaPool: () => poolStats(replica.pool, options.poolSize) } : {}),
      ...(guard ? { replica: guard } : {}),
      readLanes: reads.stats,
      sql: poolSql(pool),
      ...(aggregatePrisma ? { aggregatePrisma } : {}),
      driver,
      queries,
      ready: () => answersWithin(() => migrationsApplied(driver), timeouts.readyMs),
      pool: () => poolStats(pool, options.poolSize),
      close: async () => {
        await guard?.close();
        await prisma.$disconnect();
        await aggregatePrisma?.$disconnect();
        await reads.close();
        await replicaReads?.close();
        await Promise.all([pool, readPool, replica?.pool].map((p) => p && endPool(p, timeouts.connectMs)));
      },
    };
  }
  if (options.replicaUrl)
    throw new Error("a replica (replicaUrl) needs a PostgreSQL primary (url): PGlite is one process's own database");
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
  const reads = prismaReads(prisma);
  return {
    kind: "pglite",
    prisma,
    reads,
    agencyReads: reads,
    sql: prismaSql(prisma),
    driver,
    queries,
    ready: () => answersWithin(() => migrationsApplied(driver), DB_TIMEOUT_DEFAULTS.readyMs),
    close: async () => {
      await prisma.$disconnect();
      if (!pg.closed) await pg.close();
      release();
    },
  };
}
