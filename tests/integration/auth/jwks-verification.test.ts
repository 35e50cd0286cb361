// Production verifies tokens against the identity provider's keys (HUB_JWKS_URL), not a shared secret.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from "jose";
import pino from "pino";

import { startNationalPlatformSimulator } from "../../../simulators";
import { createHub, type Hub } from "../../../src/app";
import { signDevToken } from "../../../src/auth/token-verifier";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

let jwks: Server;
let hub: Hub;
let url: string;
let database: TestDatabase;
let national: Awaited<ReturnType<typeof startNationalPlatformSimulator>>;
let privateKey: KeyLike;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  database = await createTestDatabase();
  national = await startNationalPlatformSimulator({ port: 0 });
  hub = await createHub({
    database: database.options,
    auth: { jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json` },
    connectors: { nationalUrl: national.url },
    logger: pino({ level: "silent" }),
    production: true,
  });
  url = await hub.listen(0, "127.0.0.1");
});

afterAll(async () => {
  await hub.close(1000);
  await national.close();
  await database.drop();
  await new Promise((resolve) => jwks.close(resolve));
});

async function ask(token: string) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ policyParameters(asOf: "2026-11-28") { key } }' }),
  });
  return (await res.json()) as {
    data?: { policyParameters: unknown[] } | null;
    errors?: { extensions: { code: string } }[];
  };
}

const sign = (claims: Record<string, unknown>, expires = "5m") =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "test-key" })
    .setSubject("admin-7")
    .setIssuer("hpf-hub")
    .setAudience("hpf-hub")
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(privateKey);

describe("token verification against a JWKS in production", () => {
  it("accepts a token signed by the identity provider's key", async () => {
    const body = await ask(await sign({ role: "CENTER_ADMIN", org: "140500" }));
    expect(body.errors).toBeUndefined();
    expect(body.data!.policyParameters.length).toBeGreaterThan(40);
  });

  it("refuses an HS256 token even with a plausible secret", async () => {
    const body = await ask(
      await signDevToken("a-development-secret-that-production-must-not-trust", {
        sub: "x",
        role: "CENTER_ADMIN",
        org: "140500",
      }),
    );
    expect(body.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("refuses an expired token and one with an unknown role", async () => {
    expect((await ask(await sign({ role: "CENTER_ADMIN", org: "140500" }, "-1m"))).errors?.[0]?.extensions.code).toBe(
      "UNAUTHENTICATED",
    );
    expect((await ask(await sign({ role: "SUPERUSER", org: "140500" }))).errors?.[0]?.extensions.code).toBe(
      "UNAUTHENTICATED",
    );
  });
});
