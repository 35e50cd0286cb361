// @prisma/adapter-pg@6.19.x for the Prisma CLI (JS schema engine): its fieldToColumnType() has no case for
// PostgreSQL catalog types such as `name` (OID 19), so `migrate deploy/dev/status` fail with
// "Column type 'name' could not be deserialized from the database". (Fixed in adapter-pg 7.x.)
// Workaround: report those catalog columns as text/text[] (pg already returns them as JS strings).
// Also: connectToShadowDb() does `new Pool({ ...config, database: shadowName })`, but with a
// `connectionString` in config pg ignores `database` => the "shadow" is the MAIN database
// (migrate dev: "relation ... already exists"). So pass discrete connection fields instead.
// And its shadow cleanup runs DROP DATABASE before closing the shadow pool ("is being accessed by other
// users", leaving prisma_migrate_shadow_db_* behind), so the shadow DB is managed here.
import { randomUUID } from "node:crypto";

import { PrismaPg } from "@prisma/adapter-pg";
import type { Pool, PoolClient, QueryResult } from "pg";

const REMAP: Record<number, number> = { 18: 25, 19: 25, 194: 25, 2205: 25, 1002: 1009, 1003: 1009 };

function fix<T>(res: T): T {
  for (const f of (res as QueryResult | undefined)?.fields ?? []) {
    const to = REMAP[f.dataTypeID];
    if (to) f.dataTypeID = to;
  }
  return res;
}

function wrapQuery(target: Pool | PoolClient) {
  const t = target as (Pool | PoolClient) & { __fixed?: boolean };
  if (t.__fixed) return;
  t.__fixed = true;
  const query = t.query.bind(t) as (...a: unknown[]) => unknown;
  (t as { query: unknown }).query = (...args: unknown[]) => {
    const r = query(...args);
    return r && typeof (r as Promise<unknown>).then === "function" ? (r as Promise<unknown>).then(fix) : r;
  };
}

function wrapPool(pool: Pool) {
  wrapQuery(pool);
  const connect = pool.connect.bind(pool) as (...a: unknown[]) => unknown;
  (pool as { connect: unknown }).connect = (...args: unknown[]) =>
    args.length ? connect(...args) : (connect() as Promise<PoolClient>).then((c) => (wrapQuery(c), c));
}

export function pgMigrationAdapter(connectionString: string) {
  const u = new URL(connectionString);
  const config = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    allowExitOnIdle: true, // the CLI never disposes the adapter: let the process exit
  };
  const factory = new PrismaPg(config);
  const fixAdapter = <A extends { underlyingDriver(): unknown }>(a: A) => (wrapPool(a.underlyingDriver() as Pool), a);
  return {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    connect: async () => fixAdapter(await factory.connect()),
    connectToShadowDb: async () => {
      const main = await factory.connect();
      const database = `prisma_migrate_shadow_db_${randomUUID()}`;
      await main.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = fixAdapter(await new PrismaPg({ ...config, database }).connect());
      const endShadowPool = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await endShadowPool();
        await main.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
        await main.dispose();
      };
      return shadow;
    },
  };
}
