// npm run metrics:check — recomputes the pilot metrics from the source tables and compares them with the rollups
// plus pending deltas on the configured database; prints the report and exits 1 on any difference.
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { checkMetrics } from "../src/services/metrics/metrics-check";

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  try {
    const report = await checkMetrics(db.prisma);
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
