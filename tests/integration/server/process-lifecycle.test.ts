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

function childEnv(port: number, ownSimulators: boolean): NodeJS.ProcessEnv {
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
    HUB_DATA_DIR: dataDir,
    HUB_DEMO_DATA: "0",
    HUB_JWT_SECRET: SECRET,
    NODE_ENV: "development",
    HUB_LOG_LEVEL: "silent",
    HUB_SHUTDOWN_GRACE_MS: "8000",
  };
  for (const name of ["DATABASE_URL", "NODE_OPTIONS", "HUB_JWKS_URL", "HUB_DEBUG_ERRORS"]) delete env[name];
  if (ownSimulators) for (const name of ["HUB_NATIONAL_URL", "HUB_CREDIT_URL", "HUB_FINANCE_URL"]) delete env[name];
  return env;
}

/** Starts `src/main.ts` in its own process group (so its simulator child can be cleaned up with it). */
async function startHub(ownSimulators = false): Promise<{
  child: ChildProcess;
  port: number;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}> {
  const port = await freePort();
  const env = childEnv(port, ownSimulators);
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

async function startReadyHub(ownSimulators = false): Promise<Running> {
  const { child, port, out, err, exited } = await startHub(ownSimulators);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!out().includes(`hpf-hub listening on ${url}`)) {
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}:\n${err()}`);
    if (Date.now() > deadline) throw new Error(`the hub did not say where it listens:\n${out()}\n${err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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

describe("the hub process", () => {
  let first: Running;
  let enrolled: NonNullable<AccountAnswer["account"]>;

  it("says where it listens, becomes ready and locks its data folder", async () => {
    first = await startReadyHub(true);
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
    const answer = new Promise<{ status: number; body: string }>((done, fail) => {
      const req = request(
        `${first.url}/imports/bank-collection`,
        {
          method: "POST",
          headers: {
            "content-type": "text/csv",
            authorization: `Bearer ${token}`,
            "idempotency-key": "lifecycle-import-0001",
            "transfer-encoding": "chunked",
          },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => done({ status: res.statusCode!, body }));
        },
      );
      req.on("error", fail);
      req.write(`${rows[0]}\n`);
      // The file arrives slowly: the second half only after the hub was told to stop.
      setTimeout(() => {
        first.child.kill("SIGTERM");
        setTimeout(() => req.end(`${rows[1]}\n`), 700);
      }, 300);
    });
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
});
