// GET /exports/pilot-metrics.csv and /exports/pilot-metrics.xlsx?from=YYYY-MM&to=YYYY-MM&countyCode=…: the pilot
// metrics as a download for the leadership group's reports and the third-party evaluation. Same roles as the
// pilotMetrics query (one table: ROOT_PERMISSIONS), the token in the Authorization header only.
import type { IncomingMessage, ServerResponse } from "node:http";

import { ROOT_PERMISSIONS } from "../../auth/permissions";
import type { TokenVerifier } from "../../auth/token-verifier";
import { isValidMonth } from "../../domain/calendar/calendar";
import { isCountyCode, metricsWindowProblem } from "../../domain/metrics/pilot-metrics.rule";
import { HubError } from "../../errors";
import type { HubServices } from "../../services/hub-services";
import { computePilotMetrics, type PilotMetricsDto } from "../../services/metrics/pilot-metrics";
import { bearerToken, headerValue, sendError } from "../http-io";
import { REPORT_TITLE, type ReportContext, reportCsv, reportSheets } from "./pilot-metrics.report";
import { writeXlsx } from "./xlsx.writer";

export type HubRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

const FORMATS = {
  "/exports/pilot-metrics.csv": { ext: "csv", type: "text/csv; charset=utf-8" },
  "/exports/pilot-metrics.xlsx": {
    ext: "xlsx",
    type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  },
} as const;

/** The window and county of an export, or why they are refused (the query's own rules). */
export function parseExportQuery(
  params: URLSearchParams,
): { from: string; to: string; countyCode: string | null } | { error: string } {
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const countyCode = params.get("countyCode") || null;
  if (!isValidMonth(from) || !isValidMonth(to))
    return { error: "from 和 to 须为有效月份 YYYY-MM (from and to must be months)" };
  const problem = metricsWindowProblem(from, to);
  if (problem) return { error: problem.message };
  if (countyCode !== null && !isCountyCode(countyCode))
    return { error: "县级区划代码应为 6 位数字 (countyCode must be 6 digits)" };
  return { from, to, countyCode };
}

/** Now in Asia/Shanghai: the date (for the policy thresholds) and a minute stamp (for the report). */
export function shanghaiNow(at = new Date()): { date: string; stamp: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, stamp: `${date} ${parts.hour}:${parts.minute}` };
}

/** The liquidity watch lines in force on a date (policy parameters liquidity.warningRatio / alarmRatio). */
export async function liquidityThresholds(
  hub: HubServices,
  date: string,
): Promise<{ warningRatio: string; alarmRatio: string }> {
  const params = await hub.policy.on(date);
  return { warningRatio: params.text("liquidity.warningRatio"), alarmRatio: params.text("liquidity.alarmRatio") };
}

const STATUS_OF: Partial<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

export function pilotMetricsExportRoute(hub: HubServices, verifier: TokenVerifier): HubRoute {
  return async (req, res, url) => {
    const format = FORMATS[url.pathname as keyof typeof FORMATS];
    if (!format) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendError(res, 405, "BAD_USER_INPUT", "仅支持 GET");
      return true;
    }
    const token = bearerToken(req);
    if (!token) {
      sendError(res, 401, "UNAUTHENTICATED", "请先登录（缺少访问令牌）");
      return true;
    }
    let viewer;
    try {
      viewer = await verifier.verify(token, headerValue(req, "x-hub-purpose"));
    } catch {
      sendError(res, 401, "UNAUTHENTICATED", "访问令牌无效或已过期");
      return true;
    }
    if (!(ROOT_PERMISSIONS.Query.pilotMetrics ?? []).includes(viewer.role)) {
      sendError(res, 403, "FORBIDDEN", "无权导出试点统计数据");
      return true;
    }
    const query = parseExportQuery(url.searchParams);
    if ("error" in query) {
      sendError(res, 400, "BAD_USER_INPUT", query.error);
      return true;
    }
    let metrics: PilotMetricsDto;
    try {
      metrics = await computePilotMetrics(hub, query);
    } catch (e) {
      const code = e instanceof HubError ? String(e.extensions.code) : "";
      const status = STATUS_OF[code];
      if (!status) throw e;
      sendError(res, status, code, e instanceof Error ? e.message : code);
      return true;
    }
    const now = shanghaiNow();
    const ctx: ReportContext = {
      metrics,
      countyCode: query.countyCode,
      generatedAt: now.stamp,
      ...(await liquidityThresholds(hub, now.date)),
    };
    const body = format.ext === "csv" ? reportCsv(ctx) : await writeXlsx(reportSheets(ctx), { title: REPORT_TITLE });
    const scope = query.countyCode ? `_${query.countyCode}` : "";
    const ascii = `pilot-metrics_${query.from}_${query.to}${scope}.${format.ext}`;
    const chinese = `试点统计_${query.from}_${query.to}${scope}.${format.ext}`;
    res.writeHead(200, {
      "content-type": format.type,
      "content-length": body.length,
      "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
