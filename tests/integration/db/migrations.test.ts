// The migrator's failure paths: a migration that fails leaves nothing behind (its statements and its bookkeeping row
// roll back together) and says which one failed; a migration left half-done refuses to run again; an applied
// migration whose file changed afterwards (checksum differs) stops the hub from starting, with a message that names it.
import "reflect-metadata";

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino from "pino";

import { createHub } from "../../../src/app";
import { type Database, type DatabaseOptions, openDatabase } from "../../../src/db/database";
import { migrate, type Migration, MigrationError, readMigrations } from "../../../src/db/migrator";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";
import { TEST_SECRET } from "../../helpers/test-hub";

const migration = (name: string, sql: string): Migration => ({
  name,
  sql,
  checksum: createHash("sha256").update(sql).digest("hex"),
});

let database: TestDatabase;
let folder: string | undefined;
/** Reopenable: a PostgreSQL database of its own, or (on PGlite) a data folder rather than memory. */
let options: DatabaseOptions;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  if (database.kind === "postgres") options = database.options;
  else {
    folder = mkdtempSync(join(tmpdir(), "hub-migrations-"));
    options = { dataDir: join(folder, "data") };
  }
  db = await openDatabase(options);
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
  if (folder) rmSync(folder, { recursive: true, force: true });
}, 60_000);

const appliedNames = async (): Promise<string[]> =>
  (
    await db.driver.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`,
    )
  ).map((r) => r.migration_name);

const tableExists = async (name: string): Promise<boolean> =>
  (await db.driver.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [name]))[0]!.t !== null;

describe("a migration that fails", () => {
  const broken = migration(
    "20991231000000_broken",
    `CREATE TABLE migration_test_half (id int);\nSELECT 1 / 0;`, // the second statement fails
  );

  it("is refused with its name and the database's reason, and leaves nothing behind", async () => {
    const real = readMigrations();
    const refused = migrate(db.driver, [...real, broken]);
    await expect(refused).rejects.toBeInstanceOf(MigrationError);
    await expect(refused).rejects.toThrow(/^migration 20991231000000_broken failed: .*division by zero/);
    expect(await tableExists("migration_test_half")).toBe(false);
    expect(await appliedNames()).toEqual(real.map((m) => m.name));
    expect(await db.ready()).toBe(true); // every real migration is still applied
  });

  it("applies once fixed, exactly once", async () => {
    const fixed = migration("20991231000000_broken", `CREATE TABLE migration_test_half (id int);`);
    expect(await migrate(db.driver, [...readMigrations(), fixed])).toEqual(["20991231000000_broken"]);
    expect(await migrate(db.driver, [...readMigrations(), fixed])).toEqual([]);
    expect(await tableExists("migration_test_half")).toBe(true);
  });

  it("refuses to run again a migration recorded as started but never finished", async () => {
    const stuck = migration("20991231000001_stuck", `CREATE TABLE migration_test_stuck (id int);`);
    await db.driver.exec(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('stuck-0001', '${stuck.checksum}', '${stuck.name}')`,
    );
    await expect(migrate(db.driver, [...readMigrations(), stuck])).rejects.toThrow(
      new MigrationError("migration 20991231000001_stuck failed earlier and needs a manual look"),
    );
    expect(await tableExists("migration_test_stuck")).toBe(false);
  });
});

describe("an applied migration changed afterwards", () => {
  it("stops the hub from starting, naming the migration", async () => {
    const [first] = readMigrations();
    // As if the file had been edited after it was applied: the recorded checksum no longer matches the file.
    await db.driver.exec(
      `UPDATE "_prisma_migrations" SET checksum = '${"0".repeat(64)}' WHERE migration_name = '${first!.name}'`,
    );
    await db.close();
    const start = createHub({
      database: options,
      auth: { jwtSecret: TEST_SECRET },
      connectors: { nationalUrl: "http://127.0.0.1:9" },
      logger: pino({ level: "silent" }),
    });
    await expect(start).rejects.toThrow(
      new MigrationError(`migration ${first!.name} was changed after it was applied (checksum differs)`),
    );
    // Nothing was held: the database opens again (without migrating) for the checks that follow.
    db = await openDatabase({ ...options, migrate: false });
    await expect(migrate(db.driver)).rejects.toBeInstanceOf(MigrationError);
  });
});
