// Folds metric_delta rows into metric_rollup, atomically: one statement deletes a batch of deltas and adds their
// sums to the rollup rows, so a reader (rollup + remaining deltas, one snapshot) sees every delta exactly once,
// before or after. One compaction at a time (a transaction-scoped advisory lock), so rollup rows never deadlock.
// Callable from tests and CLI (`compactMetrics`); runs on an unref'd timer in the hub (`MetricsCompactor`).
import type { Logger } from "pino";

import { inTransaction } from "../db/transaction";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { INSERT_COLUMNS, METRIC_COLUMNS, summedColumns } from "../services/metrics/metric-sources";

/** Held by whoever writes metric_rollup: a compaction (skips its round when taken) or a rebuild (waits for it). */
export const COMPACTION_LOCK = 140504;
export const COMPACTION_BATCH = 10000;

const ADD_EXCLUDED = Prisma.raw(METRIC_COLUMNS.map((c) => `${c} = metric_rollup.${c} + excluded.${c}`).join(", "));

export interface CompactionResult {
  moved: number;
  /** False when another compaction held the lock (nothing was done). */
  ran: boolean;
}

/** Moves every delta committed so far into the rollup, in batches of `batchSize` rows. */
export async function compactMetrics(prisma: PrismaClient, batchSize = COMPACTION_BATCH): Promise<CompactionResult> {
  let moved = 0;
  for (;;) {
    const batch = await inTransaction(prisma, async (tx) => {
      const [lock] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}::bigint) AS locked`;
      if (!lock?.locked) return null;
      const [row] = await tx.$queryRaw<{ n: bigint }[]>`
        WITH moved AS (
          DELETE FROM metric_delta WHERE id IN (SELECT id FROM metric_delta ORDER BY id LIMIT ${batchSize}::int) RETURNING *
        ), merged AS (
          INSERT INTO metric_rollup ${INSERT_COLUMNS}
          SELECT month, county_code, employment_form, ${summedColumns()} FROM moved GROUP BY 1, 2, 3
          ON CONFLICT (month, county_code, employment_form) DO UPDATE SET ${ADD_EXCLUDED}
          RETURNING 1
        )
        SELECT count(*) AS n FROM moved`;
      return Number(row?.n ?? 0);
    });
    if (batch === null) return { moved, ran: moved > 0 };
    moved += batch;
    if (batch < batchSize) return { moved, ran: true };
  }
}

export class MetricsCompactor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly intervalMs = 15000,
  ) {}

  /** One compaction now (or waits for the one in progress). */
  runOnce(): Promise<void> {
    this.running ??= compactMetrics(this.prisma)
      .then((r) => {
        if (r.moved > 0) this.logger.debug({ moved: r.moved }, "metric deltas compacted");
      })
      .catch((e: unknown) => this.logger.error({ err: e }, "metric compaction failed; deltas stay and still count"))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
