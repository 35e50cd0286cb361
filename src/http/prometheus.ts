// Prometheus metrics of one hub process (prom-client, docs/decisions/020): HTTP request rate and latency per route,
// GraphQL latency per operation, the connectors' circuit breakers, the outbox and exchange-log queues, the metric
// deltas awaiting compaction, and the database pool. GET /metrics answers them in the text exposition format, to a
// CENTER_ADMIN token only (as the other operator routes: a bearer token, 401 without, 403 for other roles).
// Each hub has its own registry (tests start several hubs in one process); label values come from closed sets
// (routes the server knows, root fields the schema has), so a client cannot grow the number of series.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { ApolloServerPlugin } from "@apollo/server";
import { type FieldNode, type OperationDefinitionNode } from "graphql";
import type { Logger } from "pino";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { Role } from "../auth/role";
import type { TokenVerifier } from "../auth/token-verifier";
import type { ConnectorHealth } from "../connectors/connector.types";
import type { PoolStats } from "../db/database";
import type { ReadLaneStats } from "../db/read-lanes";
import type { ReplicaState } from "../db/replica-guard";
import type { PrismaClient } from "../generated/prisma/client";
import { bearerToken, headerValue, sendError } from "./http-io";

/** A pool's connections by state: total open, idle, in use, and the pool's maximum. */
function setPoolStates(gauge: Gauge<"state">, p: PoolStats): void {
  gauge.set({ state: "total" }, p.total);
  gauge.set({ state: "idle" }, p.idle);
  gauge.set({ state: "in_use" }, p.total - p.idle);
  gauge.set({ state: "max" }, p.max);
}

/** Who may scrape: the operators' administrator role (the same role that sets policy parameters). */
export const METRICS_ROLES: readonly Role[] = [Role.CENTER_ADMIN];

/** Paths counted under their own name; anything else is "other" (a scan of random URLs adds no series). */
const ROUTES = new Set([
  "/graphql",
  "/healthz",
  "/readyz",
  "/metrics",
  "/imports/bank-collection",
  "/imports/bank-payouts",
  "/imports/legacy-accounts",
  "/dashboard",
  "/exports/pilot-metrics.csv",
  "/exports/pilot-metrics.xlsx",
  "/graphiql",
]);

export function routeLabel(pathname: string): string {
  if (ROUTES.has(pathname)) return pathname;
  if (pathname.startsWith("/graphiql/") || pathname.startsWith("/dashboard/")) return pathname.split("/", 2).join("/");
  return "other";
}

/** A validated operation's label: its one root field ("account", "recordDeposit"), or "(multiple)". */
export function operationLabel(operation: OperationDefinitionNode | null | undefined): string {
  if (!operation) return "(invalid)";
  const names = new Set<string>();
  for (const s of operation.selectionSet.selections) {
    if (s.kind !== "Field") return "(multiple)";
    const name = (s as FieldNode).name.value;
    if (name !== "__typename") names.add(name);
  }
  return names.size === 1 ? [...names][0]! : "(multiple)";
}

const BREAKER_VALUE: Record<ConnectorHealth, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

export interface HubMetricsSources {
  prisma: PrismaClient;
  /** PostgreSQL pool figures (absent on PGlite: one in-process connection). */
  pool?: () => PoolStats;
  /** The replica's pool figures (only with HUB_DB_REPLICA_URL, decision 057). */
  replicaPool?: () => PoolStats;
  /** Whether the agency reads go to the replica, its lag, and where they went (only with HUB_DB_REPLICA_URL, decision 058). */
  replica?: () => ReplicaState;
  /** PostgreSQL read lanes' figures (absent on PGlite). */
  readLanes?: () => ReadLaneStats;
  /** Each connector's circuit breaker. */
  connectors: Record<string, { health(): ConnectorHealth }>;
  /** Exchange records waiting in this process's writer queue (not yet inserted). */
  exchangeWriteQueue: () => number;
  logger: Logger;
}

/** Queue depths are read from the database at most this often (a scrape every second costs three counts). */
const SAMPLE_EVERY_MS = 1000;

