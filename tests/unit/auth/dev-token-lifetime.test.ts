// A development token's lifetime is never longer than asked, even when the clock's second turns while it is signed:
// jose reads the clock once for the expiry and once for the issue time, and a token one second longer than the
// verifier's limit was refused ("token lifetime too long"), a flake seen in the metrics export suite.
import { hs256Verifier, signDevToken } from "../../../src/auth/token-verifier";

const SECRET = "a-test-secret-of-at-least-32-characters!";

/** A clock whose every reading is 600 ms after the one before, starting 0.9 s into a second. */
function steppingDate(startMs: number): DateConstructor {
  let next = startMs;
  const Real = Date;
  return class SteppingDate extends Real {
    constructor(...args: unknown[]) {
      if (args.length > 0) super(...(args as [number]));
      else {
        super(next);
        next += 600;
      }
    }
    static override now(): number {
      const at = next;
      next += 600;
      return at;
    }
  } as DateConstructor;
}

it("signs a token of exactly the lifetime asked when a second turns between the clock's readings", async () => {
  const real = global.Date;
  const realNow = real.now();
  // Two seconds back, so that the token is not issued in the future of the verifier's real clock.
  global.Date = steppingDate(Math.floor(realNow / 1000) * 1000 - 2000 + 900);
  let token: string;
  try {
    token = await signDevToken(SECRET, { sub: "op-1", role: "CENTER_OPERATOR", org: "c-1" }, "12h");
  } finally {
    global.Date = real;
  }
  const [, body] = token.split(".");
  const claims = JSON.parse(Buffer.from(body!, "base64url").toString()) as { iat: number; exp: number };
  expect(claims.exp - claims.iat).toBeLessThanOrEqual(12 * 3600);
  await expect(
    hs256Verifier(SECRET, { issuer: "hpf-hub", audience: "hpf-hub", maxAgeS: 12 * 3600 }).verify(token, undefined),
  ).resolves.toMatchObject({ sub: "op-1" });
});
