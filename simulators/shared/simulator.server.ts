import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

import type { z } from "zod";

/** How a simulator misbehaves, so tests can cover outages: 'down' answers 503 with Retry-After: 1,
 *  'slow' answers after `slowMs`, 'malformed' answers 200 with a body that breaks the schema, 'flaky'
 *  answers 503 to every other request (the first one included). */
export type SimulatorMode = "up" | "down" | "slow" | "malformed" | "flaky";

export interface SimulatorRequestRecord {
  method: string;
  path: string;
  requestId: string | undefined;
  hubCenter: string | undefined;
}

export interface SimulatorResponse {
  status: number;
  body: unknown;
}

export interface SimulatorRoute {
  method: "GET" | "POST";
  /** Anchored; capture groups are passed as params. */
  path: RegExp;
  handle(body: unknown, params: string[]): SimulatorResponse;
}

export interface SimulatorControl {
  setMode(mode: SimulatorMode): void;
  mode(): SimulatorMode;
  /** Every request received, in order, faults included. */
  requests(): SimulatorRequestRecord[];
  requestCount(): number;
  resetRequests(): void;
}

export interface RunningSimulator<C> {
  url: string;
  close(): Promise<void>;
  control: C;
}

export interface SimulatorServerOptions {
  port?: number;
  host?: string;
  /** How long 'slow' waits before answering; longer than the client's default timeout (3 s). */
  slowMs?: number;
  malformedBody: unknown;
  routes: SimulatorRoute[];
}

const MAX_BODY_BYTES = 1024 * 1024;

/** A route whose POST body is validated first: a body that breaks `schema` gets 400 with the issue paths. */
export function route<S extends z.ZodTypeAny>(
  method: "GET" | "POST",
  path: RegExp,
  schema: S | null,
  handle: (body: z.output<S>, params: string[]) => SimulatorResponse,
): SimulatorRoute {
  return {
    method,
    path,
    handle(body, params) {
      if (schema === null) return handle(undefined as z.output<S>, params);
      const parsed = schema.safeParse(body);
      if (parsed.success) return handle(parsed.data as z.output<S>, params);
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      return { status: 400, body: { error: "BAD_REQUEST", issues } };
    },
  };
}

/** Reads and validates a seed JSON file; throws naming the file when it is unreadable or invalid. */
export function readSeedFile<S extends z.ZodTypeAny>(file: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`seed file ${file} is invalid: ${parsed.error.message}`);
  return parsed.data as z.output<S>;
}

export async function startSimulatorServer(
  options: SimulatorServerOptions,
): Promise<RunningSimulator<SimulatorControl>> {
  let mode: SimulatorMode = "up";
  let flakyCount = 0;
  let requests: SimulatorRequestRecord[] = [];
  const waits = new Set<() => void>();
  const slowMs = options.slowMs ?? 4000;

  /** Resolves true after `ms`, or false as soon as the client hangs up or the server closes. */
  const wait = (ms: number, res: http.ServerResponse) =>
    new Promise<boolean>((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        waits.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        waits.delete(cancel);
        resolve(true);
      }, ms);
      waits.add(cancel);
      res.once("close", cancel);
    });

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<SimulatorResponse> => {
    const path = new URL(req.url ?? "/", "http://simulator").pathname;
    requests.push({
      method: req.method ?? "",
      path,
      requestId: header(req, "x-request-id"),
      hubCenter: header(req, "x-hub-center"),
    });
    const text = await readBody(req);
    if (mode === "down" || (mode === "flaky" && flakyCount++ % 2 === 0)) {
      if (mode === "down") res.setHeader("retry-after", "1");
      return { status: 503, body: { error: "UNAVAILABLE" } };
    }
    if (mode === "slow" && !(await wait(slowMs, res))) return { status: 503, body: { error: "GONE" } };
    if (mode === "malformed") return { status: 200, body: options.malformedBody };
    const target = options.routes.find((r) => r.method === req.method && r.path.test(path));
    if (target === undefined) return { status: 404, body: { error: "NOT_FOUND" } };
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      return { status: 400, body: { error: "BAD_REQUEST", issues: [{ path: "", message: "body is not JSON" }] } };
    }
    return target.handle(body, target.path.exec(path)?.slice(1) ?? []);
  };

  const server = http.createServer((req, res) => {
    answer(req, res)
      .catch((err: unknown) => ({ status: err instanceof BodyTooLargeError ? 413 : 500, body: { error: "FAILED" } }))
      .then(
        ({ status, body }) => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        },
        () => undefined,
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  const control: SimulatorControl = {
    setMode(next) {
      mode = next;
      flakyCount = 0;
    },
    mode: () => mode,
    requests: () => [...requests],
    requestCount: () => requests.length,
    resetRequests() {
      requests = [];
    },
  };
  const close = () =>
    new Promise<void>((resolve, reject) => {
      for (const cancel of [...waits]) cancel();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  return { url: `http://${address.address}:${address.port}`, close, control };
}

class BodyTooLargeError extends Error {}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
