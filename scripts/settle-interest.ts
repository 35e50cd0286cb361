// The year-end interest run from the command line:
//   node -r @swc-node/register scripts/settle-interest.ts 2026 2027-07-01
// Settles the year (once: a repeat credits nothing twice), sends the interest-subsidy claim, prints the report.
// Needs the hub's database (DATABASE_URL, or the PGlite data folder HUB_DATA_DIR while no hub process holds it) and
// HUB_FINANCE_URL for the claim (unset: the claim stays CLAIMED and the next run sends it). Exits 1 when unsent.
import "reflect-metadata";

import { randomBytes } from "node:crypto";

import { createHub } from "../src/app";
import { loadConfig } from "../src/config";
import { isValidDate } from "../src/domain/calendar/calendar";
import { runInterestSettlement } from "../src/jobs/interest-settlement.job";
import { createLogger } from "../src/logger";

async function main(): Promise<void> {
  const year = Number(process.argv[2]);
  const asOf = process.argv[3] ?? "";
  if (!Number.isInteger(year) || !isValidDate(asOf))
    throw new Error("usage: node -r @swc-node/register scripts/settle-interest.ts YEAR YYYY-MM-DD");
  const config = loadConfig();
  const hub = await createHub({
    database: { url: config.database.url, dataDir: config.database.dataDir },
    auth: { jwtSecret: randomBytes(32).toString("hex") }, // serves no requests
    connectors: {
      nationalUrl: config.connectors.nationalUrl ?? "http://127.0.0.1:9",
      financeUrl: config.connectors.financeUrl,
      timeoutMs: config.connectors.timeoutMs,
    },
    logger: createLogger(config.logLevel),
    outboxIntervalMs: 3_600_000,
  });
  try {
    const report = await runInterestSettlement(hub.services, year, asOf);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.claims.some((c) => c.status === "CLAIMED") ? 1 : 0; // a part finance has not received
  } finally {
    await hub.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
