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

  /** Delivers every due message once; returns how many were delivered. */
  async dispatchDue(limit = 100): Promise<number> {
    const due = await this.prisma.outboxMessage.findMany({
      where: { doneAt: null, nextAttemptAt: { lte: new Date() } },
      orderBy: { id: "asc" },
      take: limit,
    });
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
