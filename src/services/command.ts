// The one skeleton of a mutation: a replay answers from the stored result before anything else happens (before the
// `outside` step when there is one, else first thing in the transaction); then the steps that must not hold a
// transaction open (agency calls, e.g. the national duplicate check or finance's answer)
// run outside any transaction; then one transaction does the work and stores the result with it (runIdempotent,
// which checks for a replay again under the key); then what follows a commit (kick the outbox, resend to an
// agency) runs for a first run and a replay alike. A refusal at any step writes nothing and is not stored, so a
// replay re-evaluates it.
import type { SqlTx } from "../db/driver-sql";
import type { Tx } from "../db/transaction";
import { isUniqueViolation } from "../db/transaction";
import type { PrismaClient } from "../generated/prisma/client";
import {
  type IdempotentRequest,
  type Outcome,
  peekIdempotent,
  prismaTransactions,
  requestHash,
  runIdempotentOn,
  type Transactions,
  validKey,
} from "./idempotency";
import { userError, type UserErrorDto } from "./user-error";

export const INVALID_IDEMPOTENCY_KEY = userError(
  "INVALID_IDEMPOTENCY_KEY",
  "幂等键须为 8–128 个可见 ASCII 字符",
  "idempotencyKey",
);

export interface CommandSteps<T, A, X extends SqlTx = Tx> {
  request: IdempotentRequest;
  /** Outside any transaction, only when this is not a replay: agency calls and the reads they need. A refusal here
   *  ends the command; its own audit writes (e.g. a refused duplicate check) are its business. */
  outside?: () => Promise<Outcome<A>>;
  /** The work, in the transaction that stores its result. */
  transaction: (tx: X, outside: A) => Promise<Outcome<T>>;
  /** The answer when a unique rule of the work itself was hit by a concurrent request (see runIdempotent). */
  onConflict?: UserErrorDto;
  /** After the commit, or after a replay: must be safe to repeat. */
  afterCommit?: (result: T) => Promise<void> | void;
}

export function runCommand<T, A = undefined>(prisma: PrismaClient, steps: CommandSteps<T, A>): Promise<Outcome<T>> {
  return runCommandOn<T, A, Tx>(prismaTransactions(prisma), steps);
}

/** runCommand on other transactions: `hub.sql` for a command whose work is raw SQL only, so that on PostgreSQL it
 *  runs through the driver instead of Prisma's interactive transaction (decision 037). */
export async function runCommandOn<T, A, X extends SqlTx>(
  db: Transactions<X>,
  steps: CommandSteps<T, A, X>,
): Promise<Outcome<T>> {
  if (!validKey(steps.request.key)) return { userErrors: [INVALID_IDEMPOTENCY_KEY] };
  // A look-up before the transaction spares a replay the `outside` step (agency calls). Without one it would only
  // repeat the look-up the transaction makes first (runIdempotentOn), which answers a replay as well: a new request
  // is spared a statement and a round trip, a replay costs an empty transaction (decision 044).
  let outcome = steps.outside ? await peekIdempotent<T>(db.client, steps.request) : null;
  if (!outcome) {
    let outside = undefined as A;
    if (steps.outside) {
      const answer = await steps.outside();
      if (!("ok" in answer)) return answer;
      outside = answer.ok;
    }
    outcome = await runIdempotentOn<T, X>(db, steps.request, (tx) => steps.transaction(tx, outside), steps.onConflict);
  }
  if ("ok" in outcome && steps.afterCommit) await steps.afterCommit(outcome.ok);
  return outcome;
}

/**
 * For a command whose work cannot be one transaction (a streamed file posts batch by batch, each row idempotent by
 * its own reference): whether the key was used, and storing the result once the work is done. A concurrent run
 * under the same key that stored first wins; the rows themselves were deduplicated by the work.
 */
export async function keyInUse(prisma: PrismaClient, key: string): Promise<boolean> {
  return (await prisma.idempotencyRecord.findUnique({ where: { key }, select: { key: true } })) !== null;
}

export async function storeCommandResult(
  prisma: PrismaClient,
  request: IdempotentRequest,
  result: unknown,
  /** The request whose exchange record goes with this write (exchange-scope.ts). */
  requestId?: string | null,
): Promise<void> {
  try {
    await prisma.idempotencyRecord.create({
      data: {
        key: request.key,
        operation: request.operation,
        actor: request.actor,
        requestHash: requestHash(request.operation, request.input),
        response: result as object,
        requestId: requestId ?? null,
      },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
}
