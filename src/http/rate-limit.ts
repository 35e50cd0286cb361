// Rate limits per client address (before anything else runs) and per consumer (sub + org, once the token is
// verified), with rate-limiter-flexible: in Redis when HUB_REDIS_URL is set, so that several hub processes share
// one count, in memory otherwise (and in memory as insurance while Redis is unreachable: the hub keeps serving).
// The quotas are policy data (rateLimit.* parameters), so the center changes them without a deploy.
import type { IncomingMessage, ServerResponse } from "node:http";

import { Redis } from "ioredis";
import type { Logger } from "pino";
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

import { AGENCY_ROLES, type Viewer } from "../auth/viewer";
import { HubError } from "../errors";
import type { PolicyParameterService } from "../services/policy/policy-parameters.service";
import { sendJson } from "./http-io";

export interface RateLimitOptions {
  /** Redis shared by every hub process; unset = in memory. */
  redisUrl?: string;
  /** Keys live under this prefix (tests use their own). */
  keyPrefix?: string;
}

const WINDOW_S = 60;

function shanghaiToday(): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

const message = (retryAfterS: number) =>
  `请求过于频繁，请 ${retryAfterS} 秒后重试 (rate limited, retry after ${retryAfterS} s)`;

export class HubRateLimiter {
  private readonly redis: Redis | null;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly prefix: string;

  constructor(
    private readonly policy: PolicyParameterService,
    private readonly logger: Logger,
    options: RateLimitOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? "hpf-hub:rl";
    this.redis = options.redisUrl
      ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
      : null;
    this.redis?.on("error", (err: Error) =>
      this.logger.warn({ err }, "rate-limit store unreachable: counting in memory"),
    );
  }

  /** Waits (at most `timeoutMs`) for Redis, so the first requests are counted where every process sees them. */
  async connected(timeoutMs = 3000): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs).unref();
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if ((redis.status as string) !== "ready")
      this.logger.warn("rate-limit store not ready: counting in memory until it is");
  }

  get store(): "redis" | "memory" {
    return this.redis ? "redis" : "memory";
  }

  private limiter(kind: string, points: number): RateLimiterAbstract {
    const name = `${kind}:${points}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      const base = { points, duration: WINDOW_S, keyPrefix: `${this.prefix}:${name}` };
      limiter = this.redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: this.redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Seconds to wait when over quota, or null when the request may go on. */
  private async take(kind: string, parameter: string, key: string): Promise<number | null> {
    const points = (await this.policy.on(shanghaiToday())).int(parameter);
    try {
      await this.limiter(kind, points).consume(key);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw e;
    }
  }

  /** Per address: false (and a 429 answer with Retry-After already sent) when the address is over its quota. */
  async admitAddress(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const retryAfterS = await this.take("address", "rateLimit.addressPerMinute", req.socket.remoteAddress ?? "?");
    if (retryAfterS === null) return true;
    res.setHeader("connection", "close");
    sendJson(
      res,
      429,
      { errors: [{ message: message(retryAfterS), extensions: { code: "RATE_LIMITED", retryAfter: retryAfterS } }] },
      { "retry-after": String(retryAfterS) },
    );
    return false;
  }

  /** Per consumer (sub + org): throws RATE_LIMITED (HTTP 429) and sets Retry-After on `res` when over quota. */
  async admitConsumer(viewer: Viewer, res: ServerResponse): Promise<void> {
    const parameter = AGENCY_ROLES.has(viewer.role) ? "rateLimit.agencyPerMinute" : "rateLimit.consumerPerMinute";
    const retryAfterS = await this.take("consumer", parameter, JSON.stringify([viewer.sub, viewer.org]));
    if (retryAfterS === null) return;
    res.setHeader("retry-after", String(retryAfterS));
    throw new HubError("RATE_LIMITED", message(retryAfterS), { retryAfter: retryAfterS });
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
