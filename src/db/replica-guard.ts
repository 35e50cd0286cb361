// Which server answers the agency bureaus' reads (decision 058): the replica (HUB_DB_REPLICA_URL) while it answers
// and is shown to be at most `maxLagMs` behind the primary, the primary otherwise. Nothing is asked per read: a probe
// every `probeMs` adds one to the heartbeat on the primary (replica_heartbeat, one row all hubs share) and reads the
// row back from the replica. The replica holds every commit the primary made before the newest beat it shows, so if
// that beat is one this process wrote at local time t, the replica is at most (now - t) behind. A beat written by
// another hub, or one older than this process, shows nothing: until the replica shows one of this process's own
// beats, its lag is unknown and the primary answers. A read the replica fails (down, a recovery conflict) is sent
// again to the primary, and the replica is left out until a probe finds it answering again.
import { performance } from "node:perf_hooks";

import type { Pool } from "pg";

import { isDatabaseUnavailable } from "./database-unavailable";
import { readTimedOut } from "./read-lanes";
import type { SqlReads } from "./sql-reads";
import { sqlState } from "./transaction";

export interface ReplicaGuardOptions {
  /** The replica answers only while its lag is shown to be at most this; 0: no bound (it answers whenever it can). */
  maxLagMs: number;
  /** How often the heartbeat is written on the primary and read back from the replica (default: probeIntervalFor). */
  probeMs?: number;
  /** Told when the replica starts or stops answering the agency reads. */
  onChange?: (state: ReplicaState) => void;
}

export const REPLICA_GUARD_DEFAULTS: ReplicaGuardOptions = { maxLagMs: 10_000 };

/**
 * A probe reads the replica a moment after writing its beat, usually before the replica has replayed it, so a replica
 * that follows closely shows the previous probe's beat: between one and two intervals (plus its own delay). A quarter
 * of the bound keeps that at half the bound at most. Once a second at most; at least every 50 ms apart.
 */
export function probeIntervalFor(maxLagMs: number): number {
  return maxLagMs === 0 ? 1000 : Math.min(1000, Math.max(50, Math.floor(maxLagMs / 4)));
}

/** Why the agency reads go where they go. */
export type ReplicaCondition =
  | "fresh" // in use: answering, and its lag shown to be within the bound (or no bound)
  | "starting" // no probe has finished yet
  | "lag-unknown" // it answers, but shows none of this process's beats yet
  | "lagging" // it answers, but its lag is over the bound
  | "unreachable" // its last probe could not read it
  | "failed-read"; // it failed an agency read (away, or cancelled for recovery) since its last probe

export interface ReplicaState {
  inUse: boolean;
  condition: ReplicaCondition;
  /** At most this far behind the primary (ms) when last shown; null while unknown. */
  lagMs: number | null;
  /** Agency reads since start answered by each server; `fellBack`: those of them the replica failed first. */
  reads: { replica: number; primary: number; fellBack: number };
  /** While unreachable or after a failed read: the database's reason (a refused connection, a missing table or grant). */
  problem?: string;
}

/** SQLSTATE of a standby's query cancelled by a conflict with recovery (and of any serialization failure: a read on
 *  the replica is never in a serializable transaction, so there it is always the former). */
const RECOVERY_CONFLICT = "40001";

/** The beat, on the primary; a row someone deleted is made again (the migration makes it). */
const BEAT_SQL = `INSERT INTO replica_heartbeat (id, beat, beaten_at) VALUES (1, 1, clock_timestamp())
  ON CONFLICT (id) DO UPDATE SET beat = replica_heartbeat.beat + 1, beaten_at = clock_timestamp()
  RETURNING beat::text AS beat`;
const READ_BEAT_SQL = `SELECT beat::text AS beat FROM replica_heartbeat WHERE id = 1`;

