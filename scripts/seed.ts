// npm run db:seed — seeds the policy parameters (every catalogued default); with --demo, the demo data too
// (needs the national platform: HUB_NATIONAL_URL, or it starts the simulators itself as npm start does).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pino from "pino";

import { createHub } from "../src/app";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/database";
import { startSimulatorProcess } from "../src/dev/simulator-process";
import { demoNationalSeed, loadDemoData } from "../src/jobs/demo-data";
import { seedPolicyParameters } from "../src/services/policy/policy-parameters.service";

async function main(): Promise<void> {
  const config = loadConfig();
  if (!process.argv.includes("--demo")) {
    const db = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
    try {
      process.stdout.write(`policy parameters seeded: ${await seedPolicyParameters(db.prisma)} new\n`);
    } finally {
      await db.close();
    }
    return;
  }
  const seedFile = join(mkdtempSync(join(tmpdir(), "hub-seed-")), "national.json");
  writeFileSync(seedFile, JSON.stringify(demoNationalSeed()));
  const simulators = config.connectors.nationalUrl
    ? null
    : await startSimulatorProcess({ HUB_SIM_NATIONAL_SEED: seedFile });
  const hub = await createHub({
    database: { url: config.database.url, dataDir: config.database.dataDir },
    auth: { jwtSecret: "seed-only-secret-never-used-to-serve-requests" },
    connectors: { nationalUrl: config.connectors.nationalUrl ?? simulators!.urls.HUB_NATIONAL_URL! },
    logger: pino({ level: "warn" }),
  });
  try {
    if ((await hub.db.prisma.account.count()) > 0) {
      process.stdout.write("the database already has accounts: demo data not loaded\n");
    } else {
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
      process.stdout.write(`demo data: ${JSON.stringify(await loadDemoData(hub.services, today))}\n`);
      await hub.outbox.dispatchDue(1000);
    }
  } finally {
    await hub.close();
    await simulators?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
