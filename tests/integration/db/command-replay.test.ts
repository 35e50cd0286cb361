// The skeleton of a mutation (src/services/command.ts) looks its idempotency key up before the transaction only when
// that spares a replay its `outside` step; otherwise the transaction's own look-up answers a replay, and a new
// request sends nothing outside its transaction (decision 044). On PGlite and PostgreSQL, through the hub's SqlDb.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import type { SqlTx } from "../../../src/db/driver-sql";
import { runCommandOn } from "../../../src/services/command";
import { createTestDatabase, type TestDatabase } from "../../helpers/test-database";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.options);
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

/** db.sql with its statements outside a transaction counted (the look-up before the transaction is one). */
function countedOutside() {
  const seen = { statements: 0 };
  const client = db.sql.client;
  const counted: SqlTx = {
    $queryRaw: (q, ...v) => (seen.statements++, client.$queryRaw(q, ...v)),
    $executeRaw: (q, ...v) => (seen.statements++, client.$executeRaw(q, ...v)),
    $queryRawUnsafe: (q, ...v) => (seen.statements++, client.$queryRawUnsafe(q, ...v)),
    $executeRawUnsafe: (q, ...v) => (seen.statements++, client.$executeRawUnsafe(q, ...v)),
  };
  return { seen, db: { client: counted, transaction: db.sql.transaction.bind(db.sql) } };
}

const request = (key: string, amount: string) => ({
  key,
  operation: "probe",
  actor: "tester",
  input: { amount },
  exchange: undefined,
});

/** A command whose work reads one value in its transaction; `calls` counts how often each step ran. */
function command(key: string, amount: string, withOutside: boolean) {
  const calls = { outside: 0, transaction: 0 };
  const steps = {
    request: request(key, amount),
    ...(withOutside ? { outside: async () => (calls.outside++, { ok: "asked" as const }) } : {}),
    transaction: async (tx: SqlTx) => {
      calls.transaction++;
      const [row] = await tx.$queryRaw<{ doubled: string }[]>`SELECT (${amount}::numeric * 2)::text AS doubled`;
      return { ok: { doubled: row!.doubled } };
    },
  };
  return { calls, steps };
}

describe("without an outside step", () => {
  it("sends nothing outside the transaction for a new request, and stores its answer", async () => {
    const counted = countedOutside();
    const { calls, steps } = command("no-outside-1", "10.50", false);
    expect(await runCommandOn(counted.db, steps)).toEqual({ ok: { doubled: "21.00" } });
    expect(calls).toEqual({ outside: 0, transaction: 1 });
    expect(counted.seen.statements).toBe(0);
  });

  it("answers a replay with the stored answer from inside the transaction, without running the work again", async () => {
    await runCommandOn(db.sql, command("no-outside-2", "10.50", false).steps);
    const counted = countedOutside();
    const { calls, steps } = command("no-outside-2", "10.50", false);
    expect(await runCommandOn(counted.db, steps)).toEqual({ ok: { doubled: "21.00" } });
    expect(calls).toEqual({ outside: 0, transaction: 0 });
    expect(counted.seen.statements).toBe(0);
  });

  it("refuses the same key with another input, without running the work", async () => {
    await runCommandOn(db.sql, command("no-outside-3", "10.50", false).steps);
    const { calls, steps } = command("no-outside-3", "99.00", false);
    expect(await runCommandOn(countedOutside().db, steps)).toMatchObject({
      userErrors: [{ code: "IDEMPOTENCY_KEY_REUSED", field: "idempotencyKey" }],
    });
    expect(calls.transaction).toBe(0);
  });
});

describe("with an outside step", () => {
  it("looks the key up first, then runs the outside step and the work once for a new request", async () => {
    const counted = countedOutside();
    const { calls, steps } = command("with-outside-1", "3.25", true);
    expect(await runCommandOn(counted.db, steps)).toEqual({ ok: { doubled: "6.50" } });
    expect(calls).toEqual({ outside: 1, transaction: 1 });
    expect(counted.seen.statements).toBe(1);
  });

  it("answers a replay before the outside step (no agency is asked again)", async () => {
    await runCommandOn(db.sql, command("with-outside-2", "3.25", true).steps);
    const counted = countedOutside();
    const { calls, steps } = command("with-outside-2", "3.25", true);
    expect(await runCommandOn(counted.db, steps)).toEqual({ ok: { doubled: "6.50" } });
    expect(calls).toEqual({ outside: 0, transaction: 0 });
    expect(counted.seen.statements).toBe(1);
  });
});
