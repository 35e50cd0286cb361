// The HTTP surface around the schema: health routes, request limits, error hygiene, token checks, request ids,
// GraphiQL served from our own assets in development, and what production mode turns off.
import "reflect-metadata";

import { request } from "node:http";

import { SignJWT } from "jose";
import pino from "pino";

import { startNationalPlatformSimulator } from "../../../simulators";
import { createHub, type Hub } from "../../../src/app";
import { signDevToken } from "../../../src/auth/token-verifier";
import { MAX_GRAPHQL_BODY_BYTES } from "../../../src/server";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";
import {
  errorCodes,
  expectLedgerBalanced,
  type GqlResponse,
  startTestHub,
  TEST_SECRET,
  type TestHub,
} from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
}, 60_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
}, 60_000);

/** A raw POST /graphql: any body, any headers. */
async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<GqlResponse & { headers: Headers }> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    requestId: res.headers.get("x-request-id") ?? "",
    body: JSON.parse(text) as GqlResponse["body"],
  };
}

const PARAMS = `query { policyParameters(asOf: "2026-07-20") { key } }`;
const LEAKS =
  /stacktrace|\bat [\w.<>]+ \(|node_modules|\.ts:\d+|prisma|SELECT |INSERT |invalid byte sequence|\bSQL\b|PGlite|ErrnoError/i;

/** A selection exactly `depth` fields deep: f{depth} { … f2 { leaf } }. */
const nest = (depth: number): string => (depth === 1 ? "leaf" : `f${depth} { ${nest(depth - 1)} }`);

describe("health", () => {
  it("answers /healthz with 200", async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz with 200 when the database is migrated", async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("answers an unknown path with 404", async () => {
    const res = await fetch(`${t.url}/no-such-route`);
    expect(res.status).toBe(404);
  });
});

