// Applies prisma/migrations/*/migration.sql in order, recording them in Prisma's own `_prisma_migrations`
// table (same columns and sha256 checksums), so `prisma migrate status` agrees with what the hub applied.
// The hub migrates itself at start: no CLI process (and no second PGlite instance) is needed.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The minimal driver surface the migrator needs: a multi-statement script runner and a parameterised query. */
export interface MigrationDriver {
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Serialises migrators of several processes on one server (PostgreSQL advisory lock); PGlite is one process. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = resolve(__dirname, "../../prisma/migrations");

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {}

/** Applies pending migrations; refuses to start when an applied migration's file has changed. */
export async function migrate(driver: MigrationDriver, migrations = readMigrations()): Promise<string[]> {
  return driver.withLock(async () => {
    await driver.exec(CREATE_TABLE);
    const applied = await driver.query<{ migration_name: string; checksum: string; finished_at: unknown }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const byName = new Map(applied.map((a) => [a.migration_name, a]));
    const done: string[] = [];
    for (const m of migrations) {
      const previous = byName.get(m.name);
      if (previous?.finished_at) {
        if (previous.checksum !== m.checksum) {
          throw new MigrationError(`migration ${m.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      if (previous) throw new MigrationError(`migration ${m.name} failed earlier and needs a manual look`);
      if (!/^[0-9A-Za-z_]+$/.test(m.name)) throw new MigrationError(`unexpected migration folder name ${m.name}`);
      // The migration and its bookkeeping row commit together, or neither does.
      const record = `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
        VALUES ('${randomUUID()}', '${m.checksum}', now(), '${m.name}', 1);`;
      await driver.exec(`BEGIN;\n${m.sql}\n;\n${record}\nCOMMIT;`).catch(async (e: unknown) => {
        await driver.exec("ROLLBACK").catch(() => undefined);
        throw new MigrationError(`migration ${m.name} failed: ${(e as Error).message}`);
      });
      done.push(m.name);
    }
    return done;
  });
}

/** True when every migration file is applied (for /readyz). */
export async function migrationsApplied(driver: MigrationDriver, migrations = readMigrations()): Promise<boolean> {
  const rows = await driver.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const names = new Set(rows.map((r) => r.migration_name));
  return migrations.every((m) => names.has(m.name));
}
