// Issue 11, finding 7: a burst above the quota (policy data: rateLimit.*) gets 429 RATE_LIMITED with Retry-After,
// per consumer (sub + org) and per address; once with the Redis store (HUB_REDIS_URL, shared by hub processes)
// and once in memory. Other consumers carry on.
import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";
import pino from "pino";

import { HubRateLimiter } from "../../../src/http/rate-limit";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const REDIS_URL = process.env.HUB_REDIS_URL || "redis://127.0.0.1:6379";
const PARAMS = `{ policyParameters(asOf: "2026-07-20") { key } }`;
const TAX = `{ taxDeductions(taxYear: 2026, idNumbers: []) { idNumber } }`;

const today = () =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());

async function setQuota(t: TestHub, key: string, value: string): Promise<void> {
  await t.hub.db.prisma.policyParameter.create({
    data: {
      key,
      value,
      unit: "requests",
      effectiveFrom: new Date(`${today()}T00:00:00Z`),
      source: "test",
      recordedBy: "test",
    },
  });
  t.hub.services.policy.invalidate();
}

describe.each([
  ["in memory", undefined],
  ["in Redis", REDIS_URL],
])("rate limits %s", (_store, redisUrl) => {
  let t: TestHub;
  const keyPrefix = `hpf-hub-test:${process.pid}:${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    t = await startTestHub({ rateLimit: { redisUrl, keyPrefix } });
  }, 60_000);
  afterAll(async () => {
    await expectLedgerBalanced(t);
    await t.close();
  }, 60_000);

  it("answers an agency's 4th request in a minute with 429 RATE_LIMITED and Retry-After when its quota is 3", async () => {
    await setQuota(t, "rateLimit.agencyPerMinute", "3");
    for (let i = 0; i < 3; i++) {
      const ok = await t.gql(TAX, {}, { as: "TAX_BUREAU", sub: "tax-burst" });
      expect({ i, status: ok.status, errors: ok.body.errors }).toEqual({ i, status: 200, errors: undefined });
    }
    const res = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${await t.token("TAX_BUREAU", "tax-burst")}`,
      },
      body: JSON.stringify({ query: TAX }),
    });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(["RATE_LIMITED"]);
    expect(body.errors[0]!.message).toMatch(/请求过于频繁/);
    // Another agency system, and a center operator, are not held back by that consumer's burst.
    expect((await t.gql(TAX, {}, { as: "TAX_BUREAU", sub: "tax-other" })).status).toBe(200);
    expect((await t.gql(PARAMS)).body.errors).toBeUndefined();
  });

  it("limits the streamed import's consumer too (quota for center users is policy data as well)", async () => {
    await setQuota(t, "rateLimit.consumerPerMinute", "1");
    const send = async () =>
      fetch(`${t.url}/imports/bank-collection`, {
        method: "POST",
        headers: {
          "content-type": "text/csv",
          "idempotency-key": `rl-import-${randomBytes(4).toString("hex")}`,
          authorization: `Bearer ${await t.token("CENTER_OPERATOR", "op-import-burst")}`,
        },
        body: "paymentRef,accountNumber,period,amount,paidOn,result,reason\n",
      });
    expect((await send()).status).toBe(200);
    const second = await send();
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ errors: [{ extensions: { code: "RATE_LIMITED" } }] });
  });

  it("answers an address over its quota with 429 before reading the request", async () => {
    await setQuota(t, "rateLimit.addressPerMinute", "4");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: PARAMS }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(errorCodes({ status: res.status, body: (await res.json()) as never })).toEqual(["RATE_LIMITED"]);
      } else await res.arrayBuffer();
    }
    expect(statuses.slice(0, 4).every((s) => s !== 429)).toBe(true);
    expect(statuses[4]).toBe(429);
    // Health checks are never limited (an orchestrator must still see the hub alive).
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await setQuota(t, "rateLimit.addressPerMinute", "3000");
  });

  if (redisUrl) {
    it("keeps the count in Redis, so a second hub process sharing it refuses the same consumer", async () => {
      const redis = new Redis(redisUrl);
      try {
        expect((await redis.keys(`${keyPrefix}:consumer:3*`)).length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
      const other = new HubRateLimiter(t.hub.services.policy, pino({ level: "silent" }), { redisUrl, keyPrefix });
      const res = { setHeader: jest.fn() };
      try {
        await other.connected();
        await expect(
          other.admitConsumer(
            { sub: "tax-burst", org: "test-org", role: "TAX_BUREAU" as never, purpose: "x" },
            res as never,
          ),
        ).rejects.toMatchObject({ extensions: { code: "RATE_LIMITED" } });
        expect(res.setHeader).toHaveBeenCalledWith("retry-after", expect.stringMatching(/^\d+$/));
      } finally {
        await other.close();
      }
    });
  }
});
