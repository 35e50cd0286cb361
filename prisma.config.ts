// Prisma CLI configuration: JS schema engine with driver adapters, so no native engine is downloaded.
// DATABASE_URL set => PostgreSQL through node-postgres; unset => embedded PGlite in HUB_DATA_DIR.
import { mkdirSync } from "node:fs";

import { defineConfig } from "prisma/config";

import { pgMigrationAdapter } from "./prisma/pg-adapter";
import { pgliteMigrationAdapter } from "./prisma/pglite-adapter";
import { lockOwner } from "./src/db/data-dir-lock";

const databaseUrl = process.env.DATABASE_URL;
// Prisma 6 validates datasource.url even when an adapter is used: give it a placeholder on PGlite.
if (!databaseUrl) process.env.DATABASE_URL = "postgresql://unused.invalid/pglite";

/** The hub's data folder, refused while a running hub holds it (two processes on one folder corrupt it). */
function pgliteDataDir(): string {
  const dir = process.env.HUB_DATA_DIR ?? "./data/pglite";
  if (dir.includes("://")) return dir;
  const owner = lockOwner(dir);
  if (owner !== null)
    throw new Error(`the PGlite data folder ${dir} is in use by process ${owner}: stop the hub first`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  experimental: { adapter: true },
  // The wrappers return patched adapters whose static types are looser than Prisma's interface.
  adapter: async () =>
    (databaseUrl ? pgMigrationAdapter(databaseUrl) : pgliteMigrationAdapter(pgliteDataDir())) as never,
});
