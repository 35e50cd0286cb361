// `npm start` without agency URLs: runs the simulators as a separate process (the hub never imports them)
// and reads the URLs it prints. The child dies with this process, however this process ends.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export interface SimulatorProcess {
  urls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimulatorProcess(env: Record<string, string | undefined>): Promise<SimulatorProcess> {
  const root = resolve(__dirname, "../..");
  const compiled = join(root, "simulators", "main.js");
  const args =
    existsSync(compiled) && __filename.endsWith(".js")
      ? [compiled]
      : ["-r", "@swc-node/register", join(root, "simulators", "main.ts")];
  // The child's stdin is a pipe from this process: when this process dies, even by SIGKILL, the kernel closes it
  // and the simulators (HUB_SIM_EXIT_WITH_STDIN) exit too, freeing their ports.
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...env, HUB_SIM_EXIT_WITH_STDIN: "1" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const urls: Record<string, string> = {};
  await new Promise<void>((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = /^(HUB_\w+_URL)=(\S+)$/.exec(line);
      if (match) urls[match[1]!] = match[2]!;
      if (urls.HUB_NATIONAL_URL && urls.HUB_CREDIT_URL && urls.HUB_FINANCE_URL) done();
    });
    child.once("exit", (code) => fail(new Error(`the simulators exited early (code ${code})`)));
  });
  return {
    urls,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}
