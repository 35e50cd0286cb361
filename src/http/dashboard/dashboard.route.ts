// GET /dashboard: the leadership group's page, and /dashboard/assets/*: its script, styles, icon and ECharts,
// all served by the hub from this folder and from node_modules (no CDN). The page carries no data and no token:
// it signs in in the browser and asks POST /graphql for pilotMetrics.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

import { PARAMETERS_BY_KEY } from "../../domain/policy/parameter-catalog";
import type { HubServices } from "../../services/hub-services";
import { headerValue } from "../http-io";
import { dashboardPage } from "./dashboard.page";
import { type HubRoute, liquidityThresholds, shanghaiNow } from "./pilot-metrics-export.route";

/** Scripts from this origin only, no inline code, no framing, requests to this origin only. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const JS = "text/javascript; charset=utf-8";
const ASSETS: Record<string, { file: () => string; type: string; maxAge: number }> = {
  "echarts.min.js": {
    file: () => join(dirname(require.resolve("echarts/package.json")), "dist", "echarts.min.js"),
    type: JS,
    maxAge: 86400,
  },
  "dashboard.js": { file: () => assetPath("dashboard.client.js"), type: JS, maxAge: 300 },
  "dashboard.css": { file: () => assetPath("dashboard.css"), type: "text/css; charset=utf-8", maxAge: 300 },
  "favicon.svg": { file: () => assetPath("favicon.svg"), type: "image/svg+xml", maxAge: 86400 },
};

/** This folder's static files: next to the module (`npm run build` copies them into dist). */
function assetPath(name: string): string {
  return join(__dirname, name);
}

interface LoadedAsset {
  body: Buffer;
  gzipped: Buffer;
}
const loaded = new Map<string, LoadedAsset>();

function asset(name: string): LoadedAsset | null {
  if (!Object.hasOwn(ASSETS, name)) return null;
  let found = loaded.get(name);
  if (!found) {
    const body = readFileSync(ASSETS[name]!.file());
    found = { body, gzipped: gzipSync(body, { level: 9 }) };
    loaded.set(name, found);
  }
  return found;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export function dashboardRoute(hub: HubServices): HubRoute {
  return async (req, res, url) => {
    const isPage = url.pathname === "/dashboard" || url.pathname === "/dashboard/";
    const isAsset = url.pathname.startsWith("/dashboard/assets/");
    if (!isPage && !isAsset) return false;
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (isPage) {
      let thresholds: { warningRatio: string; alarmRatio: string };
      try {
        thresholds = await liquidityThresholds(hub, shanghaiNow().date);
      } catch (e) {
        hub.logger.warn({ err: e }, "liquidity thresholds unavailable: the page shows the catalogue defaults");
        thresholds = {
          warningRatio: PARAMETERS_BY_KEY.get("liquidity.warningRatio")!.defaultValue,
          alarmRatio: PARAMETERS_BY_KEY.get("liquidity.alarmRatio")!.defaultValue,
        };
      }
      const html = Buffer.from(dashboardPage(thresholds), "utf8");
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-length": html.length,
        "content-security-policy": DASHBOARD_CSP,
        "cache-control": "no-cache",
        ...SECURITY_HEADERS,
      });
      res.end(req.method === "HEAD" ? undefined : html);
      return true;
    }
    const name = url.pathname.slice("/dashboard/assets/".length);
    const found = asset(name);
    if (!found) return false;
    const gzip = /\bgzip\b/.test(headerValue(req, "accept-encoding") ?? "");
    const body = gzip ? found.gzipped : found.body;
    res.writeHead(200, {
      "content-type": ASSETS[name]!.type,
      "content-length": body.length,
      "cache-control": `public, max-age=${ASSETS[name]!.maxAge}`,
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
