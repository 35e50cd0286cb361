// An HTTP proxy in front of an agency simulator that answers the next requests with faults given in order
// (a fault schedule), then forwards again:
//   "hang"    — reads the request and never answers (the hub's per-attempt timeout must end the wait);
//   "garbage" — 200 with a body that is not JSON;
//   "wrong"   — 200 with JSON of the wrong shape;
//   "slow"    — forwards, and holds the answer for `slowMs` (under the hub's timeout: the call still succeeds);
//   "reset"   — resets the connection without an answer;
//   "error"   — 500.
// Only requests whose path matches `only` take a fault (others are forwarded); `served` counts what happened.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type HttpFault = "hang" | "garbage" | "wrong" | "slow" | "reset" | "error";

export interface HttpFaultProxy {
  url: string;
  /** Faults for the next requests, one per request, in order. */
  schedule(faults: HttpFault[]): void;
  /** Scheduled faults not yet used. */
  pending(): number;
  served: Record<HttpFault | "forwarded", number>;
  close(): Promise<void>;
}

export async function startHttpFaultProxy(
  target: string,
  options: { slowMs?: number; only?: RegExp } = {},
): Promise<HttpFaultProxy> {
  const slowMs = options.slowMs ?? 150;
  const queue: HttpFault[] = [];
  const served: HttpFaultProxy["served"] = { hang: 0, garbage: 0, wrong: 0, slow: 0, reset: 0, error: 0, forwarded: 0 };
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const upstream = new URL(target);

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, delayMs: number): void {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const send = () => {
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          };
          if (delayMs > 0) setTimeout(send, delayMs);
          else send();
        });
      },
    );
    out.on("error", () => res.destroy());
    out.end(body);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fault = !options.only || options.only.test(req.url ?? "") ? queue.shift() : undefined;
      const body = Buffer.concat(chunks);
      if (!fault) {
        served.forwarded += 1;
        return forward(req, res, body, 0);
      }
      served[fault] += 1;
      switch (fault) {
        case "hang":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "garbage":
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end("<html>502 Bad Gateway</html>\u0000\u00ff{");
        case "wrong":
          res.writeHead(200, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ unexpected: [1, 2, 3], status: 42 }));
        case "slow":
          return forward(req, res, body, slowMs);
        case "reset":
          return void req.socket.resetAndDestroy();
        case "error":
          res.writeHead(500, { "content-type": "application/json" });
          return void res.end(JSON.stringify({ error: "INTERNAL" }));
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    schedule: (faults) => queue.push(...faults),
    pending: () => queue.length,
    served,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
