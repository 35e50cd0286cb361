// The only module that reads process.env. Validated once, typed, and failing fast with every problem listed.
import { z } from "zod";

import { DEV_TOKEN_RULES, type TokenRules } from "./auth/token-verifier";
import { REPLICA_GUARD_DEFAULTS } from "./db/replica-guard";
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from "./http/connection-guards";

const optionalUrl = z
  .string()
  .url()
  .optional()
  .transform((v) => v || undefined);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    HUB_DATA_DIR: z.string().default("./data/pglite"),
    HUB_JWT_SECRET: z.string().min(32, "HUB_JWT_SECRET must be at least 32 characters").optional(),
    HUB_JWKS_URL: optionalUrl,
    HUB_JWT_ISSUER: z.string().min(1).optional(),
    HUB_JWT_AUDIENCE: z.string().min(1).optional(),
    HUB_JWT_MAX_AGE_S: z.coerce.number().int().positive().optional(),
    HUB_DEMO_DATA: z.enum(["0", "1"]).default("0"),
    HUB_NATIONAL_URL: optionalUrl,
    HUB_CREDIT_URL: optionalUrl,
    HUB_FINANCE_URL: optionalUrl,
    HUB_SIM_NATIONAL_SEED: z.string().optional(),
    HUB_SIM_CREDIT_SEED: z.string().optional(),
    HUB_SIM_FINANCE_PAY_DELAY_S: z.coerce.number().min(0).optional(),
    HUB_CONNECTOR_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
    HUB_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
    HUB_DEBUG_ERRORS: z.enum(["0", "1"]).default("0"),
    HUB_SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10000),
    HUB_REDIS_URL: optionalUrl,
    HUB_MAX_CONNECTIONS: z.coerce.number().int().positive().default(DEFAULT_CONNECTION_LIMITS.maxConnections),
    HUB_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
    HUB_BODY_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_CONNECTION_LIMITS.bodyIdleTimeoutMs),
    HUB_AUDIT_ANCHOR_KEY: z.string().min(32, "HUB_AUDIT_ANCHOR_KEY must be at least 32 characters").optional(),
    HUB_AUDIT_CHECKPOINT_DIR: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    // PostgreSQL only (db/database.ts): how long a silent database may hold a request.
    HUB_OUTBOX_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
    HUB_METRICS_COMPACTION_INTERVAL_MS: z.coerce.number().int().positive().default(15000),
    HUB_DB_POOL_SIZE: z.coerce.number().int().positive().default(20),
    HUB_DB_READ_LANES: z.coerce.number().int().min(0).max(16).default(4),
    HUB_DB_REPLICA_URL: z
      .string()
      .optional()
      .transform((v) => v || undefined),
    HUB_DB_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(REPLICA_GUARD_DEFAULTS.maxLagMs),
    HUB_MAX_CONCURRENT_MUTATIONS: z.coerce.number().int().min(0).default(0),
    HUB_IMPORT_LANES: z.coerce.number().int().min(1).max(8).optional(),
    HUB_METRICS_MAX_STALENESS_MS: z.coerce.number().int().min(0).default(1000),
    HUB_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    HUB_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
    HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
  })
  .superRefine((env, ctx) => {
    if (env.HUB_DB_REPLICA_URL && !env.DATABASE_URL)
      ctx.addIssue({
        code: "custom",
        path: ["HUB_DB_REPLICA_URL"],
        message: "a replica serves agency reads beside a PostgreSQL primary: set DATABASE_URL too",
      });
    if (env.HUB_DB_REPLICA_URL && !/^postgres(ql)?:\/\//.test(env.HUB_DB_REPLICA_URL))
      ctx.addIssue({
        code: "custom",
        path: ["HUB_DB_REPLICA_URL"],
        message: "must be a postgres:// or postgresql:// URL",
      });
    if (env.NODE_ENV === "production" && !env.HUB_JWKS_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["HUB_JWKS_URL"],
        message: "production verifies tokens against HUB_JWKS_URL",
      });
    }
    for (const key of ["HUB_JWT_ISSUER", "HUB_JWT_AUDIENCE", "HUB_JWT_MAX_AGE_S"] as const) {
      if (env.NODE_ENV === "production" && env[key] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "production requires the token issuer, audience and max age",
        });
    }
    for (const key of ["HUB_AUDIT_ANCHOR_KEY", "HUB_AUDIT_CHECKPOINT_DIR"] as const) {
      if (env.NODE_ENV === "production" && !env[key])
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "production anchors the exchange log outside the database",
        });
    }
    if (env.NODE_ENV === "production" && env.HUB_DEBUG_ERRORS === "1") {
      ctx.addIssue({
        code: "custom",
        path: ["HUB_DEBUG_ERRORS"],
        message: "debug errors are not allowed in production",
      });
    }
  });

