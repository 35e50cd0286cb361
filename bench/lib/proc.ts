// Child processes of the bench (the hub under test, the lookup baseline server): started with
// `node -r @swc-node/register <script>`, ready when they print one JSON line with `ready: true`.
// Every child is registered so that the orchestrator can stop exactly the processes it started.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

export const REPO_ROOT = resolve(__dirname, "../..");

export interface ReadyInfo {
  ready: true;
  url: string;
  pid: number;
  [k: string]: unknown;
}

export interface NodeChild {
  name: string;
  pid: number;
  info: ReadyInfo;
  child: ChildProcess;
  stderrTail(): string;
  /** Sends a command over the IPC channel and waits for the child's answer (null on timeout or exit). */
  ask(command: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown> | null>;
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<NodeChild>();

export async function startNodeChild(
  name: string,
  script: string,
  env: Record<string, string>,
  options: {
    readyTimeoutMs?: number;
    nodeArgs?: string[];
    /** default: this process's node */ execPath?: string;
    /** A session of its own (setsid): under the kernel's autogroup scheduling, an autogroup of its own too. */
    ownSession?: boolean;
  } = {},
): Promise<NodeChild> {
  const child = spawn(
    options.execPath ?? process.execPath,
    [...(options.nodeArgs ?? []), "-r", "@swc-node/register", resolve(REPO_ROOT, script)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      detached: options.ownSession === true,
    },
  );
  let tail = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    tail = (tail + s).slice(-8000);
  });
  let exited = false;
  const listeners = new Set<(msg: Record<string, unknown>) => void>();
  let asked = 0;
  child.on("message", (msg) => {
    for (const l of listeners) l(msg as Record<string, unknown>);
  });
  const exitedPromise = new Promise<void>((done) => child.once("exit", () => ((exited = true), done())));
  const info = await new Promise<ReadyInfo>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not become ready in ${options.readyTimeoutMs ?? 60000} ms\n${tail}`)),
      options.readyTimeoutMs ?? 60000,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      try {
        const msg = JSON.parse(line) as ReadyInfo;
        if (msg.ready) {
          clearTimeout(timer);
          resolveReady(msg);
        }
      } catch {
        // not our JSON line: ignore
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code}, signal ${signal})\n${tail}`));
    });
  });
  const handle: NodeChild = {
    name,
    pid: child.pid!,
    info,
    child,
    stderrTail: () => tail,
    ask: (command, timeoutMs = 10_000) =>
      new Promise((answer) => {
        if (exited || !child.connected) return answer(null);
        const id = ++asked;
        const timer = setTimeout(() => (listeners.delete(listener), answer(null)), timeoutMs);
        const listener = (msg: Record<string, unknown>) => {
          if (msg.id !== id) return;
          clearTimeout(timer);
          listeners.delete(listener);
          answer(msg);
        };
        listeners.add(listener);
        child.send({ ...command, id });
      }),
    async stop(graceMs = 8000) {
      running.delete(handle);
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every child this process started and has not stopped yet (by its own pid handle). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop(3000).catch(() => undefined)));
}

/** Synchronous last resort on exit: SIGKILL the children still registered. */
export function killAllChildrenSync(): void {
  for (const c of running) {
    try {
      c.child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** VmRSS and VmHWM (peak resident set) of a process, in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null;
  }
}

/** Polls VmRSS every `everyMs`; `stop()` returns the peak seen and the kernel's VmHWM read at that moment. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peakRss: number; hwm: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const take = () => {
    const m = memoryOf(pid);
    if (m) {
      samples++;
      if (m.rss > peak) peak = m.rss;
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakRss: peak, hwm: memoryOf(pid)?.hwm ?? NaN, samples };
    },
  };
}
