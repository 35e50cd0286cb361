// The verified-token cache (decision 023): a cached token is answered without a signature check only while it would
// still verify; a token changed in any byte is verified in full; the purpose header is judged per request.
import { SignJWT } from "jose";

import { hs256Verifier, signDevToken } from "../../../src/auth/token-verifier";

const SECRET = "a-test-secret-of-at-least-32-characters!";
const verifier = hs256Verifier(SECRET);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
}

afterEach(() => jest.useRealTimers());

it("answers a verified token again from the cache, with the same viewer", async () => {
  const token = await signDevToken(SECRET, { sub: "op-1", role: "CENTER_OPERATOR", org: "c-1" });
  const first = await verifier.verify(token, undefined);
  const second = await verifier.verify(token, undefined);
  expect(first).toEqual({ sub: "op-1", role: "CENTER_OPERATOR", org: "c-1", purpose: null });
  expect(second).toEqual(first);
});

it("still refuses a forged token after the genuine one was cached", async () => {
  const token = await signDevToken(SECRET, { sub: "w-1", role: "WORKER", org: "self" });
  await verifier.verify(token, undefined);
  const [header, , signature] = token.split(".");
  const forgedPayload = Buffer.from(
    JSON.stringify({
      role: "CENTER_ADMIN",
      org: "self",
      sub: "w-1",
      iss: "hpf-hub",
      aud: "hpf-hub",
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    }),
  ).toString("base64url");
  expect(await code(verifier.verify(`${header}.${forgedPayload}.${signature}`, undefined))).toBe("UNAUTHENTICATED");
  const otherKey = await signDevToken("another-secret-of-at-least-32-characters", {
    sub: "w-1",
    role: "CENTER_ADMIN",
    org: "self",
  });
  expect(await code(verifier.verify(otherKey, undefined))).toBe("UNAUTHENTICATED");
  // The genuine token still verifies as what it is.
  expect((await verifier.verify(token, undefined)).role).toBe("WORKER");
});

it("stops answering a cached token once it has expired", async () => {
  const start = new Date("2026-12-01T08:00:00Z");
  jest.useFakeTimers({ now: start, doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
  const iat = Math.floor(start.getTime() / 1000);
  const token = await new SignJWT({ role: "CENTER_OPERATOR", org: "c-1" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("op-2")
    .setIssuer("hpf-hub")
    .setAudience("hpf-hub")
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(new TextEncoder().encode(SECRET));
  expect((await verifier.verify(token, undefined)).sub).toBe("op-2");
  jest.setSystemTime(new Date(start.getTime() + 59_000));
  expect((await verifier.verify(token, undefined)).sub).toBe("op-2");
  jest.setSystemTime(new Date(start.getTime() + 60_000));
  expect(await code(verifier.verify(token, undefined))).toBe("UNAUTHENTICATED");
});

it("judges the purpose header on every request, cached or not", async () => {
  const token = await signDevToken(SECRET, { sub: "hb-1", role: "HOUSING_BUREAU", org: "housing" });
  expect((await verifier.verify(token, "租房资格核验")).purpose).toBe("租房资格核验");
  expect(await code(verifier.verify(token, undefined))).toBe("UNAUTHENTICATED");
  expect((await verifier.verify(token, "%E6%A0%B8%E9%AA%8C")).purpose).toBe("核验");
});
