// npm run db:migrate — applies pending migrations to DATABASE_URL (PostgreSQL) or HUB_DATA_DIR (PGlite),
// the same way the hub does at start. New migrations are created with `npm run db:migration:new -- <name>`.
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { migrate } from "../src/db/migrator";

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir, migrate: false });
  try {
    const applied = await migrate(db.driver);
    process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "no pending migrations\n");
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
