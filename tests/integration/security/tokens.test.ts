// Finding 8 of issue 11: a token must come from our issuer, be meant for the hub, carry iat and live at most
// HUB_JWT_MAX_AGE_S (43200 s by default). Finding 2: sub, org and purpose hold no control or invisible-only text.
import { SignJWT } from "jose";

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

const PARAMS = `{ policyParameters(asOf: "2026-07-20") { key } }`;
const key = new TextEncoder().encode(TEST_SECRET);
const now = () => Math.floor(Date.now() / 1000);

interface Shape {
  iss?: string;
  aud?: string;
  iat?: number | null;
  exp?: number;
  sub?: string;
  org?: string;
  role?: string;
  purpose?: string;
}

/** A token signed with the hub's own secret, so only the claim under test can be wrong. */
function tokenWith(shape: Shape): Promise<string> {
  const { iss = "hpf-hub", aud = "hpf-hub", iat = now(), exp = now() + 600, sub = "op-1", ...rest } = shape;
  const jwt = new SignJWT({ role: "CENTER_OPERATOR", org: "test-org", ...rest })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime(exp);
  if (iat !== null) jwt.setIssuedAt(iat);
  return jwt.sign(key);
}

async function ask(token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query: PARAMS }),
  });
  return {
    status: res.status,
    body: (await res.json()) as GqlResponse["body"],
  };
}

describe("issuer, audience and age", () => {
  it("accepts a well-formed token (the control case)", async () => {
    const res = await ask(await tokenWith({}));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it.each([
    ["another issuer", { iss: "evil-idp" }],
    ["another audience", { aud: "some-other-service" }],
    ["no iat", { iat: null }],
    ["a 100-year token issued just now", { exp: now() + 100 * 365 * 86400 }],
    ["a token issued 13 hours ago and still unexpired", { iat: now() - 13 * 3600, exp: now() + 600 }],
  ])("refuses %s with 401 UNAUTHENTICATED", async (_name, shape) => {
    const res = await ask(await tokenWith(shape));
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("claims and purpose text (finding 2)", () => {
  it.each([
    ["a NUL in the purpose header", {}, { "x-hub-purpose": "%00" }],
    ["a line break in the purpose header", {}, { "x-hub-purpose": "audit%0Aforged-log-line" }],
    ["a zero-width-only purpose header", {}, { "x-hub-purpose": "%E2%80%8B%E2%80%8B" }],
    ["a bidi override in the purpose claim", { purpose: "check \u202egnp.exe" }, {}],
    ["a control character in sub", { sub: "op\u0000root" }, {}],
    ["an invisible-only org", { org: "\u200b\u2060" }, {}],
    ["an escape sequence in org", { org: "org\u001b[31m" }, {}],
  ])("refuses %s before anything is recorded", async (_name, shape, headers) => {
    const before = await t.hub.db.prisma.exchangeRecord.count();
    const res = await ask(await tokenWith({ role: "TAX_BUREAU", purpose: "审核", ...shape }), headers);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(["UNAUTHENTICATED"]);
    expect(res.body.errors![0]!.message).toMatch(/控制字符或不可见字符/);
    expect(await t.hub.db.prisma.exchangeRecord.count()).toBe(before);
  });

  it("still takes a purpose in Chinese, percent-encoded (authenticated: the tax bureau may not read parameters)", async () => {
    const res = await ask(await tokenWith({ role: "TAX_BUREAU" }), {
      "x-hub-purpose": encodeURIComponent("个税专项扣除核验"),
    });
    expect(res.status).toBe(200);
    expect(errorCodes(res)).toEqual(["FORBIDDEN"]);
  });
});
