// Raw SQL straight through node-postgres with Prisma's raw-query semantics (issue 12, decision 030). The hot write
// paths (the deposit group commit, the exchange log's appends) are raw SQL already: tagged templates and Prisma.Sql
// fragments run through `$queryRaw`/`$executeRaw`. Through Prisma each of those statements costs the hub more CPU
// than PostgreSQL spends on it (its client runtime, its wasm query compiler per raw statement, argument and result
// mapping: 40 % of the hub's busy time in the deposit profile). `SqlTx` is the part of Prisma's transaction client
// those paths use; on PostgreSQL `driverSql` answers it from a pg connection, on PGlite Prisma itself does (one
// session that the Prisma adapter serializes: a statement beside Prisma's could land inside an open transaction).
//
// The values are Prisma's: int8 -> bigint, numeric -> Decimal, date/timestamp/timestamptz -> Date (a date at UTC
// midnight; timestamptz through node-postgres's own parser), json/jsonb -> parsed, the rest as node-postgres gives
// them (int4 -> number, text -> string, arrays of those). Arguments: Date -> ISO text, bigint and Decimal -> their text, arrays element by element.
import type { Pool, PoolClient, QueryConfig } from "pg";
import { types } from "pg";

import { Prisma, type PrismaClient } from "../generated/prisma/client";
import { isDatabaseUnavailable } from "./database-unavailable";
import { StatementNames } from "./statement-names";

/** The raw part of Prisma's client and transaction client: what the driver-backed paths need. */
export interface SqlTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** Transactions and single statements over raw SQL: the driver on PostgreSQL, Prisma on PGlite. */
export interface SqlDb {
  /** One statement per call, each committed on its own. */
  client: SqlTx;
  /** `work`'s statements in one transaction, committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T>;
}

const OID = {
  INT8: 20,
  INT8_ARRAY: 1016,
  NUMERIC: 1700,
  NUMERIC_ARRAY: 1231,
  DATE: 1082,
  DATE_ARRAY: 1182,
  TIMESTAMP: 1114,
  TIMESTAMP_ARRAY: 1115,
} as const;

const parseArray = types.getTypeParser(OID.INT8_ARRAY as never) as unknown as (text: string) => (string | null)[];
/** node-postgres parses an int8[] into element texts (null for NULL): any array parsed that way, then each element. */
function elements<T>(text: string, parse: (element: string) => T): (T | null)[] {
  return parseArray(text).map((e) => (e === null ? null : parse(e)));
}

const toBigInt = (text: string): bigint => BigInt(text);
const toDecimal = (text: string): Prisma.Decimal => new Prisma.Decimal(text);
const toDate = (text: string): Date => new Date(`${text}T00:00:00.000Z`);
const toTimestamp = (text: string): Date => new Date(`${text.replace(" ", "T")}Z`);

const PARSERS = new Map<number, (text: string) => unknown>([
  [OID.INT8, toBigInt],
  [OID.INT8_ARRAY, (t) => elements(t, toBigInt)],
  [OID.NUMERIC, toDecimal],
  [OID.NUMERIC_ARRAY, (t) => elements(t, toDecimal)],
  [OID.DATE, toDate],
  [OID.DATE_ARRAY, (t) => elements(t, toDate)],
  [OID.TIMESTAMP, toTimestamp],
  [OID.TIMESTAMP_ARRAY, (t) => elements(t, toTimestamp)],
]);

const PRISMA_TYPES: QueryConfig["types"] = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS.get(oid) ?? types.getTypeParser(oid, format as "text")) as NonNullable<
    QueryConfig["types"]
  >["getTypeParser"],
};

function isDecimal(value: object): value is { toFixed(): string } {
  // Prisma's Decimal and the domain's Money are two copies of decimal.js: both carry d, e and s.
  return "d" in value && "e" in value && "s" in value && typeof (value as { toFixed?: unknown }).toFixed === "function";
}

/** One argument as node-postgres should send it. */
export function driverArgument(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "object":
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return value.map(driverArgument);
      if (Buffer.isBuffer(value)) return value;
      if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (isDecimal(value)) return value.toFixed();
      return JSON.stringify(value);
    default:
      return value;
  }
}

type Queryable = Pick<PoolClient, "query">;

/** The names of the statements sent through the driver (one set per process: a name always means one text). */
const statementNames = new StatementNames();

async function run(on: Queryable, text: string, values: readonly unknown[], beforeSend?: () => void) {
  const name = statementNames.nameFor(text);
  beforeSend?.();
  return on.query({ ...(name ? { name } : {}), text, values: values.map(driverArgument), types: PRISMA_TYPES });
}

function templateSql(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : new Prisma.Sql(query, values);
}

/** Prisma's raw API answered by a pg pool (each statement on its own) or a checked-out client (a transaction);
 *  `beforeSend` runs before each statement is handed to node-postgres. */
