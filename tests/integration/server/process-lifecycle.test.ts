// The real entry point as users run it (`node -r @swc-node/register src/main.ts`) on a PGlite folder: it says
// where it listens and becomes ready, refuses a second process on the same folder, finishes an in-flight
// request on SIGTERM and exits 0 with the folder unlocked, and keeps its data across a restart.
// Always PGlite, even when DATABASE_URL is set for the suite: the folder lock is what is under test.
// The first process starts its own simulators as `npm start` does; the later ones are given the URLs of simulators
// running in this test process, which saves a compile of the simulators per start.
import "reflect-metadata";

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { type RunningSimulators, startAllSimulators } from "../../../simulators";
import { signDevToken } from "../../../src/auth/token-verifier";
import { lockPathFor } from "../../../src/db/data-dir-lock";
import { ENROL, enrolInput } from "../../factories/workers";

// A cold start (SWC compiling src/, PGlite creating its folder and migrating) takes 10–15 s on an idle 2-core
// machine; the limits below are generous because the suite often shares the machine with other heavy jobs.
jest.setTimeout(240_000);

const ROOT = resolve(__dirname, "../../..");
const SECRET = "process-lifecycle-test-secret-0123456789abcdef";
const workDir = mkdtempSync(join(tmpdir(), "hpf-hub-lifecycle-"));
const dataDir = join(workDir, "pglite");

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

let simulators: RunningSimulators | undefined;

interface StartOptions {
  ownSimulators?: boolean;
  graceMs?: number;
  folder?: string;
}

function childEnv(
  port: number,
  { ownSimulators = false, graceMs = 8000, folder = dataDir }: StartOptions,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(ownSimulators
      ? {}
      : {
          HUB_NATIONAL_URL: simulators!.nationalUrl,
          HUB_CREDIT_URL: simulators!.creditUrl,
          HUB_FINANCE_URL: simulators!.financeUrl,
        }),
    PORT: String(port),
    HOST: "127.0.0.1",
    HUB_DATA_DIR: folder,
    HUB_DEMO_DATA: "0",
    HUB_JWT_SECRET: SECRET,
    NODE_ENV: "development",
    HUB_LOG_LEVEL: "silent",
    HUB_SHUTDOWN_GRACE_MS: String(graceMs),
  };
  for (const name of ["DATABASE_URL", "NODE_OPTIONS", "HUB_JWKS_URL", "HUB_DEBUG_ERRORS"]) delete env[name];
  if (ownSimulators) for (const name of ["HUB_NATIONAL_URL", "HUB_CREDIT_URL", "HUB_FINANCE_URL"]) delete env[name];
  return env;
}

/** Starts `src/main.ts` in its own process group (so its simulator child can be cleaned up with it). */
async function startHub(options: StartOptions = {}): Promise<{
  child: ChildProcess;
  port: number;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}> {
  const port = await freePort();
  const env = childEnv(port, options);
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, port, out: () => out, err: () => err, exited };
}

