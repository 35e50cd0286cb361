// A real hub process: `src/main.ts` started with an environment, as an operator starts one, for tests that need what
// only a separate process shows (N processes on one database, configuration read from the environment, errors
// created outside jest's module sandbox).
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

export interface HubProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  out: () => string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Starts a hub process on a free port of 127.0.0.1 with this process's environment and `env` over it (what the test
 * runner sets for itself, NODE_OPTIONS and the like, is left out), and resolves once it is ready: the banner ends
 * with "Ready." (main.ts writes it in one go once the hub listens). Rejects with its output if it exits first.
 */
export async function spawnHub(env: NodeJS.ProcessEnv): Promise<HubProcess> {
  const port = await freePort();
  const full: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" };
  for (const name of ["NODE_OPTIONS", "HUB_JWKS_URL", "HUB_DEBUG_ERRORS", "HUB_DATA_DIR", "HUB_REDIS_URL"])
    if (!(name in env)) delete full[name];
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: ROOT,
    env: full,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const hub = { child, url: `http://127.0.0.1:${port}`, exited, out: () => out };
  await new Promise<void>((done, fail) => {
    const look = () => {
      if (/^Ready\.$/m.test(out)) {
        child.stdout!.off("data", look);
        done();
      }
    };
    child.stdout!.on("data", look);
    void exited.then((code) => fail(new Error(`a hub process exited with ${code}:\n${out}`)));
  });
  return hub;
}

/** Kills the hub processes still running and waits for them to exit. */
export async function killHubs(hubs: readonly HubProcess[]): Promise<void> {
  for (const h of hubs) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill("SIGKILL");
  await Promise.all(hubs.map((h) => h.exited));
}
