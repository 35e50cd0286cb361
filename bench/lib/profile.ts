// --profile: a V8 CPU profile of the hub child over exactly one measured window (started and stopped over
// IPC), written to bench/results/, with a short self-time summary by package/file and by function.
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

import type { NodeChild } from "./proc";
import { REPO_ROOT } from "./proc";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, "")
    .replace(/.*\/node_modules\//, "nm/")
    .replace(`${REPO_ROOT}/`, "");
}

function bucket(url: string, fn: string): string {
  const u = shortUrl(url);
  if (!u) return fn || "(native)";
  if (u.startsWith("nm/")) {
    const parts = u.split("/");
    return parts.slice(0, parts[1]!.startsWith("@") ? 3 : 2).join("/");
  }
  if (u.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  return u;
}

export function summariseProfile(file: string, top = 12): string {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const weight = new Map<number, number>();
  p.samples.forEach((id, i) => weight.set(id, (weight.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byBucket = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of weight) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const b = bucket(cf.url, cf.functionName);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
    const f = `${cf.functionName || "(anonymous)"} ${shortUrl(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
    byFn.set(f, (byFn.get(f) ?? 0) + us);
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `      ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return `    profile ${file} (${(total / 1e6).toFixed(1)} s sampled), self time by package/file:\n${list(byBucket)}\n    by function:\n${list(byFn)}`;
}

/** Runs `fn`, profiling `child` meanwhile when `enabled`; returns fn's result and the summary (or null). */
export async function profiled<T>(
  enabled: boolean,
  child: NodeChild,
  name: string,
  fn: () => Promise<T>,
): Promise<{ result: T; summary: string | null }> {
  if (!enabled) return { result: await fn(), summary: null };
  const started = await child.ask({ cmd: "profile-start" });
  if (!started || "error" in started)
    return { result: await fn(), summary: `    (profile could not start: ${JSON.stringify(started)})` };
  const result = await fn();
  // bench/results is git-ignored: a fresh worktree has none until the first run writes its JSON.
  mkdirSync(resolve(REPO_ROOT, "bench/results"), { recursive: true });
  const file = resolve(REPO_ROOT, "bench/results", `${name}.cpuprofile`);
  const written = await child.ask({ cmd: "profile-stop", file }, 30_000);
  if (!written || "error" in written)
    return { result, summary: `    (profile could not be written: ${JSON.stringify(written)})` };
  return { result, summary: summariseProfile(file) };
}
