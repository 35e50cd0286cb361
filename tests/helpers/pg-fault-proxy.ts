// A TCP proxy in front of PostgreSQL that reads the wire protocol (message framing only) and kills a connection at
// an exact point of a transaction, so a fault lands where the test says, not where a timer happens to fall:
//   - "at": the first message whose SQL text contains `match` is never delivered; the connection is reset (the
//     server rolls the transaction back; the hub sees its connection die mid-transaction);
//   - "commit-before": after a message containing `match`, that connection's COMMIT is never delivered (rolled back);
//   - "commit-after": that COMMIT is delivered and the server's answer dropped, then the connection is reset: the
//     transaction committed and the hub was never told (the case that duplicates or loses work if anything does);
//   - "hold": the first message containing `match` is held and the connection left open, its transaction stuck
//     mid-way (e.g. until the test kills the hub process: the server then rolls it back).
// Each armed fault skips the first `skip` matching points, fires `times` times (on any connection) and disarms; the
// promise `arm` returns resolves when it is used up (an event to act on, not a clock).
import { createServer, type Server, Socket } from "node:net";

export type PgFaultKind = "at" | "commit-before" | "commit-after" | "hold";

export interface PgFault {
  kind: PgFaultKind;
  /** A piece of SQL text (e.g. "INSERT INTO deposit_month"). */
  match: string;
}

export interface PgFaultProxy {
  host: string;
  port: number;
  /** Arms one fault for `times` matching points after the first `skip`; resolves when they all fired. */
  arm(fault: PgFault, times?: number, skip?: number): Promise<void>;
  /** Disarms; returns how many of the armed times did not fire. */
  disarm(): number;
  /** Faults fired since start. */
  firedCount(): number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

interface Armed {
  fault: PgFault;
  skip: number;
  left: number;
  done: () => void;
}

interface Conn {
  client: Socket;
  upstream: Socket;
  started: boolean;
  pending: Buffer;
  /** This connection sent `match` of a commit fault since its last COMMIT/ROLLBACK. */
  marked: boolean;
  /** The COMMIT went through: drop the answer and reset. */
  dropAnswer: boolean;
  /** A message was held: nothing more goes through this connection. */
  held: boolean;
  /** The text of each statement prepared on this connection, by name. */
  statements: Map<string, string>;
}

/**
 * The SQL text a client message runs, or null for any other message: a Query ('Q'), a Parse ('P') of the unnamed
 * statement, or a Bind ('B') of a named statement, whose text is the one its Parse gave on this connection (the hub
 * prepares statements it sends often, decision 037, and then sends their text once per connection). A named Parse is
 * not a matching point itself, so that each run of a statement is one matching point.
 */
function sqlOf(conn: Conn, message: Buffer): string | null {
  const type = String.fromCharCode(message[0]!);
  if (type === "Q") return message.toString("utf8", 5, message.length - 1);
  if (type === "P") {
    const nameEnd = message.indexOf(0, 5); // statement name, then the query text
    const textEnd = message.indexOf(0, nameEnd + 1);
    const name = message.toString("utf8", 5, nameEnd);
    const text = message.toString("utf8", nameEnd + 1, textEnd);
    if (name === "") return text;
    conn.statements.set(name, text);
    return null;
  }
  if (type === "B") {
    const portalEnd = message.indexOf(0, 5); // portal name, then the statement name
    const name = message.toString("utf8", portalEnd + 1, message.indexOf(0, portalEnd + 1));
    return name === "" ? null : (conn.statements.get(name) ?? null);
  }
  return null;
}

export async function startPgFaultProxy(targetHost: string, targetPort: number): Promise<PgFaultProxy> {
  const conns = new Set<Conn>();
  let armed: Armed | null = null;
  let fired = 0;

  const kill = (conn: Conn) => {
    conns.delete(conn);
    conn.upstream.destroy();
    if (!conn.client.destroyed) conn.client.resetAndDestroy();
  };

  /** A matching point: skipped (false) or the fault fires here (true). */
  const fire = (): boolean => {
    const a = armed!;
    if (a.skip > 0) {
      a.skip -= 1;
      return false;
    }
    fired += 1;
    a.left -= 1;
    if (a.left === 0) {
      armed = null;
      a.done();
    }
    return true;
  };

  /** Decides what happens to one complete client message: forward it, or kill the connection here. */
  const onMessage = (conn: Conn, message: Buffer): "forward" | "kill" | "hold" => {
    const sql = sqlOf(conn, message);
    if (sql === null || !armed) return "forward";
    const { fault } = armed;
    const isEnd = /^\s*(COMMIT|ROLLBACK)\b/i.test(sql);
    if (fault.kind === "at" || fault.kind === "hold") {
      if (!sql.includes(fault.match) || !fire()) return "forward";
      return fault.kind === "at" ? "kill" : "hold";
    }
    if (sql.includes(fault.match)) conn.marked = true;
    if (!isEnd || !conn.marked) return "forward";
    conn.marked = false;
    if (!/^\s*COMMIT\b/i.test(sql) || !fire()) return "forward";
    if (fault.kind === "commit-before") return "kill";
    conn.dropAnswer = true;
    return "forward";
  };

  const fromClient = (conn: Conn, chunk: Buffer) => {
    if (conn.held) return;
    conn.pending = conn.pending.length ? Buffer.concat([conn.pending, chunk]) : chunk;
    for (;;) {
      const buf = conn.pending;
      if (!conn.started) {
        // Startup, SSLRequest or GSSENCRequest: length then code, no type byte.
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSS_REQUEST) conn.started = true;
        conn.upstream.write(buf.subarray(0, len));
        conn.pending = buf.subarray(len);
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1) + 1;
      if (buf.length < len) return;
      const message = buf.subarray(0, len);
      conn.pending = buf.subarray(len);
      const verdict = onMessage(conn, message);
      if (verdict === "kill") return kill(conn);
      if (verdict === "hold") {
        conn.held = true;
        return;
      }
      conn.upstream.write(message);
    }
  };

  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const conn: Conn = {
      client,
      upstream,
      started: false,
      pending: Buffer.alloc(0),
      marked: false,
      dropAnswer: false,
      held: false,
      statements: new Map(),
    };
    conns.add(conn);
    const drop = () => {
      conns.delete(conn);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop);
    client.on("close", drop);
    upstream.on("error", drop);
    upstream.on("close", drop);
    upstream.connect(targetPort, targetHost);
    client.on("data", (chunk: Buffer) => fromClient(conn, chunk));
    upstream.on("data", (chunk: Buffer) => {
      if (conn.dropAnswer) return kill(conn);
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    host: "127.0.0.1",
    port,
    arm: (fault, times = 1, skip = 0) => {
      if (armed) throw new Error("a fault is armed already");
      for (const c of conns) c.marked = false;
      return new Promise<void>((done) => (armed = { fault, skip, left: times, done }));
    },
    disarm: () => {
      const left = armed?.left ?? 0;
      armed = null;
      return left;
    },
    firedCount: () => fired,
    close: async () => {
      for (const conn of [...conns]) kill(conn);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
