// Runs one invariant check on the configured database (DATABASE_URL or HUB_DATA_DIR): prints its JSON report and
// exits 1 when the report is not ok. Shared by `npm run ledger:check` and `npm run metrics:check`.
import { loadConfig } from "../src/config";
import { type Database, openDatabase } from "../src/db/database";
import type { PrismaClient } from "../src/generated/prisma/client";

/** One statement of an operator's script (a check, a rebuild) may run this long on PostgreSQL. */
export const OPERATOR_STATEMENT_TIMEOUT_MS = 60 * 60_000;

/** The configured database (DATABASE_URL or HUB_DATA_DIR) for an operator's script: a check or a rebuild reads the
 *  whole ledger (or a county's share), tens of seconds at a city's size, far over a request's statement limit. */
export function openOperatorDatabase(): Promise<Database> {
  const config = loadConfig();
  return openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    timeouts: { statementMs: OPERATOR_STATEMENT_TIMEOUT_MS },
  });
}

export function runCheck(check: (prisma: PrismaClient) => Promise<{ ok: boolean }>): void {
  const main = async () => {
    const db = await openOperatorDatabase();
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
