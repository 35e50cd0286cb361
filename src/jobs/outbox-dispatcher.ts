// Delivers outbox messages (work that must follow a commit, such as registering a new account with the
// national platform) with retries and backoff. Callable once from tests and CLI; runs on a timer in the hub.
import type { Logger } from "pino";

import type { NationalPlatformPort } from "../connectors/national-platform/national-platform.port";
import type { PrismaClient } from "../generated/prisma/client";

export type OutboxHandler = (payload: Record<string, unknown>) => Promise<void>;

export function outboxHandlers(national: NationalPlatformPort): Record<string, OutboxHandler> {
  return {
    "national.registerAccount": async (p) => {
      await national.registerAccount({
        idNumber: String(p.idNumber),
        centerCode: String(p.centerCode),
        accountNumber: String(p.accountNumber),
        kind: p.kind === "EMPLOYER" ? "EMPLOYER" : "FLEXIBLE",
      });
    },
    "national.deregisterAccount": async (p) => {
      await national.deregisterAccount({
        idNumber: String(p.idNumber),
        centerCode: String(p.centerCode),
        accountNumber: String(p.accountNumber),
        kind: p.kind === "EMPLOYER" ? "EMPLOYER" : "FLEXIBLE",
      });
    },
    "national.registerLoan": async (p) => {
      await national.registerLoan({
        idNumber: String(p.idNumber),
        centerCode: String(p.centerCode),
        loanNumber: String(p.loanNumber),
      });
    },
    "national.settleLoan": async (p) => {
      await national.settleLoan({
        idNumber: String(p.idNumber),
        centerCode: String(p.centerCode),
        loanNumber: String(p.loanNumber),
      });
    },
  };
}

const MAX_BACKOFF_MS = 10 * 60 * 1000;
/** Messages claimed per statement: small, so the last one of a batch is sent well within its lease. */
const CLAIM_BATCH = 10;
/** How long a claimed message is this process's: longer than CLAIM_BATCH slow deliveries (timeout x attempts). */
export const OUTBOX_LEASE_MS = 120_000;

interface OutboxRow {
  id: bigint;
  topic: string;
  payload: unknown;
  attempts: number;
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly handlers: Record<string, OutboxHandler>,
    private readonly logger: Logger,
    private readonly intervalMs = 5000,
  ) {}

  /** Delivers every due message once; returns how many were delivered. Safe with N hub processes on one
   *  database: each message is claimed under a lease before it is sent (claimDue), so two processes never send
   *  the same message at the same time. */
  dispatchDue(limit = 100): Promise<number> {
    // Rounds of this process run one after another (a direct call waits for a timer round in progress), so when a
    // call returns, every message this process had claimed before it has been sent or rescheduled.
    const round = this.serial.then(() => this.dispatchRound(limit));
    this.serial = round.catch(() => undefined);
    return round;
  }

  private serial: Promise<unknown> = Promise.resolve();

  private async dispatchRound(limit: number): Promise<number> {
    let delivered = 0;
    for (let taken = 0; taken < limit;) {
      const due = await this.claimDue(Math.min(CLAIM_BATCH, limit - taken));
      if (due.length === 0) break;
      taken += due.length;
      delivered += await this.deliver(due);
    }
    return delivered;
  }

  /**
   * Takes up to `n` due messages for this process: one statement picks them (FOR UPDATE SKIP LOCKED: rows another
   * process is claiming at this moment are passed over) and moves their next attempt a lease ahead, so no other
   * process picks them until the lease runs out. A process that dies mid-delivery leaves its messages to be picked
   * up by another after the lease (delivery is at least once; every national call is idempotent per the contract).
   * Database time (now()) decides, so hubs on machines whose clocks differ agree on what is due.
   */
  private async claimDue(n: number): Promise<OutboxRow[]> {
    const rows = await this.prisma.$queryRaw<
      OutboxRow[]
    >`UPDATE outbox_message SET next_attempt_at = now() + make_interval(secs => ${OUTBOX_LEASE_MS / 1000}::float8)
      WHERE id IN (
        SELECT id FROM outbox_message WHERE done_at IS NULL AND next_attempt_at <= now()
        ORDER BY id LIMIT ${n}::int FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, payload, attempts`;
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async deliver(due: OutboxRow[]): Promise<number> {
    let delivered = 0;
    for (const message of due) {
      const handler = this.handlers[message.topic];
      try {
        if (!handler) throw new Error(`no handler for topic ${message.topic}`);
        await handler(message.payload as Record<string, unknown>);
        await this.prisma.outboxMessage.update({
          where: { id: message.id },
          data: { doneAt: new Date(), attempts: { increment: 1 }, lastError: null },
        });
        delivered++;
      } catch (e) {
        const attempts = message.attempts + 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
        await this.prisma.outboxMessage.update({
          where: { id: message.id },
          data: {
            attempts,
            lastError: String((e as Error).message).slice(0, 500),
            nextAttemptAt: new Date(Date.now() + backoff),
          },
        });
        this.logger.warn(
          { topic: message.topic, id: message.id.toString(), attempts },
          "outbox delivery failed; will retry",
        );
      }
    }
    return delivered;
  }

  /** Asks for a delivery round soon (after a commit that wrote a message). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A round kicked after a request's commit is the hub's own work, not the request's (its outbound calls carry no
    // requester, so their records name the hub).
    this.running = this.dispatchDue()
      .catch((e: unknown) => {
        this.logger.error({ err: e }, "outbox round failed");
        return 0;
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
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
  }

  /** No round starts after this, and the one under way (with any round it asked for) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Waits for the current round (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
