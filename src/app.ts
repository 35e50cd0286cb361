// Assembles a hub from its parts: database -> policy -> connectors -> services -> schema -> HTTP server.
// main.ts (npm start) and the test harness both use it, so tests run the same wiring users get.
import { randomBytes } from "node:crypto";

import type { Logger } from "pino";

import { hs256Verifier, jwksVerifier, type TokenRules, type TokenVerifier } from "./auth/token-verifier";
import { CreditClient } from "./connectors/credit/credit.client";
import type { CreditPort } from "./connectors/credit/credit.port";
import { UnconfiguredCredit } from "./connectors/credit/credit.unconfigured";
import { FinanceClient } from "./connectors/finance/finance.client";
import type { FinancePort } from "./connectors/finance/finance.port";
import { UnconfiguredFinance } from "./connectors/finance/finance.unconfigured";
import { NationalPlatformClient } from "./connectors/national-platform/national-platform.client";
import type { NationalPlatformPort } from "./connectors/national-platform/national-platform.port";
import { type Database, type DatabaseOptions, openDatabase } from "./db/database";
import { buildHubSchema } from "./graphql/build-schema";
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from "./http/connection-guards";
import { dashboardRoute } from "./http/dashboard/dashboard.route";
import { pilotMetricsExportRoute } from "./http/dashboard/pilot-metrics-export.route";
import { HubMetrics, metricsRoute } from "./http/prometheus";
import { HubRateLimiter, type RateLimitOptions } from "./http/rate-limit";
import { MetricsCompactor } from "./jobs/metrics-compaction";
import { OutboxDispatcher, outboxHandlers } from "./jobs/outbox-dispatcher";
import { loadFundAccounts } from "./ledger/fund-accounts";
import { createLedger } from "./ledger/ledger";
import { createHubServer, type CutRequest, type HubServer } from "./server";
import { ExchangeAnchor } from "./services/audit/exchange-anchor";
import { ExchangeChainer } from "./services/audit/exchange-chainer";
import { ExchangeLogWriter } from "./services/audit/exchange-log.writer";
import {
  CREDIT_OUTBOUND,
  CREDIT_REFERENCE,
  FINANCE_BUREAU,
  FINANCE_OUTBOUND,
  NATIONAL_OUTBOUND,
  NATIONAL_PLATFORM,
  recordingOutbound,
} from "./services/audit/outbound-exchange";
import { loadSubjectKeyer } from "./services/audit/subject-key";
import { DEFAULT_DEPOSIT_BATCH, DepositBatcher } from "./services/deposits/deposit-batch";
import { DEFAULT_IMPORT_LANES } from "./services/deposits/import-bank-collection";
import type { GroupCommitOptions } from "./services/group-commit";
import type { HubServices } from "./services/hub-services";
import { FreshAnswerCache } from "./services/metrics/fresh-answer-cache";
import { recordPostingMetrics } from "./services/metrics/metric-deltas";
import type { PilotMetricsDto } from "./services/metrics/pilot-metrics";
import { PolicyParameterService, seedPolicyParameters } from "./services/policy/policy-parameters.service";
import { DEFAULT_WITHDRAWAL_BATCH, WithdrawalBatcher } from "./services/withdrawals/withdraw";

