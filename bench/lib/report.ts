// The compact results table and the JSON file in bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

import type { Metric } from "./context";
import { REPO_ROOT } from "./proc";

function fmt(n: number | null, unit: string): string {
  if (n === null || !Number.isFinite(n)) return "-";
  const digits = unit === "ms" ? (n < 10 ? 2 : 1) : n >= 100 ? 0 : 1;
  return `${n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

export function table(metrics: Metric[]): string {
  const header = ["metric", "hub", "baseline", "ratio", "target", "met?", "other CPU hub/base"];
  const rows = metrics.map((m) => [
    m.metric,
    fmt(m.hub, m.unit),
    m.baseline === null ? "-" : `${fmt(m.baseline, m.unit)} (${m.baselineLabel})`,
    m.ratio === null ? "-" : `${m.ratio.toFixed(2)}x`,
    m.target
      ? m.target.of === "ratio"
        ? `ratio ${m.target.op} ${m.target.value}x`
        : `${m.target.op} ${m.target.value.toLocaleString("en")} ${m.unit}`
      : "-",
    m.met === null ? "-" : m.met ? "yes" : "NO",
    m.noise
      ? `${m.noise.hub === null ? "-" : `${m.noise.hub.toFixed(0)}%`} / ${m.noise.baseline === null ? "-" : `${m.noise.baseline.toFixed(0)}%`}`
      : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function writeResults(payload: unknown, startedAt: Date): string {
  const dir = resolve(REPO_ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(payload, (_k, v: unknown) => (v instanceof Float64Array ? undefined : v), 2)}\n`,
  );
  return file;
}

export const TABLE_LEGEND =
  "ratio: hub / baseline for rates, baseline / hub for times and latencies (1.00x = as good as the baseline; RSS: peak / idle).\n" +
  "other CPU: % of one core used by processes outside the bench (other users of the machine) during the hub / baseline window; " +
  "figures with a large share there are contended and understate both sides.";
