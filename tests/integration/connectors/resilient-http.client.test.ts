import http from "node:http";
import type { AddressInfo } from "node:net";

import {
  type NationalSimulatorControl,
  startNationalPlatformSimulator,
} from "../../../simulators/national-platform/national-platform.simulator";
import type { RunningSimulator } from "../../../simulators/shared/simulator.server";
import { ConnectorResponseError, ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import { ResilientHttpClient } from "../../../src/connectors/http/resilient-http.client";
import { fastOptions, RESET_AFTER_MS, sleep, SLOW_MS } from "./fast-connector.options";

const ID = "140502199001010019";
const check = { method: "POST", path: "/v1/persons/check", body: { idNumber: ID } } as const;

let sim: RunningSimulator<NationalSimulatorControl>;

beforeAll(async () => {
  sim = await startNationalPlatformSimulator({ slowMs: SLOW_MS });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.setMode("up");
  sim.control.resetRequests();
});

const transport = (overrides = {}) => new ResilientHttpClient({ name: "test", ...fastOptions(sim.url, overrides) });

describe("resilient HTTP transport", () => {
  test("returns the parsed JSON answer when no parser is given", async () => {
    const answer = await transport().request({ ...check, idempotent: true });
    expect(answer).toMatchObject({ idNumber: ID, depositAccounts: [] });
  });

  test("never retries a call that is not idempotent", async () => {
    sim.control.setMode("flaky");
    await expect(transport().request({ ...check, idempotent: false })).rejects.toThrow(ConnectorUnavailableError);
    expect(sim.control.requestCount()).toBe(1);
  });

  test("does not retry a refused request and reports its status without the body", async () => {
    const client = transport();
    const error = await client
      .request({ ...check, body: { idNumber: "bad" }, idempotent: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, message: "test answered HTTP 400 to POST /v1/persons/check" });
    expect(sim.control.requestCount()).toBe(1);
    expect(client.breakerState()).toBe("CLOSED");
  });

  test("waits for the Retry-After of an unavailable server before retrying", async () => {
    sim.control.setMode("down");
    const started = Date.now();
    await expect(
      transport({ maxRetries: 1, maxRetryAfterMs: 2000 }).request({ ...check, idempotent: true }),
    ).rejects.toThrow(/HTTP 503/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(sim.control.requestCount()).toBe(2);
  });

  test("lets a single trial call through while half-open", async () => {
    const client = transport({ maxRetries: 0 });
    sim.control.setMode("down");
    for (let i = 0; i < 3; i += 1) await expect(client.request({ ...check, idempotent: true })).rejects.toThrow();
    await sleep(RESET_AFTER_MS + 50);
    sim.control.setMode("up");
    const outcomes = await Promise.allSettled([
      client.request({ ...check, idempotent: true }),
      client.request({ ...check, idempotent: true }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(sim.control.requestCount()).toBe(4);
    expect(client.breakerState()).toBe("CLOSED");
  });

  test("fails with ConnectorUnavailableError when nothing listens at the address", async () => {
    const closed = await startNationalPlatformSimulator();
    await closed.close();
    const client = new ResilientHttpClient({ name: "test", ...fastOptions(closed.url) });
    await expect(client.request({ ...check, idempotent: true })).rejects.toThrow("test could not be reached");
  });

  test("fails at once on a 429 asking for longer than it can wait, and calls no more before that time", async () => {
    const agency = await startAgency((_req, res) => res.writeHead(429, { "retry-after": "3600" }).end("{}"));
    try {
      const client = new ResilientHttpClient({ name: "test", ...fastOptions(agency.url, { maxRetryAfterMs: 2000 }) });
      const first = await client.request({ ...check, idempotent: true }).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(ConnectorUnavailableError);
      expect(first).toMatchObject({ code: "CONNECTOR_UNAVAILABLE", status: 429 });
      expect(agency.calls()).toBe(1);
      for (let i = 0; i < 3; i += 1) {
        await expect(client.request({ ...check, idempotent: true })).rejects.toThrow(/asked not to be called/);
      }
      expect(agency.calls()).toBe(1);
      expect(client.breakerState()).toBe("CLOSED"); // a 429 is not a failure of the agency
    } finally {
      await agency.close();
    }
  });

  test("waits out a short Retry-After on 429, and 429s never open the breaker", async () => {
    let n = 0;
    const agency = await startAgency((_req, res) => {
      n += 1;
      if (n % 2 === 1) return res.writeHead(429, { "retry-after": "0" }).end("{}");
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    try {
      const client = new ResilientHttpClient({ name: "test", ...fastOptions(agency.url, { maxRetries: 1 }) });
      for (let i = 0; i < 4; i += 1) expect(await client.request({ ...check, idempotent: true })).toEqual({ ok: true });
      expect(agency.calls()).toBe(8);
      const limited = new ResilientHttpClient({ name: "test", ...fastOptions(agency.url, { maxRetries: 0 }) });
      n = 0;
      for (let i = 0; i < 5; i += 1) {
        n = 0; // every call meets a 429
        await expect(limited.request({ ...check, idempotent: true })).rejects.toMatchObject({ status: 429 });
      }
      expect(limited.breakerState()).toBe("CLOSED"); // threshold 3, five 429s
    } finally {
      await agency.close();
    }
  });

  test("refuses an answer larger than the limit while it streams in, as a malformed answer", async () => {
    let sent = 0;
    const agency = await startAgency((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // 64 MB unless the client hangs up first; no content-length, so only counting can stop it.
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => (sent = Number.POSITIVE_INFINITY));
      pump();
    });
    try {
      const client = new ResilientHttpClient({
        name: "test",
        ...fastOptions(agency.url, { maxBodyBytes: 1024 * 1024 }),
      });
      const error = await client.request({ ...check, idempotent: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorResponseError);
      expect((error as Error).message).toBe("test answered more than 1048576 bytes");
      expect(agency.calls()).toBe(1); // never retried
    } finally {
      await agency.close();
    }
  });

  test("treats a success answer that is not JSON as a malformed answer", async () => {
    const server = http.createServer((_req, res) => res.writeHead(200).end("<html>idNumber 140502199001010019</html>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new ResilientHttpClient({ name: "test", ...fastOptions(`http://127.0.0.1:${port}`) });
      const error = await client.request({ ...check, idempotent: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorResponseError);
      expect((error as Error).message).not.toContain(ID);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A stand-in agency on a free port that answers with `handle` and counts calls. */
async function startAgency(handle: http.RequestListener) {
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls += 1;
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
