// Where the machine's CPU went during a measurement: the server under test, PostgreSQL (backends of the bench
// database and the server's background processes), this load-generating process, other children of the bench,
// and everything else (other users of the machine, including their own PostgreSQL sessions).
// From /proc/stat and /proc/<pid>/stat; jiffies are converted with the usual USER_HZ of 100.
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

import type { Pool } from "pg";

const HZ = 100;

function procJiffies(pid: number | string): { comm: string; jiffies: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    return { comm, jiffies: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function systemJiffies(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function postgresJiffies(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procJiffies(entry);
    if (s && s.comm === "postgres") out.set(Number(entry), s.jiffies);
  }
  return out;
}

interface Snapshot {
  at: number;
  system: { busy: number; total: number };
  pids: Map<number, number>;
  postgres: Map<number, number>;
  self: NodeJS.CpuUsage;
}

export interface CpuShare {
  seconds: number;
  cores: number;
  /** Percent of ONE core (100 = one core fully busy), per consumer; subject = the server under test. */
  subject: number;
  postgres: number;
  loadGenerator: number;
  otherBench: number;
  otherProcesses: number;
  idle: number;
  loadAvg1m: number;
}

/** Our PostgreSQL processes: backends (and their parallel workers) on the bench database, and the server-wide
 *  background processes (WAL writer, checkpointer, ...: no database). Other databases' sessions are not ours. */
export async function ourPostgresPids(pool: Pool): Promise<Set<number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL`,
  );
  return new Set(rows.map((r) => r.pid));
}

export function cpuSnapshot(pids: number[]): Snapshot {
  const m = new Map<number, number>();
  for (const pid of pids) m.set(pid, procJiffies(pid)?.jiffies ?? 0);
  return { at: Date.now(), system: systemJiffies(), pids: m, postgres: postgresJiffies(), self: process.cpuUsage() };
}

/** CPU shares between two snapshots; `subjectPid` is the server under test, other snapshot pids count as "other bench". */
export function cpuShare(
  a: Snapshot,
  subjectPid: number,
  ours?: Set<number>,
  /** PostgreSQL processes' jiffies as last seen during the window: a backend that exited before its end (a pool
   *  connection closed when idle) counts up to then, instead of vanishing into "other processes". */
  lastSeen?: Map<number, number>,
): CpuShare {
  const b = cpuSnapshot([...a.pids.keys()]);
  const seconds = (b.at - a.at) / 1000;
  const pct = (jiffies: number) => (seconds > 0 ? (100 * jiffies) / HZ / seconds : 0);
  let pg = 0;
  const ended = new Map(b.postgres);
  for (const [pid, j] of lastSeen ?? []) if (!ended.has(pid)) ended.set(pid, j);
  for (const [pid, j] of ended) if (!ours || ours.has(pid)) pg += j - (a.postgres.get(pid) ?? 0); // backends born during the window count from 0
  const hub = (b.pids.get(subjectPid) ?? 0) - (a.pids.get(subjectPid) ?? 0);
  let other = 0;
  for (const [pid, j] of b.pids) if (pid !== subjectPid) other += j - (a.pids.get(pid) ?? 0);
  const selfUs = b.self.user + b.self.system - (a.self.user + a.self.system);
  const busy = b.system.busy - a.system.busy;
  const total = b.system.total - a.system.total;
  const self = (selfUs / 1e6) * HZ;
  const cores = cpus().length;
  return {
    seconds,
    cores,
    subject: pct(hub),
    postgres: pct(pg),
    loadGenerator: pct(self),
    otherBench: pct(other),
    otherProcesses: Math.max(0, pct(busy - hub - pg - self - other)),
    idle: total > 0 ? (100 * cores * (total - busy)) / total : 0,
    loadAvg1m: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
  };
}

export function describeCpu(c: CpuShare): string {
  const f = (n: number) => `${n.toFixed(0)}%`;
  return `CPU (% of one core, ${c.cores} cores): server under test ${f(c.subject)}, postgres ${f(c.postgres)}, load generator ${f(c.loadGenerator)}, other bench ${f(c.otherBench)}, OTHER PROCESSES ${f(c.otherProcesses)}, idle ${f(c.idle)}; load avg ${c.loadAvg1m}`;
}

/** Runs `fn` and reports how the machine's CPU was shared meanwhile. */
export async function withCpu<T>(
  pool: Pool,
  subjectPid: number,
  otherPids: number[],
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: CpuShare; seconds: number }> {
  const ours = await ourPostgresPids(pool);
  const before = cpuSnapshot([subjectPid, ...otherPids.filter((p) => p !== subjectPid)]);
  // Every 500 ms: which backends are ours, and how much CPU each PostgreSQL process has used so far. A backend that
  // ends inside the window (the hub's pool closes connections idle for 10 s) keeps what it used until the last look.
  const lastSeen = new Map<number, number>();
  const look = async () => {
    for (const [pid, j] of postgresJiffies()) lastSeen.set(pid, j);
    for (const pid of await ourPostgresPids(pool).catch(() => new Set<number>())) ours.add(pid);
  };
  let looking = Promise.resolve();
  const poller = setInterval(() => (looking = looking.then(look)), 500);
  let result: T;
  const started = performance.now();
  let seconds = 0;
  try {
    result = await fn();
  } finally {
    seconds = (performance.now() - started) / 1000;
    clearInterval(poller);
    await looking;
  }
  for (const pid of await ourPostgresPids(pool)) ours.add(pid);
  return { result, cpu: cpuShare(before, subjectPid, ours, lastSeen), seconds };
}

/** Waits (at most `maxWaitMs`) until processes outside the bench use less than `thresholdPct` of one core. */
export async function waitForQuiet(
  benchPids: number[],
  maxWaitMs: number,
  thresholdPct = 30,
): Promise<{ waitedMs: number; otherPct: number }> {
  const started = Date.now();
  for (;;) {
    const a = cpuSnapshot(benchPids);
    await new Promise((r) => setTimeout(r, 1000));
    const share = cpuShare(a, benchPids[0] ?? process.pid, new Set());
    // idle bench: everything busy that is not a bench process counts as other (our postgres is idle too)
    const other = share.otherProcesses + share.postgres;
    if (other < thresholdPct || Date.now() - started >= maxWaitMs)
      return { waitedMs: Date.now() - started, otherPct: other };
  }
}