describe("error hygiene", () => {
  it("answers a database failure inside a resolver with a generic INTERNAL_SERVER_ERROR, no stack and no SQL", async () => {
    // Break the database under the running hub (a table it reads disappears), as an operator's mistake would.
    await t.hub.db.driver.exec(`ALTER TABLE person RENAME TO person_away`);
    try {
      const res = await t.gql<{ accountByIdNumber: unknown }>(
        `query($i: IdNumber!) { accountByIdNumber(idNumber: $i) { accountNumber } }`,
        { i: "14050219900517001X" },
      );
      expect(JSON.stringify(res.body)).not.toMatch(LEAKS);
      expect(res.body.data).toEqual({ accountByIdNumber: null });
      expect(res.body.errors).toEqual([
        {
          message: "服务器内部错误 internal server error",
          locations: expect.any(Array),
          path: ["accountByIdNumber"],
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        },
      ]);
    } finally {
      await t.hub.db.driver.exec(`ALTER TABLE person_away RENAME TO person`);
    }
  });

  it("refuses a NUL character anywhere in a request with BAD_USER_INPUT", async () => {
    const res = await t.gql(`query($n: String!) { account(accountNumber: $n) { accountNumber } }`, {
      n: "14050\u0000",
    });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("keeps every error code inside the contract's closed list", async () => {
    const answers = await Promise.all([
      t.gql(`{ nope }`),
      t.gql(`{`),
      t.gql(PARAMS, {}, { as: null }),
      t.gql(
        `mutation { setPolicyParameter(input: { key: "x", value: "1", effectiveFrom: "2026-01-01", idempotencyKey: "k-0000001" }) { userErrors { code } } }`,
      ),
    ]);
    const codes = answers.flatMap((a) => errorCodes(a));
    expect(codes).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN"]);
    for (const a of answers) expect(JSON.stringify(a.body)).not.toMatch(LEAKS);
  });
});

describe("request limits", () => {
  it("refuses a batched request (a JSON array body)", async () => {
    const res = await post(t.url, JSON.stringify([{ query: PARAMS }, { query: PARAMS }]), {
      authorization: `Bearer ${await t.token("CENTER_OPERATOR")}`,
    });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data).toBeUndefined();
  });

  it("refuses a document nested deeper than 10 levels with BAD_USER_INPUT", async () => {
    // The schema has no path that deep, so the unknown fields also fail validation; the depth rule must still report.
    const tooDeep = await t.gql(`{ ${nest(11)} }`);
    expect(tooDeep.body.errors!.some((e) => /too deep/.test(e.message))).toBe(true);
    expect(new Set(errorCodes(tooDeep))).toEqual(new Set(["BAD_USER_INPUT"]));
    const besideFragments = await t.gql(
      `{ ...A } fragment A on Query { ${nest(5)} ...B } fragment B on Query { ${nest(10)} }`,
    );
    expect(besideFragments.body.errors!.some((e) => /too deep/.test(e.message))).toBe(false);
    const throughFragments = await t.gql(
      `{ a { ...A } } fragment A on Query { b { ...B } } fragment B on Query { ${nest(9)} }`,
    );
    expect(throughFragments.body.errors!.some((e) => /too deep/.test(e.message))).toBe(true);
    const atTheLimit = await t.gql(`{ ${nest(10)} }`);
    expect(atTheLimit.body.errors!.some((e) => /too deep/.test(e.message))).toBe(false);
  });

  it("refuses more than 30 aliases with BAD_USER_INPUT and accepts 30", async () => {
    const aliased = (n: number) =>
      `query { policyParameters(asOf: "2026-07-20") { ${Array.from({ length: n }, (_, i) => `a${i}: key`).join(" ")} } }`;
    const over = await t.gql(aliased(31));
    expect(errorCodes(over)).toEqual(["BAD_USER_INPUT"]);
    expect(over.body.errors![0]!.message).toMatch(/too many aliases/);
    expect(over.body.data).toBeUndefined();
    const at = await t.gql<{ policyParameters: unknown[] }>(aliased(30));
    expect(at.body.errors).toBeUndefined();
    expect(at.body.data!.policyParameters.length).toBeGreaterThan(0);
  });

  it("refuses a body over 6 MB with 413 before reading it", async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${t.url}/graphql`,
        {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": MAX_GRAPHQL_BODY_BYTES + 1 },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode!, body });
          });
        },
      );
      req.on("error", reject);
      req.write("{"); // the rest never comes: the server must answer from the declared length alone
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("refuses a chunked body that grows past 6 MB with 413", async () => {
    const big = JSON.stringify({ query: PARAMS, variables: { pad: "x".repeat(MAX_GRAPHQL_BODY_BYTES) } });
    const result = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${t.url}/graphql`,
        { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on("error", (e: NodeJS.ErrnoException) =>
        e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e),
      );
      for (let i = 0; i < big.length; i += 256 * 1024) req.write(big.slice(i, i + 256 * 1024));
      req.end();
    });
    expect(result).toBe(413);
  });

  it("answers malformed JSON with 400 BAD_USER_INPUT", async () => {
    const res = await post(t.url, `{"query": "{ __typename }"`, {
      authorization: `Bearer ${await t.token("CENTER_OPERATOR")}`,
    });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(JSON.stringify(res.body)).not.toMatch(LEAKS);
  });
});

describe("tokens", () => {
  const unauthenticatedWith = async (authorization: string) => {
    const res = await post(t.url, JSON.stringify({ query: PARAMS }), { authorization });
    expect({ status: res.status, codes: errorCodes(res) }).toEqual({ status: 401, codes: ["UNAUTHENTICATED"] });
    expect(res.body.data ?? null).toBeNull();
    expect(JSON.stringify(res.body)).not.toMatch(/JWS|JWT[A-Z]|signature verification|ERR_JW|stack/i);
  };
  const claims = { role: "CENTER_OPERATOR", org: "test-org" };

  it("refuses a token that is not a JWT", async () => {
    await unauthenticatedWith("Bearer not-a-token");
    await unauthenticatedWith("Bearer ");
    await unauthenticatedWith("Basic dXNlcjpwYXNz");
  });

  it("refuses an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("op-1")
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    await unauthenticatedWith(`Bearer ${expired}`);
  });

  it("refuses a token signed with another secret", async () => {
    const forged = await signDevToken("another-secret-that-is-also-long-enough-0123456789", {
      sub: "op-1",
      ...claims,
      role: "CENTER_ADMIN",
    });
    await unauthenticatedWith(`Bearer ${forged}`);
  });

  it("refuses an unsigned token, one without exp, and one with an unknown role", async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    await unauthenticatedWith(
      `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "op-1", ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}.`,
    );
    const key = new TextEncoder().encode(TEST_SECRET);
    await unauthenticatedWith(
      `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("op-1").sign(key)}`,
    );
    await unauthenticatedWith(
      `Bearer ${await signDevToken(TEST_SECRET, { sub: "op-1", org: "test-org", role: "ROOT" as never })}`,
    );
  });
});

