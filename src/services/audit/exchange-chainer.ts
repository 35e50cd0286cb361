// Links unchained exchange records into the hash chain, oldest id first: each round takes the chain head under a
// transaction-level advisory lock (hub processes on one PostgreSQL take turns), gives the next rows seq, prev_hash
// and hash, and commits. Rows of transactions still open are invisible and are linked by a later round (their seq
// then follows rows with higher ids: seq, not id, is the chain order). After a round that advanced the chain, a
// signed checkpoint of the head is kept outside the database, at most once per checkpoint interval.
import type { Logger } from "pino";

import type { DatabaseKind } from "../../db/database";
import type { SqlDb, SqlTx } from "../../db/driver-sql";
import type { Checkpoint, ExchangeAnchor } from "./exchange-anchor";
import { GENESIS_HASH, type StoredExchangeRow, storedRowHash, SUBJECT_KEYS_OF_R } from "./exchange-chain";

const LOCK_KEY = 7140500;
const ROUND = 2000;

type Unchained = StoredExchangeRow;

export class ExchangeChainer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastCheckpointAt = 0;
  private uncheckpointed = false;

  constructor(
    /** Raw SQL: the driver on PostgreSQL (decision 030). */
    private readonly sql: SqlDb,
    private readonly kind: DatabaseKind,
    readonly anchor: ExchangeAnchor,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; checkpointIntervalMs: number; kickGapMs?: number },
  ) {}

  /**
   * Links every unchained row visible now; returns how many were linked. `wait: false` (the rounds `kick` starts)
   * gives up at once when another hub process holds the chain head: that process links what is visible to it, and
   * the next tick of the interval links the rest. Waiting would hold a pool connection idle behind the other
   * process's round (the advisory lock was every lock wait the pilotload bench saw, decision 029).
   */
  async chainPending(options: { wait?: boolean } = {}): Promise<number> {
    const wait = options.wait ?? true;
    let linked = 0;
    for (;;) {
      const round = await this.sql.transaction((tx) => this.round(tx, wait));
      if (round === "busy") return linked;
      linked += round.linked;
      if (round.head) this.maybeCheckpoint(round.head);
      if (round.linked < ROUND) return linked;
    }
  }

  private async round(tx: SqlTx, wait: boolean): Promise<{ linked: number; head: Checkpoint | null } | "busy"> {
    if (this.kind === "postgres") {
      if (wait) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
      else {
        const [lock] = await tx.$queryRaw<{ got: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS got`;
        if (!lock?.got) return "busy";
      }
    }
    const rows = await tx.$queryRaw<Unchained[]>`
      SELECT r.id, r.at, r.request_id, r.consumer_role, r.consumer_org, r.consumer_sub, r.operation, r.purpose,
             r.subject_count, r.result_size, r.outcome,
             ${SUBJECT_KEYS_OF_R}
      FROM exchange_record r WHERE r.seq IS NULL ORDER BY r.id LIMIT ${ROUND}`;
    if (rows.length === 0) return { linked: 0, head: null };
    const [tip] = await tx.$queryRaw<
      { seq: bigint; hash: string }[]
    >`SELECT seq, hash FROM exchange_record WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`;
    let seq = tip?.seq ?? 0n;
    let prev = tip?.hash ?? GENESIS_HASH;
    const links = rows.map((r) => {
      seq += 1n;
      const hash = storedRowHash(r, prev);
      const link = { id: r.id, seq, prev, hash };
      prev = hash;
      return link;
    });
    await tx.$executeRaw`
      UPDATE exchange_record SET seq = l.seq, prev_hash = l.prev, hash = l.hash
      FROM unnest(${links.map((l) => l.id)}::bigint[], ${links.map((l) => l.seq)}::bigint[], ${links.map((l) => l.prev)}::char(64)[], ${links.map((l) => l.hash)}::char(64)[])
        AS l(id, seq, prev, hash)
      WHERE exchange_record.id = l.id`;
    const last = links.at(-1)!;
    const head = { seq: last.seq.toString(), id: last.id.toString(), hash: last.hash, count: last.seq.toString() };
    return { linked: links.length, head: { ...head, at: new Date().toISOString() } };
  }

  private pendingHead: Checkpoint | null = null;

  private maybeCheckpoint(head: Checkpoint): void {
    this.pendingHead = head;
    this.uncheckpointed = true;
    if (Date.now() - this.lastCheckpointAt >= this.options.checkpointIntervalMs) this.checkpointNow();
  }

  /** Keeps a signed checkpoint of the newest head this process linked (if it has not been kept yet). */
  checkpointNow(): void {
    if (!this.uncheckpointed || !this.pendingHead) return;
    this.anchor.record(this.pendingHead);
    this.lastCheckpointAt = Date.now();
    this.uncheckpointed = false;
  }

  /** A round asked for by `kick` less than kickGapMs after the previous one waits for the rest of that gap. */
  private delayed: NodeJS.Timeout | null = null;
  private lastKickAt = 0;

  /**
   * Asks for a round soon (after rows were inserted or a mutation committed its record): at once, or when the
   * previous kicked round is kickGapMs old. Under load every batch of read records kicked a round of its own (six
   * statements and a commit, and an UPDATE of each row) for a few rows; one round per gap links them all (decision 031).
   */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.delayed) return;
    const wait = this.lastKickAt + (this.options.kickGapMs ?? 0) - Date.now();
    if (wait > 0) {
      this.delayed = setTimeout(() => {
        this.delayed = null;
        this.kick();
      }, wait);
      this.delayed.unref();
      return;
    }
    this.lastKickAt = Date.now();
    this.running = this.chainPending({ wait: false })
      .then(() => undefined)
      .catch((e: unknown) => {
        this.logger.error({ err: e }, "exchange chaining round failed; will retry");
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.kick();
      if (this.uncheckpointed && Date.now() - this.lastCheckpointAt >= this.options.checkpointIntervalMs)
        this.checkpointNow();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Waits for the current round (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.delayed) clearTimeout(this.delayed);
    this.delayed = null;
    await this.idle();
    await this.chainPending().catch((e: unknown) => this.logger.error({ err: e }, "final exchange chaining failed"));
    this.checkpointNow();
  }
}