export class ReplicaGuard {
  /** This process's beats not yet seen on the replica, oldest first: the beat and the local time just before it. */
  private pending: { beat: bigint; at: number }[] = [];
  /** The replica holds every primary commit made before this local time (null: not shown yet). */
  private freshAsOf: number | null = null;
  private probed = false;
  /** Why the replica is left out whatever its lag; null: its last probe read it, and no read failed since. */
  private away: "unreachable" | "failed-read" | null = null;
  private readonly counts = { replica: 0, primary: 0, fellBack: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private waiters: ((state: ReplicaState) => void)[] = [];
  /** What the operator was last told: the replica in use or not; null: nothing yet. */
  private told: boolean | null = null;
  private startedAt = 0;
  private problem: string | undefined;
  private closed = false;
  private readonly probeMs: number;

  constructor(
    private readonly primary: Pool,
    private readonly replica: Pool,
    private readonly options: ReplicaGuardOptions,
  ) {
    this.probeMs = options.probeMs ?? probeIntervalFor(options.maxLagMs);
  }

  /** Probes at once, then `probeMs` after each probe ends. */
  start(): void {
    this.startedAt = performance.now();
    this.kick();
  }

  /** Resolves with the state after the next probe finishes. */
  nextProbe(): Promise<ReplicaState> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  state(): ReplicaState {
    const lagMs = this.lagMs();
    const condition = this.conditionAt(lagMs);
    return {
      inUse: condition === "fresh",
      condition,
      lagMs,
      reads: { ...this.counts },
      ...(this.away && this.problem ? { problem: this.problem } : {}),
    };
  }

  /**
   * The agency reads: on `replicaReads` while the replica is in use, else on `primaryReads`. A read the replica
   * fails because it is away or cancelled the read for recovery is answered by the primary; one that ran out of time
   * is not sent again (it would hold the request as long again).
   */
  reads(replicaReads: SqlReads, primaryReads: SqlReads): SqlReads {
    return {
      query: async <T>(name: string, text: string, values: unknown[], keys?: number): Promise<T[]> => {
        if (this.conditionAt(this.lagMs()) !== "fresh") {
          this.counts.primary++;
          return primaryReads.query<T>(name, text, values, keys);
        }
        try {
          const rows = await replicaReads.query<T>(name, text, values, keys);
          this.counts.replica++;
          return rows;
        } catch (error) {
          const away = isDatabaseUnavailable(error) || sqlState(error) === RECOVERY_CONFLICT;
          if (!away || readTimedOut(error)) throw error;
          this.away = "failed-read";
          this.problem = messageOf(error);
          this.announce();
          this.counts.primary++;
          this.counts.fellBack++;
          return primaryReads.query<T>(name, text, values, keys);
        }
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private kick(): void {
    if (this.closed) return;
    this.running = this.probe().finally(() => {
      this.running = null;
      if (!this.closed) this.timer = setTimeout(() => this.kick(), this.probeMs).unref();
    });
  }

  private async probe(): Promise<void> {
    const at = performance.now();
    try {
      const { rows } = await this.primary.query<{ beat: string }>(BEAT_SQL);
      if (rows[0]) this.pending.push({ beat: BigInt(rows[0].beat), at });
    } catch {
      // The primary is away: no new beat, so the lag shown only grows (and the reads' records fail there anyway).
    }
    try {
      const { rows } = await this.replica.query<{ beat: string }>(READ_BEAT_SQL);
      const seen = rows[0] ? BigInt(rows[0].beat) : -1n;
      while (this.pending.length > 0 && this.pending[0]!.beat <= seen) this.freshAsOf = this.pending.shift()!.at;
      this.away = null;
    } catch (error) {
      this.away = "unreachable";
      this.problem = messageOf(error);
    }
    this.probed = true;
    // A beat the replica has not shown for twice the bound would only show it lagging: forget it (memory stays bounded).
    const oldest = performance.now() - Math.max(this.options.maxLagMs, this.probeMs) * 2;
    while (this.pending.length > 0 && this.pending[0]!.at < oldest) this.pending.shift();
    const state = this.announce();
    for (const resolve of this.waiters.splice(0)) resolve(state);
  }

  /** At most this far behind now (ms); null until the replica shows one of this process's beats. */
  private lagMs(): number | null {
    return this.freshAsOf === null ? null : Math.max(0, Math.round(performance.now() - this.freshAsOf));
  }

  private conditionAt(lagMs: number | null): ReplicaCondition {
    if (!this.probed) return "starting";
    if (this.away) return this.away;
    if (this.options.maxLagMs === 0) return "fresh";
    if (lagMs === null) return "lag-unknown";
    return lagMs > this.options.maxLagMs ? "lagging" : "fresh";
  }

  /**
   * Tells the operator when the agency reads move. A replica that is not used yet is told only once it has had the
   * time a healthy one needs to show a beat (the bound, or four probes), so that a start is not a false alarm; from
   * then on every move is told, and a replica that is never used (a table it does not replicate, a grant missing)
   * is told once, with the database's reason.
   */
  private announce(): ReplicaState {
    const state = this.state();
    if (state.inUse === this.told) return state;
    const grace = Math.max(this.options.maxLagMs, 4 * this.probeMs);
    if (this.told === null && !state.inUse && performance.now() - this.startedAt < grace) return state;
    this.told = state.inUse;
    this.options.onChange?.(state);
    return state;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
