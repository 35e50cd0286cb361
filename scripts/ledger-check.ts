// npm run ledger:check — proves the ledger invariants on the configured database; exits 1 when any fails.
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { checkLedger } from "../src/ledger/ledger-check";

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  try {
    const report = await checkLedger(db.prisma);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
