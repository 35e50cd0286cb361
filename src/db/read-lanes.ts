// The hub's own read channel on PostgreSQL (issue 12, decision 045): the short set-based reads (an account, its
// entries, one person's rental or tax facts) multiplexed onto a few pipelined connections ("lanes") instead of one
// pooled connection per read. A read on the pool costs a socket write and a wake-up of a backend of its own; the reads
// of one pass of the event loop on one lane leave in one write (writesTogether, uncorked by setImmediate: requests
// arrive in callbacks of their own, and a cork undone at the end of each callback batched nothing across them) and
// the backend answers them in a row. The read-mux probe measured +32-48 % reads/s and 22-38 % less CPU per read on both sides (decision 044).
//
// What a shared connection must not do, and how it does not:
// - a read stuck behind a slow one: reads of more than SHORT_READ_MAX_KEYS keys (a tax page of 500 persons) go to
//   the pool, and so does every read when each lane already has `maxInFlightPerLane` in flight;
// - a lost connection fails every read in flight on it: a read is safe to send again, so each one that failed because
//   the database dropped or refused its lane is sent once more on the pool (it fails there, typed, if the database is
//   gone); the lane is replaced on a later read, and while none is open reads go to the pool;
// - a read the server does not answer: the lane's statement_timeout cancels it (57014), and its query_timeout ends a
//   silent connection (node-postgres destroys a pipelined connection whose read timed out: its neighbours go to the
//   pool as above). Neither of those two is retried: the read itself was too slow, and would be again. Nor is a read
//   that had already waited its statement limit when its lane failed, whatever ended the lane (a neighbour's timeout
//   that fired first, say): sent again, it would wait as long once more.
import pg, { type Pool } from "pg";

import { isDatabaseUnavailable } from "./database-unavailable";
import { writesTogether } from "./driver-sql";
import type { QueryCounter } from "./query-counter";
import { poolReads, type SqlReads } from "./sql-reads";
import { sqlState } from "./transaction";

/** A read of more keys than this (ID numbers, account numbers) is sent on the pool, never on a shared lane. */
export const SHORT_READ_MAX_KEYS = 50;

export interface ReadLaneOptions {
  url: string;
  /** Pipelined connections (lanes); 0 sends every read to the pool. */
  lanes: number;
  /** Reads in flight on one lane before further reads go to the pool. */
  maxInFlightPerLane: number;
  statementMs: number;
  connectMs: number;
  /** After a lane failed to connect, reads go to the pool this long before it is tried again. */
  reconnectDelayMs: number;
  onError?: (error: Error) => void;
}

export const READ_LANE_DEFAULTS = { lanes: 4, maxInFlightPerLane: 32, reconnectDelayMs: 1000 } as const;

export interface ReadLaneStats {
  /** Lanes connected now. */
  open: number;
  /** Reads in flight on the lanes now. */
  inFlight: number;
  /** Reads sent on the lanes since start. */
  laneReads: number;
  /** Short reads sent to the pool since start because no lane was open or every lane was full. */
  overflow: number;
  /** Reads that failed with their lane and were sent again on the pool. */
  retried: number;
}

export interface LaneReads extends SqlReads {
  stats(): ReadLaneStats;
  /** Opens the lanes that are not open (lanes otherwise open on the reads that find them missing) and resolves, once
   *  each attempt has settled, with how many are open. */
  warm(): Promise<number>;
  close(): Promise<void>;
}

interface Lane {
  client: pg.Client;
  together: () => void;
  inFlight: number;
  lost: boolean;
}

type PipelinedClient = pg.Client & { pipeline: boolean };

const STATEMENT_CANCELLED = "57014";

/** The read was too slow (cancelled by the server, or not answered in time by the client): not sent again. */
export function readTimedOut(error: unknown): boolean {
  return sqlState(error) === STATEMENT_CANCELLED || /query read timeout/i.test(String((error as Error)?.message));
}

/** The read had waited its statement limit when it failed: too slow once, it is not sent again (whatever the error). */
function waitedItsLimit(sentAt: number, statementMs: number): boolean {
  return Date.now() - sentAt >= statementMs;
}