export interface HubOptions {
  database: DatabaseOptions | Database;
  /** tokenRules: issuer, audience and max age (development defaults when absent). */
  auth: { jwtSecret?: string; jwksUrl?: string; tokenRules?: TokenRules };
  /** financeUrl: the finance bureau (graduate subsidies); without it claims stay CLAIMED and settling is unavailable. */
  connectors: {
    nationalUrl: string;
    financeUrl?: string;
    /** The credit reference center (loan quota); without it loanQuota answers CONNECTOR_UNAVAILABLE. */
    creditUrl?: string;
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
  /** Rate limits (quotas from the rateLimit.* policy parameters); absent = none (tests, benchmarks). */
  rateLimit?: RateLimitOptions;
  /** Connection cap and slow-client timeouts; absent fields take DEFAULT_CONNECTION_LIMITS. */
  connectionLimits?: Partial<ConnectionLimits>;
  /** How often metric deltas are folded into the rollups (default 15 s). */
  metricsCompactionIntervalMs?: number;
  /**
   * The exchange log's anchor: the key that signs checkpoints (never stored in the database; a random one per start
   * when absent, development and tests) and the folder of the checkpoint file (absent: kept in memory).
   */
  audit?: { anchorKey?: string; checkpointDir?: string; chainIntervalMs?: number; checkpointIntervalMs?: number };
  /** graphql-jit for often-seen queries (decision 023); default on. `false` executes everything with graphql-js. */
  compiledExecution?: boolean | { compileAfter?: number };
  /** Admission control for writers: at most this many mutations execute at once (decision 029); absent: no cap. */
  maxConcurrentMutations?: number;
  /** Batches of a bank collection file posted at once (decision 041). Default: 2 on PostgreSQL, 1 on PGlite. */
  importLanes?: number;
  /**
   * pilotMetrics (and its exports) answered from a read at most `maxStalenessMs` old, shared by identical reads
   * (decision 033); absent or 0: every read runs its own statement. `now` is the clock (tests inject one).
   */
  pilotMetricsFreshness?: { maxStalenessMs: number; now?: () => number };
  /** recordDeposit's group commit (decision 019); absent fields take DEFAULT_DEPOSIT_BATCH (maxBatch 1: one by one). */
  depositBatch?: Partial<GroupCommitOptions>;
  /** withdraw's group commit (decision 051); absent fields take DEFAULT_WITHDRAWAL_BATCH (maxBatch 1: one by one). */
  withdrawalBatch?: Partial<GroupCommitOptions>;
}

export interface Hub {
  services: HubServices;
  db: Database;
  server: HubServer;
  outbox: OutboxDispatcher;
  metricsCompactor: MetricsCompactor;
  /** Prometheus metrics of this process (GET /metrics, CENTER_ADMIN). */
  metrics: HubMetrics;
  national: NationalPlatformPort;
  listen(port: number, host: string): Promise<string>;
  /** Resolves with the requests the grace period cut off (none after a clean drain). */
  close(graceMs?: number): Promise<{ cut: CutRequest[] }>;
}

/** Rounds of the exchange chainer asked for by inserts start at most this often (decision 031). */
const EXCHANGE_CHAIN_KICK_GAP_MS = 100;

function verifierFor(auth: HubOptions["auth"]): TokenVerifier {
  if (auth.jwksUrl) return jwksVerifier(auth.jwksUrl, auth.tokenRules);
  if (auth.jwtSecret) return hs256Verifier(auth.jwtSecret, auth.tokenRules);
  throw new Error("no way to verify tokens: set HUB_JWT_SECRET (development) or HUB_JWKS_URL (production)");
}

/** The hub's own database, its lost connections and the replica's moves told to the operator in the log. */
function openOwnDatabase(options: DatabaseOptions, dbLogger: Logger): Promise<Database> {
  return openDatabase({
    onError: (e) => dbLogger.warn({ err: e }, "database connection lost; the pool opens a new one"),
    ...options,
    replicaGuard: {
      onChange: (state) =>
        state.inUse
          ? dbLogger.info({ replica: state }, "agency reads go to the replica")
          : dbLogger.warn({ replica: state }, `agency reads go to the primary (replica ${state.condition})`),
      ...options.replicaGuard,
    },
  });
}

export async function createHub(options: HubOptions): Promise<Hub> {
  const ownsDb = !("prisma" in options.database);
  const dbLogger = options.logger.child({ module: "database" });
  const db = ownsDb
    ? await openOwnDatabase(options.database as DatabaseOptions, dbLogger)
    : (options.database as Database);
  try {
    await seedPolicyParameters(db.prisma);
    const subjectKey = await loadSubjectKeyer(db.prisma);
    const exchangeChainer = new ExchangeChainer(
      db.sql,
      db.kind,
      new ExchangeAnchor(options.audit?.anchorKey ?? randomBytes(32).toString("hex"), options.audit?.checkpointDir),
      options.logger.child({ module: "exchange-chainer" }),
      {
        intervalMs: options.audit?.chainIntervalMs ?? 1000,
        checkpointIntervalMs: options.audit?.checkpointIntervalMs ?? 10000,
        kickGapMs: EXCHANGE_CHAIN_KICK_GAP_MS,
      },
    );
    const exchangeLog = new ExchangeLogWriter(db.sql.client, () => exchangeChainer.kick());
    // Outbound calls that carry ID numbers write their exchange records first (outbound-exchange.ts).
    const outbound = { exchangeLog, subjectKey };
    const nationalClient = new NationalPlatformClient({
      baseUrl: options.connectors.nationalUrl,
      timeoutMs: options.connectors.timeoutMs,
      retryBaseMs: options.connectors.retryBaseMs,
      breaker: options.connectors.breaker,
      logger: options.logger.child({ connector: "national-platform" }),
    });
    const national = recordingOutbound<NationalPlatformPort>(
      nationalClient,
      NATIONAL_PLATFORM,
      NATIONAL_OUTBOUND,
      outbound,
    );
    const financeClient: FinancePort = options.connectors.financeUrl
      ? new FinanceClient({
          baseUrl: options.connectors.financeUrl,
          timeoutMs: options.connectors.timeoutMs,
          retryBaseMs: options.connectors.retryBaseMs,
          breaker: options.connectors.breaker,
          logger: options.logger.child({ connector: "finance" }),
        })
      : new UnconfiguredFinance();
    const finance = recordingOutbound(financeClient, FINANCE_BUREAU, FINANCE_OUTBOUND, outbound);
    const creditClient: CreditPort = options.connectors.creditUrl
      ? new CreditClient({
          baseUrl: options.connectors.creditUrl,
          timeoutMs: options.connectors.timeoutMs,
          retryBaseMs: options.connectors.retryBaseMs,
          breaker: options.connectors.breaker,
          logger: options.logger.child({ connector: "credit" }),
        })
      : new UnconfiguredCredit();
    const credit = recordingOutbound(creditClient, CREDIT_REFERENCE, CREDIT_OUTBOUND, outbound);
    const outbox = new OutboxDispatcher(
      db.prisma,
      outboxHandlers(national),
      options.logger.child({ module: "outbox" }),
      options.outboxIntervalMs,
    );
    const fundAccounts = await loadFundAccounts(db.prisma);
    const ledger = createLedger(fundAccounts, recordPostingMetrics);
    const services: HubServices = {
      prisma: db.prisma,
      reads: db.reads,
      agencyReads: db.agencyReads,
      sql: db.sql,
      ...(db.aggregatePrisma ? { aggregatePrisma: db.aggregatePrisma } : {}),
      // The parameters are read on the reserved read connections too: a read never waits for them behind writers.
      policy: new PolicyParameterService(db.aggregatePrisma ?? db.prisma),
      ...(options.pilotMetricsFreshness?.maxStalenessMs
        ? { pilotMetricsCache: new FreshAnswerCache<PilotMetricsDto>(options.pilotMetricsFreshness) }
        : {}),
      national,
      credit,
      finance,
      fundAccounts,
      ledger,
      outbox,
      logger: options.logger,
      exchangeLog,
      exchangeChainer,
      subjectKey,
      depositBatcher: new DepositBatcher(
        { prisma: db.prisma, sql: db.sql, ledger },
        { ...DEFAULT_DEPOSIT_BATCH, ...options.depositBatch },
      ),
      withdrawalBatcher: new WithdrawalBatcher(
        { sql: db.sql, ledger },
        { ...DEFAULT_WITHDRAWAL_BATCH, ...options.withdrawalBatch },
      ),
      // PGlite has one session: lanes would only queue behind each other there.
      importLanes: options.importLanes ?? (db.kind === "postgres" ? DEFAULT_IMPORT_LANES : 1),
    };
    const verifier = verifierFor(options.auth);
    const rateLimiter = options.rateLimit
      ? new HubRateLimiter(services.policy, options.logger.child({ module: "rate-limit" }), options.rateLimit)
      : undefined;
    await rateLimiter?.connected();
    const metrics = new HubMetrics({
      prisma: db.prisma,
      pool: db.pool,
      ...(db.replicaPool ? { replicaPool: db.replicaPool } : {}),
      ...(db.replica ? { replica: () => db.replica!.state() } : {}),
      readLanes: db.readLanes,
      connectors: { "national-platform": nationalClient, finance: financeClient, credit },
      exchangeWriteQueue: () => exchangeLog.queued,
      logger: options.logger.child({ module: "metrics" }),
    });
    const server = await createHubServer({
      schema: buildHubSchema(),
      hub: services,
      verifier,
      metrics,
      routes: [dashboardRoute(services), pilotMetricsExportRoute(services, verifier), metricsRoute(metrics, verifier)],
      production: options.production ?? false,
      debugErrors: options.debugErrors ?? false,
      benchmarkWithoutExchangeLog: options.benchmarkWithoutExchangeLog,
      compiledExecution: options.compiledExecution,
      maxConcurrentMutations: options.maxConcurrentMutations,
      ready: () => db.ready(),
      rateLimiter,
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits },
    });
    outbox.start();
    exchangeChainer.start();
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
      metrics,
      national,
      listen: (port, host) => server.listen(port, host),
      close: async (graceMs = 10000) => {
        const drained = await server.close(graceMs);
        await rateLimiter?.close();
        // Background work stops first; then the last exchange records are flushed and chained, then the pool closes.
        await outbox.stop();
        await metricsCompactor.stop();
        await services.exchangeLog.close();
        await exchangeChainer.stop();
        if (ownsDb) await db.close();
        return drained;
      },
    };
  } catch (e) {
    if (ownsDb) await db.close();
    throw e;
  }
}
