// Verifies bearer tokens: HS256 with HUB_JWT_SECRET in development and tests, the keys at HUB_JWKS_URL in
// production. A token that does not verify, lacks a claim, comes from another issuer or for another audience,
// lives longer than the maximum age, or (for an agency) has no purpose is refused.
import { createRemoteJWKSet, type JWTPayload, jwtVerify, type JWTVerifyGetKey, SignJWT } from "jose";
import { LRUCache } from "lru-cache";

import { unauthenticated } from "../errors";
import { refuseUnprintable } from "./claim-text";
import { Role } from "./role";
import { AGENCY_ROLES, isRole, type Viewer } from "./viewer";

/** Whom a token must come from and be meant for, and how long it may live (issued-at to expiry, and since issue). */
export interface TokenRules {
  issuer: string;
  audience: string;
  maxAgeS: number;
}

/** Development and test defaults (production must configure all three: see src/config.ts). */
export const DEV_TOKEN_RULES: TokenRules = { issuer: "hpf-hub", audience: "hpf-hub", maxAgeS: 43200 };

export interface TokenVerifier {
  verify(token: string, purposeHeader: string | undefined): Promise<Viewer>;
}

const PURPOSE_MAX = 200;

/** HTTP headers carry ASCII only: a purpose in Chinese travels percent-encoded (UTF-8, as encodeURIComponent does). */
export function decodePurposeHeader(header: string | undefined): string | undefined {
  const text = header?.trim();
  if (!text || !text.includes("%")) return text;
  try {
    return decodeURIComponent(text).trim();
  } catch {
    return text; // not valid percent-encoding: keep it as sent
  }
}

function viewerFrom(payload: JWTPayload, purposeHeader: string | undefined): Viewer {
  const { sub, role, org } = payload as JWTPayload & { role?: unknown; org?: unknown; purpose?: unknown };
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 100) throw unauthenticated("令牌缺少 sub");
  if (!isRole(role)) throw unauthenticated("令牌的 role 无效");
  if (typeof org !== "string" || org.length === 0 || org.length > 100) throw unauthenticated("令牌缺少 org");
  // Refused before anything is logged: these three end up in log lines and exchange records.
  refuseUnprintable(sub, "sub");
  refuseUnprintable(org, "org");
  const claimed = (payload as { purpose?: unknown }).purpose;
  if (typeof claimed === "string" && claimed !== "") refuseUnprintable(claimed, "purpose");
  const header = decodePurposeHeader(purposeHeader);
  if (header) refuseUnprintable(header, "purpose");
  const purpose = (typeof claimed === "string" && claimed.trim()) || header || null;
  if (AGENCY_ROLES.has(role) && !purpose)
    throw unauthenticated("部门调用须说明用途（purpose 声明或 x-hub-purpose 请求头）");
  if (purpose && purpose.length > PURPOSE_MAX) throw unauthenticated("用途说明过长");
  return { sub, role, org, purpose };
}

/** A token may not live longer than maxAgeS from its issue (a 100-year token is refused even while fresh). */
function checkLifetime(payload: JWTPayload, rules: TokenRules): void {
  const { iat, exp } = payload;
  if (typeof iat !== "number" || typeof exp !== "number" || exp - iat > rules.maxAgeS)
    throw unauthenticated(`访问令牌有效期过长（上限 ${rules.maxAgeS} 秒） token lifetime too long`);
}

/**
 * Verified tokens, keyed by the whole raw token (header, payload and signature: a token changed in any byte is another
 * key and is verified in full). Only tokens that verified are kept, with their payload; an entry ends when the token
 * would stop verifying (expiry, or issue + maxAgeS, whichever comes first) and at most VERIFIED_CACHE_MAX_S after it
 * was verified (so a key withdrawn from the JWKS stops being honoured soon). The claims are checked again on every hit
 * (viewerFrom: the purpose header belongs to the request, not the token).
 */
export const VERIFIED_CACHE = { max: 10_000, maxS: 300 } as const;

const nowS = () => Math.floor(Date.now() / 1000);

function verifierWith(key: Uint8Array | JWTVerifyGetKey, algorithms: string[], rules: TokenRules): TokenVerifier {
  const verified = new LRUCache<string, { payload: JWTPayload; untilS: number }>({ max: VERIFIED_CACHE.max });
  return {
    async verify(token, purposeHeader) {
      const hit = verified.get(token);
      if (hit && nowS() < hit.untilS) return viewerFrom(hit.payload, purposeHeader);
      if (hit) verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          issuer: rules.issuer,
          audience: rules.audience,
          maxTokenAge: rules.maxAgeS,
          requiredClaims: ["exp", "sub", "iat", "iss", "aud"],
        });
        checkLifetime(payload, rules);
        // exp and iat are numbers here (checkLifetime); the token verifies while now < exp and now - iat <= maxAgeS.
        const untilS = Math.min(payload.exp!, payload.iat! + rules.maxAgeS, nowS() + VERIFIED_CACHE.maxS);
        verified.set(token, { payload, untilS });
        return viewerFrom(payload, purposeHeader);
      } catch (e) {
        if ((e as { extensions?: unknown }).extensions) throw e;
        throw unauthenticated("访问令牌无效或已过期 invalid or expired token");
      }
    },
  };
}

export function hs256Verifier(secret: string, rules: TokenRules = DEV_TOKEN_RULES): TokenVerifier {
  return verifierWith(new TextEncoder().encode(secret), ["HS256"], rules);
}

export function jwksVerifier(jwksUrl: string, rules: TokenRules = DEV_TOKEN_RULES): TokenVerifier {
  return verifierWith(createRemoteJWKSet(new URL(jwksUrl)), ["RS256", "ES256", "PS256"], rules);
}

/** Signs a development/test token (HS256). Never used in production, where tokens come from the identity provider. */
export async function signDevToken(
  secret: string,
  claims: { sub: string; role: Role | `${Role}`; org: string; purpose?: string },
  expiresIn = "12h",
  rules: Pick<TokenRules, "issuer" | "audience"> = DEV_TOKEN_RULES,
): Promise<string> {
  return (
    new SignJWT({ role: claims.role, org: claims.org, ...(claims.purpose ? { purpose: claims.purpose } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer(rules.issuer)
      .setAudience(rules.audience)
      // Expiry before issue: each reads the clock, and a second that turned between them (iat first) made a token one
      // second longer than `expiresIn`, which a lifetime limit of exactly `expiresIn` refused (a test flake).
      .setExpirationTime(expiresIn)
      .setIssuedAt()
      .sign(new TextEncoder().encode(secret))
  );
}
