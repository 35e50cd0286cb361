// A real hub for integration tests: its own database, the national platform simulator over real HTTP, the
// server on a free port. Requests go over HTTP with a token per role: `hub.gql(doc, vars, { as: "TAX_BUREAU" })`.
import "reflect-metadata";

import pino from "pino";

import { startCreditSimulator, startFinanceSimulator, startNationalPlatformSimulator } from "../../simulators";
import { createHub, type Hub, type HubOptions } from "../../src/app";
import type { Role } from "../../src/auth/role";
import { signDevToken } from "../../src/auth/token-verifier";
import type { DatabaseOptions } from "../../src/db/database";
import { checkLedger } from "../../src/ledger/ledger-check";
import { createTestDatabase, testClient, type TestDatabase } from "./test-database";

export const TEST_SECRET = "test-secret-for-hpf-hub-integration-tests-0123456789";

type NationalSimulator = Awaited<ReturnType<typeof startNationalPlatformSimulator>>;
type FinanceSimulator = Awaited<ReturnType<typeof startFinanceSimulator>>;
type CreditSimulator = Awaited<ReturnType<typeof startCreditSimulator>>;

export interface AsOptions {
  as?: `${Role}` | null;
  sub?: string;
  purpose?: string | null;
  headers?: Record<string, string>;
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  /** The hub's id of the request (x-request-id of the answer: the hub makes its own, whatever the client sent). */
  requestId?: string;
  body: { data?: T | null; errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] };
}

export interface TestHub {
  url: string;
  hub: Hub;
  national: NationalSimulator;
  /** The finance bureau simulator (pays at once: payDelayS 0). */
  finance: FinanceSimulator;
  /** The credit reference center simulator (everyone CLEAN unless set). */
  credit: CreditSimulator;
  database: TestDatabase;
  token(role: `${Role}`, sub?: string, purpose?: string | null): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: AsOptions,
  ): Promise<GqlResponse<T> & { requestId: string }>;
  close(): Promise<void>;
}

const AGENCY = new Set(["TAX_BUREAU", "HOUSING_BUREAU", "FINANCE_BUREAU"]);

/** Hub options a test needs on top of the defaults (a capturing logger, request guard limits, rate limits), and: */
export interface TestHubOptions extends Partial<Omit<HubOptions, "database">> {
  /** Changes how the hub reaches its database (fault tests put a proxy in between, with short timeouts). */
  database?: (created: DatabaseOptions) => DatabaseOptions | Promise<DatabaseOptions>;
  /** Changes how the hub reaches the simulators (fault tests put a fault proxy in between, or shorten timeouts). */
  reachConnectors?: (
    defaults: HubOptions["connectors"],
  ) => HubOptions["connectors"] | Promise<HubOptions["connectors"]>;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const { database: reachDatabase, reachConnectors, ...overrides } = options;
  const database = await createTestDatabase();
  // 'slow' simulators never answer before the hub gives up; the hub's timeout leaves room for a loaded machine.
  const national = await startNationalPlatformSimulator({ port: 0, slowMs: 60_000 });
  const finance = await startFinanceSimulator({ port: 0, payDelayS: 0, slowMs: 60_000 });
  const credit = await startCreditSimulator({ port: 0, slowMs: 60_000 });
  const connectors: HubOptions["connectors"] = {
    nationalUrl: national.url,
    financeUrl: finance.url,
    creditUrl: credit.url,
    timeoutMs: 2000,
    retryBaseMs: 5,
    breaker: { failureThreshold: 50, resetAfterMs: 200 },
  };
  const hub = await createHub({
    database: reachDatabase ? await reachDatabase(database.options) : database.options,
    auth: { jwtSecret: TEST_SECRET },
    connectors: reachConnectors ? await reachConnectors(connectors) : connectors,
    logger: pino({ level: "silent" }),
    debugErrors: false,
    outboxIntervalMs: 200,
    // Every query of the suites runs compiled from its first sighting (production compiles on the second), so the
    // suites prove graphql-jit answers, refuses and errs exactly as graphql-js did (decision 023).
    compiledExecution: { compileAfter: 1 },
    ...overrides,
  });
  const url = await hub.listen(0, "127.0.0.1");
  const token = (role: `${Role}`, sub?: string, purpose?: string | null) =>
    signDevToken(TEST_SECRET, {
      role,
      sub: sub ?? `${role.toLowerCase()}-test`,
      org: "test-org",
      ...(purpose === null ? {} : { purpose: purpose ?? (AGENCY.has(role) ? "integration test" : undefined) }),
    });
  return {
    url,
    hub,
    national,
    finance,
    credit,
    database,
    token,
    async gql<T>(
      query: string,
      variables: Record<string, unknown> = {},
      options: AsOptions = { as: "CENTER_OPERATOR" },
    ) {
      const headers: Record<string, string> = { "content-type": "application/json", ...(options.headers ?? {}) };
      const role = options.as === undefined ? "CENTER_OPERATOR" : options.as;
      if (role) headers.authorization = `Bearer ${await token(role, options.sub, options.purpose)}`;
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: res.status,
        requestId: res.headers.get("x-request-id") ?? "",
        body: (await res.json()) as GqlResponse<T>["body"],
      };
    },
    async close() {
      await hub.close(2000);
      await national.close();
      await finance.close();
      await credit.close();
      await database.drop();
    },
  };
}

/** Runs SQL outside the hub, as someone with database access would (PGlite: through the hub's own driver). */
export async function sqlOutsideHub(t: TestHub, statement: string): Promise<void> {
  if (t.database.kind === "postgres") {
    const c = testClient(t.database.options.url!);
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  } else {
    await t.hub.db.driver.exec(statement);
  }
}

/** The ledger invariants, asserted after every integration test file. */
export async function expectLedgerBalanced(hub: TestHub): Promise<void> {
  const report = await checkLedger(hub.hub.db.prisma);
  expect(report).toMatchObject({
    ok: true,
    unbalancedPostings: [],
    balanceMismatches: [],
    lastEntryMismatches: [],
    negativeBalances: [],
  });
  expect(report.totalDebit).toEqual(report.totalCredit);
}

export function errorCodes(res: GqlResponse): (string | undefined)[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.code);
}
