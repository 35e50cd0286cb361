// Assembles a hub from its parts: database -> policy -> connectors -> services -> schema -> HTTP server.
// main.ts (npm start) and the test harness both use it, so tests run the same wiring users get.
import type { Logger } from "pino";

import { hs256Verifier, jwksVerifier, type TokenVerifier } from "./auth/token-verifier";
import { FinanceClient } from "./connectors/finance/finance.client";
import type { FinancePort } from "./connectors/finance/finance.port";
import { UnconfiguredFinance } from "./connectors/finance/finance.unconfigured";
import { NationalPlatformClient } from "./connectors/national-platform/national-platform.client";
import type { NationalPlatformPort } from "./connectors/national-platform/national-platform.port";
import { type Database, type DatabaseOptions, openDatabase } from "./db/database";
import { dashboardRoute } from "./http/dashboard/dashboard.route";
import { pilotMetricsExportRoute } from "./http/dashboard/pilot-metrics-export.route";
import { MetricsCompactor } from "./jobs/metrics-compaction";
import { OutboxDispatcher, outboxHandlers } from "./jobs/outbox-dispatcher";
import { loadFundAccounts } from "./ledger/fund-accounts";
import { buildHubSchema } from "./schema/build-schema";
import { createHubServer, type CutRequest, type HubServer } from "./server";
import { ExchangeLogWriter } from "./services/audit/exchange-log.writer";
import { loadSubjectKeyer } from "./services/audit/subject-key";
import type { HubServices } from "./services/hub-services";
import { PolicyParameterService, seedPolicyParameters } from "./services/policy/policy-parameters.service";

export interface HubOptions {
  database: DatabaseOptions | Database;
  auth: { jwtSecret?: string; jwksUrl?: string };
  /** financeUrl: the finance bureau (graduate subsidies); without it claims stay CLAIMED and settling is unavailable. */
  connectors: {
    nationalUrl: string;
    financeUrl?: string;
    timeoutMs?: number;
    retryBaseMs?: number;
    breaker?: { failureThreshold?: number; resetAfterMs?: number };
  };
  logger: Logger;
  production?: boolean;
  /** Benchmarks only: serve without writing exchange records, to measure what the log costs. */
  benchmarkWithoutExchangeLog?: boolean;
  debugErrors?: boolean;
  outboxIntervalMs?: number;
  /** How often metric deltas are folded into the rollups (default 15 s). */
  metricsCompactionIntervalMs?: number;
}

export interface Hub {
  services: HubServices;
  db: Database;
  server: HubServer;
  outbox: OutboxDispatcher;
  metricsCompactor: MetricsCompactor;
  national: NationalPlatformPort;
  listen(port: number, host: string): Promise<string>;
  /** Resolves with the requests the grace period cut off (none after a clean drain). */
  close(graceMs?: number): Promise<{ cut: CutRequest[] }>;
}

function verifierFor(auth: HubOptions["auth"]): TokenVerifier {
  if (auth.jwksUrl) return jwksVerifier(auth.jwksUrl);
  if (auth.jwtSecret) return hs256Verifier(auth.jwtSecret);
  throw new Error("no way to verify tokens: set HUB_JWT_SECRET (development) or HUB_JWKS_URL (production)");
}

export async function createHub(options: HubOptions): Promise<Hub> {
  const ownsDb = !("prisma" in options.database);
  const dbLogger = options.logger.child({ module: "database" });
  const db = ownsDb
    ? await openDatabase({
        onError: (e) => dbLogger.warn({ err: e }, "database connection lost; the pool opens a new one"),
        ...(options.database as DatabaseOptions),
      })
    : (options.database as Database);
  try {
    await seedPolicyParameters(db.prisma);
    const national = new NationalPlatformClient({
      baseUrl: options.connectors.nationalUrl,
      timeoutMs: options.connectors.timeoutMs,
      retryBaseMs: options.connectors.retryBaseMs,
      breaker: options.connectors.breaker,
      logger: options.logger.child({ connector: "national-platform" }),
    });
    const finance: FinancePort = options.connectors.financeUrl
      ? new FinanceClient({
          baseUrl: options.connectors.financeUrl,
          timeoutMs: options.connectors.timeoutMs,
          retryBaseMs: options.connectors.retryBaseMs,
          breaker: options.connectors.breaker,
          logger: options.logger.child({ connector: "finance" }),
        })
      : new UnconfiguredFinance();
    const outbox = new OutboxDispatcher(
      db.prisma,
      outboxHandlers(national),
      options.logger.child({ module: "outbox" }),
      options.outboxIntervalMs,
    );
    const services: HubServices = {
      prisma: db.prisma,
      policy: new PolicyParameterService(db.prisma),
      national,
      finance,
      fundAccounts: await loadFundAccounts(db.prisma),
      outbox,
      logger: options.logger,
      exchangeLog: new ExchangeLogWriter(db.prisma, db.kind),
      subjectKey: await loadSubjectKeyer(db.prisma),
    };
    const verifier = verifierFor(options.auth);
    const server = await createHubServer({
      schema: buildHubSchema(),
      hub: services,
      verifier,
      routes: [dashboardRoute(services), pilotMetricsExportRoute(services, verifier)],
      production: options.production ?? false,
      debugErrors: options.debugErrors ?? false,
      benchmarkWithoutExchangeLog: options.benchmarkWithoutExchangeLog,
      ready: () => db.ready(),
    });
    outbox.start();
    const metricsCompactor = new MetricsCompactor(
      db.prisma,
      options.logger.child({ module: "metrics-compaction" }),
      options.metricsCompactionIntervalMs,
    );
    metricsCompactor.start();
    return {
      services,
      db,
      server,
      outbox,
      metricsCompactor,
      national,
      listen: (port, host) => server.listen(port, host),
      close: async (graceMs = 10000) => {
        const drained = await server.close(graceMs);
        // Background work stops before the last records are flushed and the pool closes.
        await outbox.stop();
        await metricsCompactor.stop();
        await services.exchangeLog.close();
        if (ownsDb) await db.close();
        return drained;
      },
    };
  } catch (e) {
    if (ownsDb) await db.close();
    throw e;
  }
}
