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

async function run(on: Queryable, text: string, values: readonly unknown[]) {
  return on.query({ text, values: values.map(driverArgument), types: PRISMA_TYPES });
}

function templateSql(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : new Prisma.Sql(query, values);
}

/** Prisma's raw API answered by a pg pool (each statement on its own) or a checked-out client (a transaction). */
export function driverSql(on: Queryable): SqlTx {
  return {
    $queryRaw: async <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = templateSql(query, values);
      return (await run(on, sql.text, sql.values)).rows as T;
    },
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const sql = templateSql(query, values);
      return (await run(on, sql.text, sql.values)).rowCount ?? 0;
    },
    $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) => (await run(on, text, values)).rows as T,
    $executeRawUnsafe: async (text: string, ...values: unknown[]) => (await run(on, text, values)).rowCount ?? 0,
  };
}

/** A transaction on one pooled connection; the connection goes back to the pool broken when the rollback fails. */
export async function driverTransaction<T>(pool: Pool, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(driverSql(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection the database dropped or stopped answering cannot roll back: it is discarded at once (the server
    // ends the transaction with the session), instead of waiting for ROLLBACK's own timeout on a dead socket.
    if (isDatabaseUnavailable(error)) broken = error instanceof Error ? error : new Error(String(error));
    else
      await client.query("ROLLBACK").catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
    throw error;
  } finally {
    client.release(broken);
  }
}

export function poolSql(pool: Pool): SqlDb {
  return { client: driverSql(pool), transaction: (work) => driverTransaction(pool, work) };
}

export function prismaSql(prisma: PrismaClient): SqlDb {
  return { client: prisma, transaction: (work) => prisma.$transaction((tx) => work(tx)) };
}