export class HubMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly requestSeconds: Histogram<"route">;
  private readonly operationSeconds: Histogram<"operation" | "type" | "outcome">;
  private readonly queue: Gauge<"queue">;
  private readonly oldestOutboxSeconds: Gauge;
  private readonly sampleFailures: Counter;
  private sampled: { at: number; done: Promise<void> } | null = null;

  constructor(private readonly sources: HubMetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: "hub_http_requests_total",
      help: "HTTP requests answered, by route, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: "hub_http_request_duration_seconds",
      help: "HTTP request time from arrival to the last byte sent, by route",
      labelNames: ["route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: "hub_graphql_operation_duration_seconds",
      help: "GraphQL operation time (parse to response), by root field, operation type and outcome (ok: no errors)",
      labelNames: ["operation", "type", "outcome"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: "hub_connector_breaker_state",
      help: "Circuit breaker of each agency connector: 0 closed (calls go through), 1 half-open (one trial), 2 open",
      labelNames: ["connector"],
      registers,
      collect() {
        for (const [connector, port] of Object.entries(sources.connectors))
          this.set({ connector }, BREAKER_VALUE[port.health()]);
      },
    });
    this.queue = new Gauge({
      name: "hub_queue_depth",
      help:
        "Work waiting: outbox_pending (messages not delivered), outbox_due (of those, due now), exchange_unchained " +
        "(records not yet linked into the chain), exchange_write_queue (records this process has not inserted), " +
        "metric_deltas (rows awaiting compaction)",
      labelNames: ["queue"],
      registers,
    });
    this.oldestOutboxSeconds = new Gauge({
      name: "hub_outbox_oldest_pending_seconds",
      help: "Age of the oldest undelivered outbox message (0 when none)",
      registers,
    });
    this.sampleFailures = new Counter({
      name: "hub_metrics_sample_failures_total",
      help: "Scrapes whose database figures could not be read (the gauges keep their last values)",
      registers,
    });
    const pool = sources.pool;
    if (pool) {
      new Gauge({
        name: "hub_db_pool_connections",
        help: "PostgreSQL connections of this process: total open, idle, in use, and the pool's maximum",
        labelNames: ["state"],
        registers,
        collect() {
          setPoolStates(this, pool());
        },
      });
      new Gauge({
        name: "hub_db_pool_waiting",
        help: "Queries waiting for a free PostgreSQL connection of this process",
        registers,
        collect() {
          this.set(pool().waiting);
        },
      });
    }
    const replica = sources.replicaPool;
    if (replica)
      new Gauge({
        name: "hub_db_replica_pool_connections",
        help: "Connections of this process to the replica that answers agency reads (decision 057): total open, idle, in use, the pool's maximum, and queries waiting for one",
        labelNames: ["state"],
        registers,
        collect() {
          const p = replica();
          setPoolStates(this, p);
          this.set({ state: "waiting" }, p.waiting);
        },
      });
    const guard = sources.replica;
    if (guard) {
      new Gauge({
        name: "hub_db_replica_in_use",
        help: "1 while the replica answers the agency reads (it answers and its lag is within HUB_DB_REPLICA_MAX_LAG_MS), 0 while the primary does (decision 058)",
        registers,
        collect() {
          this.set(guard().inUse ? 1 : 0);
        },
      });
      new Gauge({
        name: "hub_db_replica_lag_seconds",
        help: "How far the replica was at most behind the primary when its heartbeat was last read (decision 058); NaN until it shows one of this process's beats",
        registers,
        collect() {
          const lag = guard().lagMs;
          this.set(lag === null ? Number.NaN : lag / 1000);
        },
      });
      new Counter({
        name: "hub_db_agency_reads_total",
        help: "Agency reads (taxDeductions, rentalEligibility) since start, by the server that answered them (decision 058)",
        labelNames: ["server"],
        registers,
        collect() {
          const { reads } = guard();
          this.reset();
          this.inc({ server: "replica" }, reads.replica);
          this.inc({ server: "primary" }, reads.primary);
        },
      });
      new Counter({
        name: "hub_db_replica_fallbacks_total",
        help: "Agency reads the replica failed (away, or cancelled for recovery) and the primary answered instead (decision 058)",
        registers,
        collect() {
          this.reset();
          this.inc(guard().reads.fellBack);
        },
      });
    }
    const lanes = sources.readLanes;
    if (lanes) {
      new Gauge({
        name: "hub_db_read_lanes",
        help: "Pipelined PostgreSQL connections the short reads share (decision 045): lanes open, reads in flight on them",
        labelNames: ["state"],
        registers,
        collect() {
          const l = lanes();
          this.set({ state: "open" }, l.open);
          this.set({ state: "reads_in_flight" }, l.inFlight);
        },
      });
      new Counter({
        name: "hub_db_read_lane_reads_total",
        help: "Short reads since start: sent on a lane; sent to the pool because no lane was open or all were full (overflow); failed with their lane and sent again on the pool (retried)",
        labelNames: ["path"],
        registers,
        collect() {
          const l = lanes();
          this.reset();
          this.inc({ path: "lane" }, l.laneReads);
          this.inc({ path: "overflow" }, l.overflow);
          this.inc({ path: "retried" }, l.retried);
        },
      });
    }
  }

  /** Counts a request and its time once its response has been sent (or the connection closed). */
  track(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const route = routeLabel((req.url ?? "/").split("?", 1)[0]!);
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.requests.inc({ route, method: req.method ?? "GET", status: String(res.statusCode) });
      this.requestSeconds.observe({ route }, seconds);
    });
  }

  /** Times each GraphQL operation, labelled by its root field once it is validated. */
  graphqlPlugin(): ApolloServerPlugin {
    const histogram = this.operationSeconds;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let operation = "(invalid)";
        let type = "unknown";
        return {
          async didResolveOperation(ctx) {
            operation = operationLabel(ctx.operation);
            type = ctx.operation?.operation ?? "unknown";
          },
          async willSendResponse(ctx) {
            const body = ctx.response.body;
            const failed =
              (ctx.errors?.length ?? 0) > 0 || (body.kind === "single" && (body.singleResult.errors?.length ?? 0) > 0);
            histogram.observe(
              { operation, type, outcome: failed ? "error" : "ok" },
              Number(process.hrtime.bigint() - started) / 1e9,
            );
          },
        };
      },
    };
  }

  /** Reads the queue depths (at most once a second; a slow or absent database keeps the last values). */
  private sample(): Promise<void> {
    if (this.sampled && Date.now() - this.sampled.at < SAMPLE_EVERY_MS) return this.sampled.done;
    const done = this.readQueues().catch((e: unknown) => {
      this.sampleFailures.inc();
      this.sources.logger.warn({ err: e }, "metrics: queue depths could not be read");
    });
    this.sampled = { at: Date.now(), done };
    return done;
  }

  private async readQueues(): Promise<void> {
    const [row] = await this.sources.prisma.$queryRaw<
      {
        outbox_pending: bigint;
        outbox_due: bigint;
        outbox_oldest_s: number | null;
        exchange_unchained: bigint;
        metric_deltas: bigint;
      }[]
    >`SELECT
        (SELECT count(*) FROM outbox_message WHERE done_at IS NULL) AS outbox_pending,
        (SELECT count(*) FROM outbox_message WHERE done_at IS NULL AND next_attempt_at <= now()) AS outbox_due,
        (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM outbox_message WHERE done_at IS NULL) AS outbox_oldest_s,
        (SELECT count(*) FROM exchange_record WHERE seq IS NULL) AS exchange_unchained,
        (SELECT count(*) FROM metric_delta) AS metric_deltas`;
    this.queue.set({ queue: "outbox_pending" }, Number(row!.outbox_pending));
    this.queue.set({ queue: "outbox_due" }, Number(row!.outbox_due));
    this.queue.set({ queue: "exchange_unchained" }, Number(row!.exchange_unchained));
    this.queue.set({ queue: "metric_deltas" }, Number(row!.metric_deltas));
    this.oldestOutboxSeconds.set(Math.max(0, row!.outbox_oldest_s ?? 0));
  }

  /** The exposition text of every series, queue depths freshly read. */
  async scrape(): Promise<string> {
    await this.sample();
    this.queue.set({ queue: "exchange_write_queue" }, this.sources.exchangeWriteQueue());
    return this.registry.metrics();
  }
}

/** GET /metrics for a CENTER_ADMIN bearer token. */
export function metricsRoute(metrics: HubMetrics, verifier: TokenVerifier) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== "/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendError(res, 405, "BAD_USER_INPUT", "仅支持 GET");
      return true;
    }
    const token = bearerToken(req);
    if (!token) {
      sendError(res, 401, "UNAUTHENTICATED", "请先登录（缺少访问令牌）");
      return true;
    }
    let role: Role;
    try {
      role = (await verifier.verify(token, headerValue(req, "x-hub-purpose"))).role;
    } catch {
      sendError(res, 401, "UNAUTHENTICATED", "访问令牌无效或已过期");
      return true;
    }
    if (!METRICS_ROLES.includes(role)) {
      sendError(res, 403, "FORBIDDEN", "无权读取运行指标 (metrics are for CENTER_ADMIN)");
      return true;
    }
    const text = await metrics.scrape();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : text);
    return true;
  };
}
