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
