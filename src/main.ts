// Entry: config -> simulators (when no agency URL is set) -> hub -> demo data -> listen. Stops cleanly on SIGTERM.
import "reflect-metadata";

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { createHub } from "./app";
import { Role } from "./auth/role";
import { signDevToken, type TokenRules } from "./auth/token-verifier";
import { ConfigError, type HubConfig, loadConfig } from "./config";
import { DataDirLockedError } from "./db/data-dir-lock";
import { type SimulatorProcess, startSimulatorProcess } from "./dev/simulator-process";
import { demoNationalSeed, loadDemoData } from "./jobs/demo-data";
import { createLogger } from "./logger";
import { nodeRuntimeAdvice } from "./node-runtime";

/** Today in Asia/Shanghai: the demo data's "as of" date (business operations themselves never read the clock). */
function todayInShanghai(): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

async function printDevTokens(secret: string, workerAccount: string | undefined, rules: TokenRules): Promise<void> {
  const subjects: Record<Role, { sub: string; org: string; purpose?: string }> = {
    CENTER_OPERATOR: { sub: "op-0001", org: "140500" },
    CENTER_ADMIN: { sub: "admin-0001", org: "140500" },
    WORKER: { sub: workerAccount ?? "1405000000000001", org: "140500" },
    TAX_BUREAU: { sub: "tax-system", org: "tax-140500", purpose: "dev: 个税专项扣除核验" },
    HOUSING_BUREAU: { sub: "housing-system", org: "housing-140500", purpose: "dev: 公租房资格审核" },
    FINANCE_BUREAU: { sub: "finance-system", org: "finance-140500", purpose: "dev: 缴存补贴核对" },
    LEADERSHIP: { sub: "leader-0001", org: "pilot-group" },
    AUDITOR: { sub: "auditor-0001", org: "audit-140500" },
  };
  process.stdout.write(`\nDevelopment tokens (valid ${rules.maxAgeS} s; send as 'Authorization: Bearer <token>'):\n`);
  for (const role of Object.values(Role)) {
    process.stdout.write(
      `  ${role.padEnd(16)} ${await signDevToken(secret, { role, ...subjects[role] }, `${rules.maxAgeS}s`, rules)}\n`,
    );
  }
}