export function driverSql(on: Queryable, beforeSend?: () => void): SqlTx {
  return {
    $queryRaw: async <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = templateSql(query, values);
      return (await run(on, sql.text, sql.values, beforeSend)).rows as T;
    },
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = templateSql(query, values);
      return (await run(on, sql.text, sql.values, beforeSend)).rowCount ?? 0;
    },
    $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) =>
      (await run(on, text, values, beforeSend)).rows as T,
    $executeRawUnsafe: async (text: string, ...values: unknown[]) =>
      (await run(on, text, values, beforeSend)).rowCount ?? 0,
  };
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Statements a pipelined transaction sends in one turn of the event loop leave in one socket write (decision 044).
 * node-postgres writes each statement to the socket as it is queued (its own cork covers one statement's messages),
 * so a step of three statements (inOrder) cost three writes, and on loopback each write also wakes the backend
 * again. Returns a function to call before a statement is queued: the first call of a turn corks the connection's
 * socket and schedules its uncork for the end of the turn (process.nextTick, before any I/O can run), so every cork
 * is undone before an answer could arrive, and the order of the statements on the wire is unchanged.
 */
export function writesTogether(
  client: Pick<PoolClient, "query">,
  /** When the cork is undone: the end of the callback (nextTick), or of the event loop's poll phase (setImmediate). */
  until: (uncork: () => void) => void = process.nextTick,
): () => void {
  const stream = (client as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
  if (typeof stream?.cork !== "function" || typeof stream.uncork !== "function") return () => undefined;
  const socket = stream as Corkable;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    until(uncork);
  };
}

/** The writes of a driver transaction sent without waiting for their answers (sendWrite), in the order sent. */
const unanswered = new WeakMap<SqlTx, Promise<unknown>[]>();

/**
 * Sends statements whose answers do not decide what is sent next, without waiting in between (issue 12, decision
 * 034). A driver transaction's connection is in node-postgres's pipeline mode: every step is written to the socket at
 * once and PostgreSQL answers them in the order sent, so a batch waits for one round trip where it waited for one per
 * statement (each of which, under load, also waited for this process's event loop to come round to the answer). A
 * later step sees what an earlier one did (a read after the lock it needs). Elsewhere (Prisma on PGlite, or outside
 * a transaction) the steps run one after another. Each step must send its first statement before its first `await`.
 */
export async function inOrder<T extends readonly unknown[]>(
  tx: SqlTx,
  ...steps: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  if (!unanswered.has(tx)) {
    const results: unknown[] = [];
    for (const step of steps) results.push(await step());
    return results as unknown as T;
  }
  return (await Promise.all(steps.map((step) => step()))) as unknown as T;
}

/**
 * A write whose answer the caller does not need (an insert of rows whose ids it made, say). In a driver transaction
 * it is sent and not waited for; COMMIT is sent behind it, and the transaction fails (rolled back by the database:
 * a statement that failed aborts the transaction, and COMMIT then ends it as a ROLLBACK) with that write's error.
 * Elsewhere the write is awaited here. A write of several statements sends its later ones when its earlier ones are
 * answered, behind whatever was sent meanwhile.
 */
export async function sendWrite(tx: SqlTx, write: () => Promise<unknown>): Promise<void> {
  const pending = unanswered.get(tx);
  if (!pending) {
    await write();
    return;
  }
  const sent = write();
  sent.catch(() => undefined); // observed before the transaction ends (settleWrites)
  pending.push(sent);
}

const IN_FAILED_TRANSACTION = "25P02";

/** Waits for the unanswered writes; the first that failed (in the order sent) is the transaction's error. */
async function settleWrites(pending: readonly Promise<unknown>[]): Promise<unknown> {
  for (const outcome of await Promise.allSettled(pending)) if (outcome.status === "rejected") return outcome.reason;
  return undefined;
}

function isAbortedTransaction(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === IN_FAILED_TRANSACTION;
}

/** The database ended the transaction with ROLLBACK when asked to COMMIT: a statement of it had failed. */
export class TransactionRolledBackError extends Error {
  constructor() {
    super("the database rolled the transaction back at COMMIT: one of its statements had failed");
  }
}

type PipelinedClient = PoolClient & { pipeline?: boolean };

/**
 * A transaction on one pooled connection, pipelined (see inOrder): BEGIN goes with the work's first statements and
 * COMMIT behind its last writes. The connection goes back to the pool broken when the rollback fails.
 */
export async function driverTransaction<T>(pool: Pool, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  const client = (await pool.connect()) as PipelinedClient;
  let broken: Error | undefined;
  client.pipeline = true; // nothing is in flight on a client just checked out
  const together = writesTogether(client);
  const tx = driverSql(client, together);
  const pending: Promise<unknown>[] = [];
  unanswered.set(tx, pending);
  // A BEGIN that fails fails the session (it has nothing else to fail on), and with it every statement behind it.
  // It leaves in the same write as the work's first statements.
  together();
  const begun = client.query("BEGIN");
  begun.catch(() => undefined); // awaited below, before the transaction ends either way
  try {
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      // The root cause is the first failed statement: a write sent before what the work awaited.
      const failedWrite = isAbortedTransaction(error) ? await settleWrites(pending) : undefined;
      throw failedWrite ?? error;
    }
    together();
    const committed = client.query("COMMIT");
    committed.catch(() => undefined);
    await begun;
    const failedWrite = await settleWrites(pending);
    const answer = await committed;
    if (failedWrite !== undefined) throw failedWrite;
    if (answer.command !== "COMMIT") throw new TransactionRolledBackError();
    return result;
  } catch (error) {
    await begun.catch(() => undefined);
    await settleWrites(pending);
    // A connection the database dropped or stopped answering cannot roll back: it is discarded at once (the server
    // ends the transaction with the session), instead of waiting for ROLLBACK's own timeout on a dead socket.
    if (isDatabaseUnavailable(error)) broken = error instanceof Error ? error : new Error(String(error));
    else
      await client.query("ROLLBACK").catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
    throw error;
  } finally {
    unanswered.delete(tx);
    // Every statement sent has been answered (ROLLBACK and COMMIT come last), or the connection is discarded.
    client.pipeline = false;
    client.release(broken);
  }
}

export function poolSql(pool: Pool): SqlDb {
  return { client: driverSql(pool), transaction: (work) => driverTransaction(pool, work) };
}

export function prismaSql(prisma: PrismaClient): SqlDb {
  return { client: prisma, transaction: (work) => prisma.$transaction((tx) => work(tx)) };
}