describe("request ids", () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it("makes its own id for every request; a well-formed client id is only answered back as x-client-request-id", async () => {
    const given = await post(t.url, JSON.stringify({ query: PARAMS }), { "x-request-id": "req-2026.07:0815" });
    expect(given.headers.get("x-request-id")).toMatch(UUID);
    expect(given.headers.get("x-client-request-id")).toBe("req-2026.07:0815");
    const again = await post(t.url, JSON.stringify({ query: PARAMS }), { "x-request-id": "req-2026.07:0815" });
    expect(again.headers.get("x-request-id")).toMatch(UUID);
    expect(again.headers.get("x-request-id")).not.toBe(given.headers.get("x-request-id"));
    const health = await fetch(`${t.url}/healthz`, { headers: { "x-request-id": "health-1" } });
    expect(health.headers.get("x-request-id")).toMatch(UUID);
    // Spaces, tabs, over-long client ids are dropped, never echoed (only 1–64 visible ASCII characters pass).
    for (const bad of ["not allowed <script>", "x".repeat(65), "a\tb", "a b"]) {
      const res = await post(t.url, JSON.stringify({ query: PARAMS }), { "x-request-id": bad });
      expect(res.headers.get("x-request-id")).toMatch(UUID);
      expect(res.headers.get("x-client-request-id")).toBeNull();
    }
    const none = await post(t.url, JSON.stringify({ query: PARAMS }));
    expect(none.headers.get("x-request-id")).toMatch(UUID);
  });

  it("never lets a client's id become another request's id in the exchange log", async () => {
    // Two agency reads that both claim the id of an earlier center mutation: each gets a record of its own.
    const first = await t.gql(PARAMS, {}, { as: "TAX_BUREAU", headers: { "x-request-id": "shared-id-1" } });
    const second = await t.gql(PARAMS, {}, { as: "TAX_BUREAU", headers: { "x-request-id": "shared-id-1" } });
    await t.hub.services.exchangeLog.drain();
    expect(first.requestId).not.toBe(second.requestId);
    const claimed = await t.hub.db.prisma.exchangeRecord.count({ where: { requestId: "shared-id-1" } });
    expect(claimed).toBe(0);
    for (const res of [first, second])
      expect(await t.hub.db.prisma.exchangeRecord.count({ where: { requestId: res.requestId } })).toBe(1);
  });
});

