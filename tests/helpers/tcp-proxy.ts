// A TCP proxy in front of PostgreSQL for fault tests: forwards bytes both ways until `cut()`, which turns it into a
// black hole (open connections go silent, new ones are accepted and never answered: a network that drops packets).
// `restore()` resets every connection from the cut (as a partition ends: peers see a reset) and forwards again.
import { createServer, type Server, Socket } from "node:net";

export interface TcpProxy {
  host: string;
  port: number;
  /** Connections accepted so far (each is one database connection of the hub). */
  connections(): number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();
  let silent = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    pairs.add(pair);
    const drop = () => {
      pair.client.destroy();
      pair.upstream?.destroy();
      pairs.delete(pair);
    };
    client.on("error", drop);
    client.on("close", drop);
    if (silent) return client.pause(); // accepted, never answered
    const upstream = (pair.upstream = new Socket());
    upstream.on("error", drop);
    upstream.on("close", drop);
    upstream.connect(targetPort, targetHost);
    client.on("data", (chunk) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!silent) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    host: "127.0.0.1",
    port,
    connections: () => accepted,
    cut: () => {
      silent = true;
    },
    restore: () => {
      silent = false;
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
        pairs.delete(pair);
      }
    },
    close: async () => {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