export function laneReads(pool: Pool, options: ReadLaneOptions, counter?: QueryCounter): LaneReads {
  const slots: (Lane | null)[] = Array.from({ length: options.lanes }, () => null);
  const connecting: (Promise<void> | null)[] = slots.map(() => null);
  const retryAt: number[] = slots.map(() => 0);
  const figures = { laneReads: 0, overflow: 0, retried: 0 };
  let closed = false;

  const lose = (lane: Lane, error?: Error) => {
    if (lane.lost) return;
    lane.lost = true;
    const slot = slots.indexOf(lane);
    if (slot >= 0) slots[slot] = null;
    if (error) options.onError?.(error);
    void lane.client.end().catch(() => undefined);
  };

  const open = (slot: number) => {
    const client = new pg.Client({
      connectionString: options.url,
      statement_timeout: options.statementMs,
      query_timeout: options.statementMs + 1000,
      connectionTimeoutMillis: options.connectMs,
      keepAlive: true,
    }) as PipelinedClient;
    client.pipeline = true;
    const lane: Lane = { client, together: writesTogether(client, setImmediate), inFlight: 0, lost: false };
    client.on("error", (e) => lose(lane, e));
    client.on("end", () => lose(lane));
    connecting[slot] = client.connect().then(
      () => {
        connecting[slot] = null;
        if (closed || lane.lost) void client.end().catch(() => undefined);
        else slots[slot] = lane;
      },
      (e: unknown) => {
        connecting[slot] = null;
        retryAt[slot] = Date.now() + options.reconnectDelayMs;
        const reported = lane.lost; // its error event, if it had one, was reported by lose()
        lane.lost = true;
        if (!reported) options.onError?.(e instanceof Error ? e : new Error(String(e)));
        void client.end().catch(() => undefined);
      },
    );
  };

  /** The open lane with the fewest reads in flight, if it has room; opens the lanes that are missing. */
  const pick = (): Lane | null => {
    let best: Lane | null = null;
    const now = Date.now();
    for (let i = 0; i < slots.length; i++) {
      const lane = slots[i];
      if (!lane) {
        if (!closed && !connecting[i] && now >= retryAt[i]!) open(i);
        continue;
      }
      if (!best || lane.inFlight < best.inFlight) best = lane;
    }
    return best && best.inFlight < options.maxInFlightPerLane ? best : null;
  };

  // The pool's own reads (uncounted: this read was counted above).
  const onPool = poolReads(pool).query;

  return {
    async query<T>(name: string, text: string, values: unknown[], keys = 1): Promise<T[]> {
      counter?.record();
      if (keys > SHORT_READ_MAX_KEYS || slots.length === 0) return onPool<T>(name, text, values);
      const lane = pick();
      if (!lane) {
        figures.overflow++;
        return onPool<T>(name, text, values);
      }
      figures.laneReads++;
      lane.inFlight++;
      lane.together();
      const sentAt = Date.now();
      try {
        return (await lane.client.query({ name, text, values })).rows as T[];
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        // Only the server's cancel (57014) leaves the connection usable: after a read timeout node-postgres destroys
        // a pipelined connection (its close event comes later), and every other such failure is the connection's.
        if (sqlState(error) !== STATEMENT_CANCELLED) lose(lane, error as Error);
        if (readTimedOut(error) || waitedItsLimit(sentAt, options.statementMs)) throw error;
        figures.retried++;
        return onPool<T>(name, text, values);
      } finally {
        lane.inFlight--;
      }
    },
    async warm() {
      for (let i = 0; i < slots.length; i++) if (!closed && !slots[i] && !connecting[i]) open(i);
      await Promise.all(connecting);
      return slots.filter((l) => l !== null).length;
    },
    stats: () => {
      const open = slots.filter((l): l is Lane => l !== null);
      return { open: open.length, inFlight: open.reduce((n, l) => n + l.inFlight, 0), ...figures };
    },
    async close() {
      closed = true;
      const lanes = slots.filter((l): l is Lane => l !== null);
      slots.fill(null);
      // A lane ends once the reads on it are answered (pipeline mode drains before it says goodbye); one whose
      // database went silent is cut after the statement limit.
      await Promise.all(
        lanes.map(async (lane) => {
          lane.lost = true;
          const ended = lane.client.end().catch(() => undefined);
          let timer: NodeJS.Timeout | undefined;
          const cut = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              (lane.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
              resolve();
            }, options.statementMs + 1000);
          });
          await Promise.race([ended, cut]);
          clearTimeout(timer);
        }),
      );
    },
  };
}