describe("GraphiQL in development", () => {
  it("serves a page whose scripts and styles all come from /graphiql/assets/", async () => {
    const res = await fetch(`${t.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/src="\/\/|href="\/\//);
    const urls = [...page.matchAll(/<script[^>]*\bsrc="([^"]+)"|<link[^>]*\bhref="([^"]+)"/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      expect(url).toMatch(/^\/graphiql\/assets\/[\w.-]+$/);
      const asset = await fetch(`${t.url}${url}`);
      expect({ url, status: asset.status }).toEqual({ url, status: 200 });
      expect(asset.headers.get("content-type")).toMatch(url.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it("answers an unknown asset with 404 and does not walk out of the assets folder", async () => {
    expect((await fetch(`${t.url}/graphiql/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/graphiql/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it("allows introspection and suggests field names in development", async () => {
    const res = await t.gql<{ __schema: { queryType: { name: string } } }>(`{ __schema { queryType { name } } }`);
    expect(res.body.data!.__schema.queryType.name).toBe("Query");
    const typo = await t.gql(`{ policyParameter(asOf: "2026-07-20") { key } }`);
    expect(typo.body.errors![0]!.message).toMatch(/Did you mean/);
  });
});

describe("production mode", () => {
  let prod: { hub: Hub; url: string; db: TestDatabase; close(): Promise<void> };
  const token = () => signDevToken(TEST_SECRET, { sub: "op-prod", role: "CENTER_OPERATOR", org: "test-org" });
  const gql = async (query: string, variables: Record<string, unknown> = {}) =>
    post(prod.url, JSON.stringify({ query, variables }), { authorization: `Bearer ${await token()}` });

  beforeAll(async () => {
    const db = await createTestDatabase();
    const national = await startNationalPlatformSimulator({ port: 0 });
    const hub = await createHub({
      database: db.options,
      auth: { jwtSecret: TEST_SECRET },
      // Nothing here tests a timeout: a generous one, so a loaded CI machine cannot fail an enrolment by slowness.
      connectors: { nationalUrl: national.url, timeoutMs: 10_000, retryBaseMs: 5 },
      logger: pino({ level: "silent" }),
      production: true,
    });
    const url = await hub.listen(0, "127.0.0.1");
    prod = {
      hub,
      url,
      db,
      close: async () => {
        await hub.close(2000);
        await national.close();
        await db.drop();
      },
    };
  }, 60_000);
  afterAll(async () => {
    await prod.close();
  }, 60_000);

  it("refuses introspection", async () => {
    for (const query of [`{ __schema { types { name } } }`, `{ __type(name: "Account") { fields { name } } }`]) {
      const res = await gql(query);
      expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
      expect(res.body.data ?? null).toBeNull();
    }
    const typename = await gql(`{ __typename }`);
    expect(typename.body).toEqual({ data: { __typename: "Query" } });
  });

  it("serves no GraphiQL page and no GraphiQL assets", async () => {
    expect((await fetch(`${prod.url}/graphiql`)).status).toBe(404);
    expect((await fetch(`${prod.url}/graphiql/assets/graphiql.min.js`)).status).toBe(404);
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await page.text()).not.toMatch(/<html/i);
  });

  it("gives no 'Did you mean' suggestions, in validation or in variable values", async () => {
    const answers = [
      await gql(`{ policyParameter(asOf: "2026-07-20") { key } }`),
      await gql(`{ policyParameters(asOf: "2026-07-20") { kee } }`),
      await gql(
        `mutation { recordDeposit(input: { accountNumber: "1", period: "2026-07", amount: "1.00", channel: ACTIVE_PAYMEN, paymentRef: "r", paidOn: "2026-07-01", idempotencyKey: "k-00000001" }) { userErrors { code } } }`,
      ),
      await gql(`mutation($input: RecordDepositInput!) { recordDeposit(input: $input) { userErrors { code } } }`, {
        input: {
          accountNumber: "1",
          period: "2026-07",
          amount: "1.00",
          channel: "ACTIVE_PAYMEN",
          paymentRef: "r",
          paidOn: "2026-07-01",
          idempotencyKey: "k-00000001",
        },
      }),
      await gql(`mutation($input: RecordDepositInput!) { recordDeposit(input: $input) { userErrors { code } } }`, {
        input: {
          accountNumber: "1",
          period: "2026-07",
          amount: "1.00",
          chanel: "ACTIVE_PAYMENT",
          paymentRef: "r",
          paidOn: "2026-07-01",
          idempotencyKey: "k-00000001",
        },
      }),
    ];
    for (const res of answers) {
      expect(errorCodes(res).length).toBeGreaterThan(0);
      expect(new Set(errorCodes(res))).toEqual(new Set(["BAD_USER_INPUT"]));
      expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/i);
    }
  });

  it("still serves /healthz, /readyz and the operations", async () => {
    expect((await fetch(`${prod.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${prod.url}/readyz`)).status).toBe(200);
    const res = await gql(PARAMS);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });
});