export interface HubConfig {
  env: "development" | "test" | "production";
  port: number;
  host: string;
  database: {
    url?: string;
    dataDir: string;
    timeouts: { connectMs: number; statementMs: number; idleInTransactionMs: number };
    /** PostgreSQL connections this process may hold (N hubs hold N x this; keep it under max_connections). */
    poolSize: number;
    /** HUB_DB_READ_LANES: pipelined connections the short reads share (decision 045); 0: every read on the pool. */
    readLanes: number;
    /** HUB_DB_REPLICA_URL: a read-only copy of the database (a streaming replica) that answers the agency bureaus'
     *  reads (decision 057); absent: they read the primary. */
    replicaUrl?: string;
    /** HUB_DB_REPLICA_MAX_LAG_MS: the replica answers only while it is shown to be at most this far behind (decision
     *  058; default 10,000); 0: whenever it answers. */
    replicaMaxLagMs: number;
  };
  auth: { jwtSecret?: string; jwksUrl?: string; devSecretGenerated: boolean; tokenRules: TokenRules };
  demoData: boolean;
  connectors: { nationalUrl?: string; creditUrl?: string; financeUrl?: string; timeoutMs: number };
  simulators: { nationalSeedFile?: string; creditSeedFile?: string; financePayDelayS?: number };
  logLevel: string;
  debugErrors: boolean;
  shutdownGraceMs: number;
  /** Rate limits (always on in a started hub) and slow-client limits (issue 11). */
  rateLimit: { redisUrl?: string };
  connectionLimits: Pick<ConnectionLimits, "maxConnections" | "headersTimeoutMs" | "bodyIdleTimeoutMs">;
  /** HUB_MAX_CONCURRENT_MUTATIONS: mutations executing at once in this process (decision 029); 0/absent: no cap. */
  maxConcurrentMutations?: number;
  /** HUB_IMPORT_LANES: batches of a bank collection file posted at once (decision 041); absent: 2 on PostgreSQL, 1 on PGlite. */
  importLanes?: number;
  /** HUB_METRICS_MAX_STALENESS_MS: pilotMetrics figures at most this old, shared by identical reads (decision 033);
   *  default 1000, 0: every read runs its own statement. */
  metricsMaxStalenessMs: number;
  /** anchorKey signs exchange-log checkpoints (generated per start in development); checkpointDir keeps them. */
  audit: { anchorKey?: string; checkpointDir?: string };
  /** Background work every hub process runs (safe with N processes: leases and advisory locks, docs/operations.md). */
  jobs: { outboxIntervalMs: number; metricsCompactionIntervalMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: {
      url: e.DATABASE_URL,
      dataDir: e.HUB_DATA_DIR,
      poolSize: e.HUB_DB_POOL_SIZE,
      readLanes: e.HUB_DB_READ_LANES,
      ...(e.HUB_DB_REPLICA_URL ? { replicaUrl: e.HUB_DB_REPLICA_URL } : {}),
      replicaMaxLagMs: e.HUB_DB_REPLICA_MAX_LAG_MS,
      timeouts: {
        connectMs: e.HUB_DB_CONNECT_TIMEOUT_MS,
        statementMs: e.HUB_DB_STATEMENT_TIMEOUT_MS,
        idleInTransactionMs: e.HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      },
    },
    auth: {
      jwtSecret: e.HUB_JWT_SECRET,
      jwksUrl: e.HUB_JWKS_URL,
      devSecretGenerated: false,
      tokenRules: {
        issuer: e.HUB_JWT_ISSUER ?? DEV_TOKEN_RULES.issuer,
        audience: e.HUB_JWT_AUDIENCE ?? DEV_TOKEN_RULES.audience,
        maxAgeS: e.HUB_JWT_MAX_AGE_S ?? DEV_TOKEN_RULES.maxAgeS,
      },
    },
    demoData: e.HUB_DEMO_DATA === "1",
    connectors: {
      nationalUrl: e.HUB_NATIONAL_URL,
      creditUrl: e.HUB_CREDIT_URL,
      financeUrl: e.HUB_FINANCE_URL,
      timeoutMs: e.HUB_CONNECTOR_TIMEOUT_MS,
    },
    simulators: {
      nationalSeedFile: e.HUB_SIM_NATIONAL_SEED,
      creditSeedFile: e.HUB_SIM_CREDIT_SEED,
      financePayDelayS: e.HUB_SIM_FINANCE_PAY_DELAY_S,
    },
    logLevel: e.HUB_LOG_LEVEL ?? (e.NODE_ENV === "test" ? "silent" : "info"),
    debugErrors: e.HUB_DEBUG_ERRORS === "1",
    shutdownGraceMs: e.HUB_SHUTDOWN_GRACE_MS,
    rateLimit: { redisUrl: e.HUB_REDIS_URL },
    maxConcurrentMutations: e.HUB_MAX_CONCURRENT_MUTATIONS || undefined,
    importLanes: e.HUB_IMPORT_LANES,
    metricsMaxStalenessMs: e.HUB_METRICS_MAX_STALENESS_MS,
    connectionLimits: {
      maxConnections: e.HUB_MAX_CONNECTIONS,
      headersTimeoutMs: e.HUB_HEADERS_TIMEOUT_MS,
      bodyIdleTimeoutMs: e.HUB_BODY_IDLE_TIMEOUT_MS,
    },
    audit: { anchorKey: e.HUB_AUDIT_ANCHOR_KEY, checkpointDir: e.HUB_AUDIT_CHECKPOINT_DIR },
    jobs: {
      outboxIntervalMs: e.HUB_OUTBOX_INTERVAL_MS,
      metricsCompactionIntervalMs: e.HUB_METRICS_COMPACTION_INTERVAL_MS,
    },
  };
}
