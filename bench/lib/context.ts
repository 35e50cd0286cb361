// What the orchestrator hands each benchmark, and what a benchmark hands back.
import type { Pool } from "pg";

import { addMonths } from "../../src/domain/calendar/calendar";
import type { BenchOptions } from "./args";
import type { CpuShare } from "./cpu";
import type { BenchDatabase } from "./db";
import type { NodeChild } from "./proc";

export interface Target {
  op: ">=" | "<=" | "<";
  value: number;
  /** "ratio": the target is on the same-run ratio to the baseline (issue 12), not on the hub's own figure. */
  of?: "ratio";
}

export interface Metric {
  bench: string;
  metric: string;
  unit: string;
  hub: number;
  baseline: number | null;
  baselineLabel: string;
  /** hub / baseline, or baseline / hub when lower is better (so that 1.0 = as good as the baseline). */
  ratio: number | null;
  target: Target | null;
  met: boolean | null;
  note?: string;
  /** CPU other processes on the machine used during the hub's / the baseline's window (% of one core). */
  noise?: { hub: number | null; baseline: number | null };
}

export interface BenchContext {
  opts: BenchOptions;
  db: BenchDatabase;
  /** The bench process's own pool on the bench database (seeding, baselines, checks). */
  pool: Pool;
  token: string;
  runTag: string;
  /** The running hub child (started on demand, replaced by `restartHub`). */
  hub(): Promise<NodeChild>;
  restartHub(extraNodeArgs?: string[]): Promise<NodeChild>;
  stopHub(): Promise<void>;
  hubEnv: Record<string, string>;
  log(message: string): void;
  /** Waits (within the run's quiet-wait budget) for other users of the machine to calm down, then runs `fn`
   *  while accounting for CPU use (subject = the process under test). `seconds` is `fn`'s own time: a time taken
   *  around `measure` would include the wait, at least a second while the budget lasts. */
  measure<T>(
    subjectPid: number,
    otherPids: number[],
    fn: () => Promise<T>,
  ): Promise<{ result: T; cpu: CpuShare; seconds: number }>;
  /** Shared between benchmarks: the lookups reuse the deposit bench's workers (who then have deposits); row 3m
   *  compares the deposit rate of its windows with row 1's (the hub's rate and its plain-SQL baseline's). */
  shared: {
    depositWorkers?: string[];
    depositMonthsPaid?: number;
    depositRates?: { hub: number; baseline: number };
  };
  /** Extra detail per benchmark, written to the JSON results. */
  details: Record<string, unknown>;
}

export const FIRST_MONTH = "2023-07";
export const ENROLLED_ON = "2023-07-01";

export function months(count: number, from = FIRST_MONTH): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(from, i));
}

export function metric(m: Omit<Metric, "ratio" | "met"> & { lowerIsBetter?: boolean; noRatio?: boolean }): Metric {
  const { lowerIsBetter, noRatio, ...rest } = m;
  const ratio =
    noRatio || m.baseline === null || m.baseline === 0 || !Number.isFinite(m.hub)
      ? null
      : lowerIsBetter
        ? m.baseline / m.hub
        : m.hub / m.baseline;
  let met: boolean | null = null;
  if (m.target) {
    const t = m.target;
    const x = t.of === "ratio" ? (ratio ?? Number.NaN) : m.hub;
    met = Number.isFinite(x) && (t.op === ">=" ? x >= t.value : t.op === "<=" ? x <= t.value : x < t.value);
  }
  return { ...rest, ratio, met };
}

/** Deterministic PRNG (mulberry32), so that runs pick the same random accounts. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
