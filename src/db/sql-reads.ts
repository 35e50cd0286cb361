// Set-based reads straight through the driver (decision 023): the hot reads (account view, rental eligibility, tax
// deductions) are one statement each, and Prisma's per-statement work (its query interpreter, argument and result
// mapping) cost more CPU than the statement itself. On PostgreSQL they go to the pg pool as named prepared
// statements (parsed and planned once per connection, as PostGraphile's reads are); on PGlite, a single session the
// Prisma adapter serializes, they go through Prisma's raw query so they queue with everything else. The SQL casts
// what it returns to text, integers, text arrays or json, so both paths hand back the same JavaScript values.
import type { Pool } from "pg";

import type { PrismaClient } from "../generated/prisma/client";
import type { QueryCounter } from "./query-counter";

export interface SqlReads {
  /**
   * Runs one read-only statement ($1, $2, ... placeholders); `name` names its prepared statement. `keys` is how many
   * entities it reads (ID numbers, account numbers; default 1): on PostgreSQL a read of many is never queued on a
   * connection shared with other requests' reads (read-lanes.ts, decision 045).
   */
  query<T>(name: string, text: string, values: unknown[], keys?: number): Promise<T[]>;
}

/** Through the pool; `counter` (tests that count statements) sees each read as Prisma's statements are seen. */
export function poolReads(pool: Pool, counter?: QueryCounter): SqlReads {
  if (counter)
    return {
      query: async <T>(name: string, text: string, values: unknown[]) => {
        counter.record();
        return (await pool.query({ name, text, values })).rows as T[];
      },
    };
  return {
    query: async <T>(name: string, text: string, values: unknown[]) =>
      (await pool.query({ name, text, values })).rows as T[],
  };
}

export function prismaReads(prisma: Pick<PrismaClient, "$queryRawUnsafe">): SqlReads {
  return {
    query: <T>(_name: string, text: string, values: unknown[]) => prisma.$queryRawUnsafe<T[]>(text, ...values),
  };
}
