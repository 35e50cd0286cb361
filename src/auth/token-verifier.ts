// Verifies bearer tokens: HS256 with HUB_JWT_SECRET in development and tests, the keys at HUB_JWKS_URL in
// production. A token that does not verify, lacks a claim, or (for an agency) a purpose is refused.
import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from "jose";

import { unauthenticated } from "../errors";
import { Role } from "./role";
import { AGENCY_ROLES, isRole, type Viewer } from "./viewer";

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
  const claimed = (payload as { purpose?: unknown }).purpose;
  const purpose = (typeof claimed === "string" && claimed.trim()) || decodePurposeHeader(purposeHeader) || null;
  if (AGENCY_ROLES.has(role) && !purpose)
    throw unauthenticated("部门调用须说明用途（purpose 声明或 x-hub-purpose 请求头）");
  if (purpose && purpose.length > PURPOSE_MAX) throw unauthenticated("用途说明过长");
  return { sub, role, org, purpose };
}

export function hs256Verifier(secret: string): TokenVerifier {
  const key = new TextEncoder().encode(secret);
  return {
    async verify(token, purposeHeader) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], requiredClaims: ["exp", "sub"] });
        return viewerFrom(payload, purposeHeader);
      } catch (e) {
        if ((e as { extensions?: unknown }).extensions) throw e;
        throw unauthenticated("访问令牌无效或已过期 invalid or expired token");
      }
    },
  };
}

export function jwksVerifier(jwksUrl: string): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  return {
    async verify(token, purposeHeader) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ["RS256", "ES256", "PS256"],
          requiredClaims: ["exp", "sub"],
        });
        return viewerFrom(payload, purposeHeader);
      } catch (e) {
        if ((e as { extensions?: unknown }).extensions) throw e;
        throw unauthenticated("访问令牌无效或已过期 invalid or expired token");
      }
    },
  };
}

/** Signs a development/test token (HS256). Never used in production, where tokens come from the identity provider. */
export async function signDevToken(
  secret: string,
  claims: { sub: string; role: Role | `${Role}`; org: string; purpose?: string },
  expiresIn = "12h",
): Promise<string> {
  return new SignJWT({ role: claims.role, org: claims.org, ...(claims.purpose ? { purpose: claims.purpose } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
