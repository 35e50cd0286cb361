// A small closed-loop HTTP load generator: `concurrency` workers on keep-alive sockets, each sending its next
// request as soon as the previous answer is read, for a fixed duration or request count. Reports req/s and
// latency percentiles of the answers that passed `check` (failures are counted, and a few are kept as samples).
import { Agent, request as httpRequest } from "node:http";

export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:43210 */
  url: string;
  concurrency: number;
  /** Stops issuing new requests after this long (in-flight ones finish and count). */
  durationMs?: number;
  /** Stops after this many requests were issued. At least one of durationMs / maxRequests is required. */
  maxRequests?: number;
  /** The next request, or null when the schedule is exhausted (the worker then stops). */
  next: () => LoadRequest | null;
  /** Returns null when the answer is a success, else a short description of what was wrong. */
  check?: (status: number, body: string) => string | null;
  label?: string;
}

export interface LoadResult {
  label: string;
  concurrency: number;
  requests: number;
  ok: number;
  failed: number;
  failureSamples: string[];
  seconds: number;
  /** Successful answers per second. */
  rps: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  exhausted: boolean;
}

export interface LoopResult {
  issued: number;
  ok: number;
  failed: number;
  failureSamples: string[];
  seconds: number;
  latencies: Float64Array;
  exhausted: boolean;
}

/** The closed loop itself: `concurrency` workers, each awaiting `op()` then starting the next, until the
 *  duration or count is reached or `op` returns null (schedule exhausted). `op` resolves to null on success
 *  or to a description of the failure. */
export async function runClosedLoop(
  concurrency: number,
  limits: { durationMs?: number; maxOps?: number },
  op: () => Promise<string | null> | null,
): Promise<LoopResult> {
  let latencies = new Float64Array(1 << 16);
  let ok = 0;
  let failed = 0;
  let issued = 0;
  let exhausted = false;
  const failureSamples: string[] = [];
  const started = process.hrtime.bigint();
  const deadline = limits.durationMs === undefined ? Infinity : Date.now() + limits.durationMs;
  const fail = (what: string) => {
    failed++;
    if (failureSamples.length < 5) failureSamples.push(what.slice(0, 400));
  };
  const worker = async () => {
    for (;;) {
      if (Date.now() >= deadline) return;
      if (limits.maxOps !== undefined && issued >= limits.maxOps) return;
      const t0 = process.hrtime.bigint();
      const pending = op();
      if (!pending) {
        exhausted = true;
        return;
      }
      issued++;
      try {
        const problem = await pending;
        if (problem) {
          fail(problem);
          continue;
        }
        if (ok === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[ok++] = Number(process.hrtime.bigint() - t0) / 1e6;
      } catch (e) {
        fail(`exception: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { issued, ok, failed, failureSamples, seconds, latencies: latencies.slice(0, ok).sort(), exhausted };
}

/** Throughput and latency summary of a closed loop. */
export function summarise(label: string, concurrency: number, r: LoopResult): LoadResult {
  const sorted = r.latencies;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    label,
    concurrency,
    requests: r.issued,
    ok: r.ok,
    failed: r.failed,
    failureSamples: r.failureSamples,
    seconds: r.seconds,
    rps: r.ok / r.seconds,
    latencyMs: {
      mean: r.ok ? sum / r.ok : NaN,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: r.ok ? sorted[r.ok - 1]! : NaN,
    },
    exhausted: r.exhausted,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const defaultCheck = (status: number): string | null => (status >= 200 && status < 300 ? null : `HTTP ${status}`);

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.durationMs === undefined && options.maxRequests === undefined)
    throw new Error("runLoad needs durationMs or maxRequests");
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const check = options.check ?? defaultCheck;

  const send = (req: LoadRequest): Promise<string | null> =>
    new Promise((resolve) => {
      const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
      if (req.body !== undefined) headers["content-length"] = Buffer.byteLength(req.body);
      const r = httpRequest(
        { host: target.hostname, port: target.port, path: req.path, method: req.method, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve(check(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
          res.on("error", (e) => resolve(`transport: ${e.message}`));
        },
      );
      r.on("error", (e) => resolve(`transport: ${e.message}`));
      r.setTimeout(60_000, () => r.destroy(new Error("request timed out after 60 s")));
      r.end(req.body);
    });

  try {
    const loop = await runClosedLoop(
      options.concurrency,
      { durationMs: options.durationMs, maxOps: options.maxRequests },
      () => {
        const req = options.next();
        return req ? send(req) : null;
      },
    );
    return summarise(options.label ?? "", options.concurrency, loop);
  } finally {
    agent.destroy();
  }
}

/** Runs `runLoad` for a warm-up period (discarded), then for the measured one. */
export async function warmThenMeasure(
  options: Omit<LoadOptions, "durationMs" | "maxRequests">,
  warmupMs: number,
  durationMs: number,
): Promise<LoadResult> {
  if (warmupMs > 0) await runLoad({ ...options, durationMs: warmupMs, label: `${options.label ?? ""} (warm-up)` });
  return runLoad({ ...options, durationMs });
}

export function describeLoad(r: LoadResult): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "-");
  return (
    `${r.label}: ${r.ok} ok / ${r.failed} failed in ${r.seconds.toFixed(1)} s at c=${r.concurrency} -> ${r.rps.toFixed(0)} req/s; ` +
    `latency ms mean ${f(r.latencyMs.mean)} p50 ${f(r.latencyMs.p50)} p90 ${f(r.latencyMs.p90)} p99 ${f(r.latencyMs.p99)} max ${f(r.latencyMs.max)}` +
    (r.exhausted ? " (schedule exhausted)" : "") +
    (r.failureSamples.length ? `\n    failures e.g.: ${r.failureSamples.join(" | ")}` : "")
  );
}
