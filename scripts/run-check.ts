// Runs one invariant check on the configured database (DATABASE_URL or HUB_DATA_DIR): prints its JSON report and
// exits 1 when the report is not ok. Shared by `npm run ledger:check` and `npm run metrics:check`.
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import type { PrismaClient } from "../src/generated/prisma/client";

/** One check's statement may run this long (PostgreSQL). */
const CHECK_STATEMENT_TIMEOUT_MS = 60 * 60_000;

export function runCheck(check: (prisma: PrismaClient) => Promise<{ ok: boolean }>): void {
  const main = async () => {
    const config = loadConfig();
    // A check reads the whole ledger: at a city's size that is tens of seconds, far over a request's statement limit.
    const db = await openDatabase({
      url: config.database.url,
      dataDir: config.database.dataDir,
      timeouts: { statementMs: CHECK_STATEMENT_TIMEOUT_MS },
    });
    try {
      const report = await check(db.prisma);
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await db.close();
    }
  };
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
