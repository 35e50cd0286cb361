// The only module that reads process.env. Validated once, typed, and failing fast with every problem listed.
import { z } from "zod";

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
    // PostgreSQL only (db/database.ts): how long a silent database may hold a request.
    HUB_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    HUB_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),
    HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.HUB_JWKS_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["HUB_JWKS_URL"],
        message: "production verifies tokens against HUB_JWKS_URL",
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
  };
  auth: { jwtSecret?: string; jwksUrl?: string; devSecretGenerated: boolean };
  demoData: boolean;
  connectors: { nationalUrl?: string; creditUrl?: string; financeUrl?: string; timeoutMs: number };
  simulators: { nationalSeedFile?: string; creditSeedFile?: string; financePayDelayS?: number };
  logLevel: string;
  debugErrors: boolean;
  shutdownGraceMs: number;
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
      timeouts: {
        connectMs: e.HUB_DB_CONNECT_TIMEOUT_MS,
        statementMs: e.HUB_DB_STATEMENT_TIMEOUT_MS,
        idleInTransactionMs: e.HUB_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      },
    },
    auth: { jwtSecret: e.HUB_JWT_SECRET, jwksUrl: e.HUB_JWKS_URL, devSecretGenerated: false },
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
  };
}