/** Resolves once the hub has printed its whole banner (the "Ready." line ends it); fails if it exits first. */
async function startReadyHub(options: StartOptions = {}): Promise<Running> {
  const { child, port, out, err, exited } = await startHub(options);
  const url = `http://127.0.0.1:${port}`;
  const banner = new Promise<void>((done, fail) => {
    const look = () => {
      if (/^Ready\.$/m.test(out())) {
        child.stdout!.off("data", look);
        done();
      }
    };
    child.stdout!.on("data", look);
    void exited.then((code) => fail(new Error(`the hub exited with ${code}:\n${out()}\n${err()}`)));
  });
  await within(banner, 120_000, "the hub should print its banner");
  expect(out()).toContain(`hpf-hub listening on ${url}`);
  return { child, url, stdout: out, stderr: err, exited };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, fail) => (timer = setTimeout(() => fail(new Error(`${what}: still waiting after ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: unknown[] }> {
  const token = await signDevToken(SECRET, { sub: "op-lifecycle", role: "CENTER_OPERATOR", org: "140500" });
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: unknown[] };
}

const ACCOUNT = `query($n: String!) { account(accountNumber: $n) { accountNumber idNumber name status balance paidMonths } }`;
type AccountAnswer = {
  account: {
    accountNumber: string;
    idNumber: string;
    name: string;
    status: string;
    balance: string;
    paidMonths: number;
  } | null;
};

beforeAll(async () => {
  simulators = await startAllSimulators({ host: "127.0.0.1" });
});

afterAll(async () => {
  await simulators?.close();
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGKILL"); // the group of a hub this file started, with its simulator child
      } catch {
        /* already gone */
      }
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

/** A streamed bank-file upload that waits for the hub to take it (100-continue) before any row is sent. */
function startImport(url: string, token: string, key: string) {
  let taken!: () => void;
  const takenP = new Promise<void>((done) => (taken = done));
  let req!: ReturnType<typeof request>;
  const answer = new Promise<{ status: number; body: string }>((done, fail) => {
    req = request(
      `${url}/imports/bank-collection`,
      {
        method: "POST",
        headers: {
          "content-type": "text/csv",
          authorization: `Bearer ${token}`,
          "idempotency-key": key,
          "transfer-encoding": "chunked",
          expect: "100-continue",
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => done({ status: res.statusCode!, body }));
      },
    );
    req.on("continue", taken);
    req.on("error", fail);
    req.flushHeaders();
  });
  return { req, taken: takenP, answer };
}

/** Until the hub refuses new connections (it stopped accepting); bounded. */
async function untilRefused(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const refused = await new Promise<boolean>((done) => {
      // A fresh connection each time (no keep-alive pool): only a refused connect counts.
      const req = request(`${url}/healthz`, { agent: false }, (res) => {
        res.resume();
        done(false);
      });
      req.on("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED"));
      req.end();
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error("the hub still accepts connections");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the hub process", () => {
  let first: Running;
  let enrolled: NonNullable<AccountAnswer["account"]>;

  it("says where it listens, becomes ready and locks its data folder", async () => {
    first = await startReadyHub({ ownSimulators: true });
    expect(first.stdout()).toContain(`PGlite in ${dataDir}`);
    expect(first.stdout()).toMatch(/Simulators HUB_NATIONAL_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect(existsSync(lockPathFor(dataDir))).toBe(true);

    const input = enrolInput({ name: "重启测试" });
    const res = await gql<{ enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] } }>(
      first.url,
      ENROL,
      { input },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.enrollWorker.userErrors).toEqual([]);
    const read = await gql<AccountAnswer>(first.url, ACCOUNT, { n: res.data!.enrollWorker.account!.accountNumber });
    enrolled = read.data!.account!;
    expect(enrolled).toMatchObject({ idNumber: input.idNumber, name: "重启测试", status: "ACTIVE", balance: "0.00" });
  });

  it("refuses a second process on the same folder with a clear message, and the first keeps working", async () => {
    const second = await startHub();
    const code = await within(second.exited, 60_000, "the second hub should exit");
    expect(code).not.toBe(0);
    expect(second.err()).toMatch(/in use/);
    expect(second.err()).toContain(dataDir);
    expect(second.err()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(second.out()).not.toContain("listening on");

    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const read = await gql<AccountAnswer>(first.url, ACCOUNT, { n: enrolled.accountNumber });
    expect(read.data!.account).toEqual(enrolled);
    expect(existsSync(lockPathFor(dataDir))).toBe(true);
  });

  it("finishes a request in flight on SIGTERM, then exits 0 and removes the lock", async () => {
    const token = await signDevToken(SECRET, { sub: "op-lifecycle", role: "CENTER_OPERATOR", org: "140500" });
    const rows = [
      "paymentRef,accountNumber,period,amount,paidOn,result,reason",
      `LC-0001,${enrolled.accountNumber},2026-07,1000.00,2026-07-20,SUCCESS,`,
    ];
    const upload = startImport(first.url, token, "lifecycle-import-0001");
    // The hub has the request (100-continue is sent as it takes it) when it is told to stop; the second half of
    // the file arrives only once it stopped accepting new connections.
    await within(upload.taken, 60_000, "the hub should take the import request");
    upload.req.write(`${rows[0]}\n`);
    first.child.kill("SIGTERM");
    await untilRefused(first.url);
    upload.req.end(`${rows[1]}\n`);
    const answer = upload.answer;
    const { status, body } = await within(answer, 20_000, "the in-flight import should be answered");
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ rows: 1, accepted: 1, rejected: 0 });
    expect(await within(first.exited, 20_000, "the hub should exit after SIGTERM")).toBe(0);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();
    // …and took its simulators down with it.
    const ownNational = /HUB_NATIONAL_URL=(\S+)/.exec(first.stdout())![1]!;
    await expect(fetch(ownNational)).rejects.toThrow();
  });

  it("keeps its data across a restart on the same folder", async () => {
    const again = await startReadyHub();
    expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
    const read = await gql<AccountAnswer>(again.url, ACCOUNT, { n: enrolled.accountNumber });
    expect(read.data!.account).toEqual({ ...enrolled, balance: "1000.00", paidMonths: 1 });
    again.child.kill("SIGTERM");
    expect(await within(again.exited, 20_000, "the restarted hub should exit after SIGTERM")).toBe(0);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
  });

  it("exits non-zero on SIGTERM when the grace period cuts a request off, and names it", async () => {
    const hub = await startReadyHub({ graceMs: 300 });
    const token = await signDevToken(SECRET, { sub: "op-lifecycle", role: "CENTER_OPERATOR", org: "140500" });
    const upload = startImport(hub.url, token, "lifecycle-import-cut");
    upload.answer.catch(() => undefined); // the hub cuts it: the socket closes without an answer
    await within(upload.taken, 60_000, "the hub should take the import request");
    upload.req.write("paymentRef,accountNumber,period,amount,paidOn,result,reason\n"); // …and never finishes
    hub.child.kill("SIGTERM");
    const code = await within(hub.exited, 30_000, "the hub should exit after its grace period");
    expect(code).toBe(4);
    expect(hub.stderr()).toMatch(/cut off 1 request\(s\): POST \/imports\/bank-collection \(request [\w-]+\)/);
    expect(existsSync(lockPathFor(dataDir))).toBe(false);
    upload.req.destroy();
  });

  it("takes its simulators down with it even when killed with SIGKILL", async () => {
    const hub = await startReadyHub({ ownSimulators: true, folder: join(workDir, "pglite-kill") });
    const urls = [...hub.stdout().matchAll(/HUB_\w+_URL=(\S+)/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(3);
    for (const u of urls) expect((await fetch(u)).status).toBeGreaterThanOrEqual(200); // each one answers
    hub.child.kill("SIGKILL");
    expect(await within(hub.exited, 20_000, "the hub should die")).toBeNull();
    // Nothing to wait on in another process: poll, bounded, until every simulator port refuses.
    for (const u of urls) await untilRefused(u);
  });
});
