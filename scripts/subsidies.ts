// The monthly graduate-subsidy run from the command line:
//   node -r @swc-node/register scripts/subsidies.ts 2026-11
// Resends batches finance never acknowledged, claims the month if it has no batch yet, settles every open batch,
// and prints the report. Needs HUB_FINANCE_URL and the hub's database (DATABASE_URL, or the PGlite data folder
// HUB_DATA_DIR while no hub process holds it). Exits 1 when a batch could not be settled because finance was down.
import "reflect-metadata";

import { randomBytes } from "node:crypto";

import { createHub } from "../src/app";
import { loadConfig } from "../src/config";
import { isValidMonth } from "../src/domain/calendar/calendar";
import { runMonthlySubsidies } from "../src/jobs/graduate-subsidy.job";
import { createLogger } from "../src/logger";

async function main(): Promise<void> {
  const period = process.argv[2] ?? "";
  if (!isValidMonth(period)) throw new Error("usage: node -r @swc-node/register scripts/subsidies.ts YYYY-MM");
  const config = loadConfig();
  if (!config.connectors.financeUrl)
    throw new Error("HUB_FINANCE_URL is not set: the finance bureau's address is needed to claim and settle");
  const hub = await createHub({
    database: { url: config.database.url, dataDir: config.database.dataDir },
    auth: { jwtSecret: randomBytes(32).toString("hex") }, // serves no requests
    // The national platform is not used by this run; an unset URL only leaves the outbox to the hub process.
    connectors: {
      nationalUrl: config.connectors.nationalUrl ?? "http://127.0.0.1:9",
      financeUrl: config.connectors.financeUrl,
      timeoutMs: config.connectors.timeoutMs,
    },
    logger: createLogger(config.logLevel),
    outboxIntervalMs: 3_600_000,
  });
  try {
    const report = await runMonthlySubsidies(hub.services, period);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.unavailable.length > 0 ? 1 : 0;
  } finally {
    await hub.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