async function run(config: HubConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const runtimeAdvice = nodeRuntimeAdvice(process.version, todayInShanghai());
  if (runtimeAdvice) logger.warn({ nodeVersion: process.version }, runtimeAdvice);
  let simulators: SimulatorProcess | null = null;
  const needSimulators =
    !config.connectors.nationalUrl || !config.connectors.creditUrl || !config.connectors.financeUrl;
  if (needSimulators) {
    let nationalSeed = config.simulators.nationalSeedFile;
    if (!nationalSeed && config.demoData) {
      nationalSeed = resolve(dirname(resolve(config.database.dataDir)), "national-demo-seed.json");
      mkdirSync(dirname(nationalSeed), { recursive: true });
      writeFileSync(nationalSeed, JSON.stringify(demoNationalSeed(), null, 2));
    }
    simulators = await startSimulatorProcess({
      HUB_SIM_NATIONAL_SEED: nationalSeed,
      HUB_SIM_CREDIT_SEED: config.simulators.creditSeedFile,
      HUB_SIM_FINANCE_PAY_DELAY_S: config.simulators.financePayDelayS?.toString(),
    });
  }
  const devSecret =
    !config.auth.jwtSecret && !config.auth.jwksUrl && config.env !== "production"
      ? randomBytes(32).toString("hex")
      : undefined;
  const hub = await createHub({
    database: {
      url: config.database.url,
      dataDir: config.database.dataDir,
      timeouts: config.database.timeouts,
      poolSize: config.database.poolSize,
      readLanes: config.database.readLanes,
      replicaUrl: config.database.replicaUrl,
      replicaGuard: { maxLagMs: config.database.replicaMaxLagMs },
    },
    auth: {
      jwtSecret: config.auth.jwtSecret ?? devSecret,
      jwksUrl: config.auth.jwksUrl,
      tokenRules: config.auth.tokenRules,
    },
    connectors: {
      nationalUrl: config.connectors.nationalUrl ?? simulators!.urls.HUB_NATIONAL_URL!,
      financeUrl: config.connectors.financeUrl ?? simulators!.urls.HUB_FINANCE_URL!,
      creditUrl: config.connectors.creditUrl ?? simulators!.urls.HUB_CREDIT_URL!,
      timeoutMs: config.connectors.timeoutMs,
    },
    logger,
    production: config.env === "production",
    debugErrors: config.debugErrors,
    rateLimit: config.rateLimit,
    connectionLimits: config.connectionLimits,
    maxConcurrentMutations: config.maxConcurrentMutations,
    importLanes: config.importLanes,
    pilotMetricsFreshness: { maxStalenessMs: config.metricsMaxStalenessMs },
    audit: config.audit,
    outboxIntervalMs: config.jobs.outboxIntervalMs,
    metricsCompactionIntervalMs: config.jobs.metricsCompactionIntervalMs,
  }).catch(async (e: unknown) => {
    await simulators?.stop();
    throw e;
  });

  let firstWorker: string | undefined;
  if (config.demoData) {
    const empty = (await hub.db.prisma.account.count()) === 0;
    if (empty) {
      const started = Date.now();
      process.stdout.write("Loading demo data (a few hundred workers, two years of history)…\n");
      const summary = await loadDemoData(hub.services, todayInShanghai());
      process.stdout.write(
        `Demo data: ${JSON.stringify(summary)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    }
    firstWorker = (await hub.db.prisma.account.findFirst({ where: { status: "ACTIVE" }, orderBy: { id: "asc" } }))
      ?.accountNumber;
  }
  const url = await hub.listen(config.port, config.host);
  const simulatorLine = simulators
    ? `  Simulators ${Object.entries(simulators.urls)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}\n`
    : "";
  // One write, ending with "Ready.": a reader that waits for that line has the whole banner.
  process.stdout.write(
    `\nhpf-hub listening on ${url}\n  GraphQL  ${url}/graphql${config.env === "production" ? "" : `  (GraphiQL: open ${url}/graphiql in a browser)`}\n  Health   ${url}/healthz  ${url}/readyz\n` +
      `  Database ${hub.db.kind === "pglite" ? `PGlite in ${resolve(config.database.dataDir)}` : "PostgreSQL (DATABASE_URL)"}\n` +
      simulatorLine +
      (runtimeAdvice ? `  Runtime  ${runtimeAdvice}\n` : "") +
      "Ready.\n",
  );
  if (devSecret) await printDevTokens(devSecret, firstWorker, config.auth.tokenRules);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    hub
      .close(config.shutdownGraceMs)
      .then(async ({ cut }) => {
        await simulators?.stop();
        if (cut.length === 0) return process.exit(0);
        // The grace period ran out: say which requests lost their answer, and exit non-zero so a supervisor sees it.
        const list = cut.map((r) => `${r.method} ${r.path} (request ${r.requestId})`).join(", ");
        logger.error({ cut, graceMs: config.shutdownGraceMs }, "shutdown cut off requests in flight");
        process.stderr.write(`hpf-hub: shutdown grace period cut off ${cut.length} request(s): ${list}\n`);
        process.exit(4);
      })
      .then(
        () => undefined,
        (e: unknown) => {
          logger.error({ err: e }, "unclean shutdown");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

let config: HubConfig;
try {
  config = loadConfig();
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(2);
}
run(config).catch((e: unknown) => {
  if (e instanceof DataDirLockedError) {
    process.stderr.write(`hpf-hub cannot start: ${e.message}\n`);
    process.exit(3);
  }
  process.stderr.write(`hpf-hub failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
