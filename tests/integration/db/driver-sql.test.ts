// Raw SQL through the driver (src/db/driver-sql.ts, decision 030) hands the hot write paths the values Prisma's raw
// queries hand them, takes the same arguments, and keeps a transaction all or nothing. On PostgreSQL `db.sql` is the
// pg pool; on PGlite it is Prisma itself, so there the same assertions pin what the driver path must match.
import "reflect-metadata";

import { type Database, openDatabase } from "../../../src/db/database";
import { inOrder, sendWrite, type SqlTx, TransactionRolledBackError } from "../../../src/db/driver-sql";
import { parseMoney } from "../../../src/domain/money/money";
import { socketWrites } from "../../helpers/socket-writes";
import { createTestDatabase, serverUrl, type TestDatabase } from "../../helpers/test-database";

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.options);
  await db.driver.exec(`CREATE TABLE driver_sql_probe (id int PRIMARY KEY, note text NOT NULL)`);
}, 60_000);
afterAll(async () => {
  await db.close();
  await database.drop();
}, 60_000);

const TYPED = `
  SELECT 9007199254740993::int8 AS big, 12.50::numeric(18,2) AS amount, '2024-07-10'::date AS day,
         '2024-07-10 08:30:00'::timestamp AS at, '2024-07-10 08:30:00+08'::timestamptz AS at_tz,
         '{"k": [1, "两"]}'::jsonb AS doc, 7::int AS n, '2024-07'::char(7) AS period, true AS yes, NULL::text AS nothing,
         ARRAY[1, NULL, 3]::int8[] AS bigs, ARRAY['a', 'b']::text[] AS texts`;

interface Typed {
  big: bigint;
  amount: { toFixed(d: number): string };
  day: Date;
  at: Date;
  at_tz: Date;
  doc: unknown;
  n: number;
  period: string;
  yes: boolean;
  nothing: null;
  bigs: (bigint | null)[];
  texts: string[];
}

function expectPrismaValues(row: Typed): void {
  expect(row.big).toBe(9007199254740993n);
  expect(row.amount.toFixed(2)).toBe("12.50");
  expect(row.day).toEqual(new Date("2024-07-10T00:00:00.000Z"));
  expect(row.at).toEqual(new Date("2024-07-10T08:30:00.000Z"));
  expect(row.at_tz).toEqual(new Date("2024-07-10T00:30:00.000Z"));
  expect(row.doc).toEqual({ k: [1, "两"] });
  expect(row.n).toBe(7);
  expect(row.period).toBe("2024-07");
  expect(row.yes).toBe(true);
  expect(row.nothing).toBeNull();
  expect(row.bigs).toEqual([1n, null, 3n]);
  expect(row.texts).toEqual(["a", "b"]);
}

it("reads every type as Prisma's raw query does, through the driver and through Prisma", async () => {
  const [viaSql] = await db.sql.client.$queryRawUnsafe<Typed[]>(TYPED);
  expectPrismaValues(viaSql!);
  const [viaPrisma] = await db.prisma.$queryRawUnsafe<Typed[]>(TYPED);
  expectPrismaValues(viaPrisma as Typed);
});

it("sends Date, bigint, Money, arrays, null and objects as Prisma does", async () => {
  const client: SqlTx = db.sql.client;
  const [row] = await client.$queryRaw<
    { day: string; at: string; big: string; money: string; ids: string; none: boolean; doc: string }[]
  >`SELECT ${new Date("2024-07-10T00:00:00.000Z")}::date::text AS day,
       (${new Date("2024-07-10T08:30:00.000Z")}::timestamptz AT TIME ZONE 'UTC')::text AS at,
       (${9007199254740993n}::int8 + 1)::text AS big, (${parseMoney("1234.50")}::numeric * 2)::numeric(18,2)::text AS money,
       array_to_string(${[1n, 2n, 3n]}::bigint[], ',') AS ids, ${null}::text IS NULL AS none,
       (${{ a: "两" }}::jsonb ->> 'a') AS doc`;
  expect(row).toEqual({
    day: "2024-07-10",
    at: "2024-07-10 08:30:00",
    big: "9007199254740994",
    money: "2469.00",
    ids: "1,2,3",
    none: true,
    doc: "两",
  });
});

it("commits a transaction's statements together and rolls them all back when the work throws", async () => {
  await db.sql.transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"kept"})`;
    await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${2}, ${"kept too"})`;
  });
  await expect(
    db.sql.transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${3}, ${"undone"})`;
      await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"clash"})`;
    }),
  ).rejects.toMatchObject({ code: expect.stringMatching(/^(23505|P2010)$/) });
  const rows = await db.sql.client.$queryRaw<{ id: number; note: string }[]>`
    SELECT id, note FROM driver_sql_probe ORDER BY id`;
  expect(rows).toEqual([
    { id: 1, note: "kept" },
    { id: 2, note: "kept too" },
  ]);
});

it("counts the rows a statement changed", async () => {
  const changed = await db.sql.client.$executeRawUnsafe(`UPDATE driver_sql_probe SET note = note || $1`, "!");
  expect(changed).toBe(2);
});

describe("pipelined transactions (inOrder, sendWrite; decision 034)", () => {
  const idsBetween = async (from: number, to: number) =>
    (
      await db.sql.client.$queryRaw<{ id: number }[]>`
        SELECT id FROM driver_sql_probe WHERE id BETWEEN ${from}::int AND ${to}::int ORDER BY id`
    ).map((r) => r.id);

  it("runs the steps in the order given: a later read sees an earlier write of the same transaction", async () => {
    const [inserted, seen] = await db.sql.transaction((tx) =>
      inOrder(
        tx,
        () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${20}, ${"first"}), (${21}, ${"second"})`,
        () => tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM driver_sql_probe WHERE id BETWEEN 20 AND 21`,
      ),
    );
    expect(inserted).toBe(2);
    expect(seen).toEqual([{ n: 2n }]);
    expect(await idsBetween(20, 29)).toEqual([20, 21]);
  });

  it("commits the writes it did not wait for", async () => {
    await db.sql.transaction(async (tx) => {
      await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${30}, ${"a"})`);
      await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${31}, ${"b"})`);
    });
    expect(await idsBetween(30, 39)).toEqual([30, 31]);
  });

  it("fails the whole transaction with the failed write's own error, even when the work went on and returned", async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${40}, ${"undone"})`);
        await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"clash"})`);
        await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${41}, ${"undone"})`);
        return "the work did not notice";
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(23505|P2010)$/) });
    expect(await idsBetween(40, 49)).toEqual([]);
  });

  it("reports the failed write, not the aborted transaction, when a read behind it fails for that reason", async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await sendWrite(tx, () => tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"clash"})`);
        return tx.$queryRaw`SELECT note FROM driver_sql_probe WHERE id = 2`;
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(23505|P2010)$/) });
  });
});

// The driver path only (PGlite's transactions are Prisma's): a work that swallows a failed statement leaves the
// transaction aborted, and PostgreSQL answers its COMMIT with ROLLBACK; the driver says so instead of returning.
(serverUrl() ? it : it.skip)(
  "does not report as committed a transaction the database rolled back at COMMIT",
  async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${50}, ${"undone"})`;
        await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"clash"})`.catch(() => undefined);
        return "swallowed";
      }),
    ).rejects.toBeInstanceOf(TransactionRolledBackError);
    const rows = await db.sql.client.$queryRaw<{ id: number }[]>`SELECT id FROM driver_sql_probe WHERE id = 50`;
    expect(rows).toEqual([]);
  },
);

// Statements sent often are prepared on the connection (statement-names.ts, decision 037); the driver path only.
(serverUrl() ? describe : describe.skip)("prepared statements (decision 037)", () => {
  // One connection, so that what one statement prepared is seen by the next.
  let one: Database;
  beforeAll(async () => {
    one = await openDatabase({ ...database.options, poolSize: 1, migrate: false });
    await one.sql.client
      .$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${60}, ${"sixty"}), (${61}, ${"sixty-one"})`;
  });
  afterAll(() => one.close());

  const preparedLike = async (marker: string) =>
    (
      await one.sql.client.$queryRawUnsafe<{ name: string }[]>(
        `SELECT name FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'`,
        marker,
      )
    ).map((r) => r.name);

  it("prepares a statement on its fifth use, and it answers as before", async () => {
    const text = `SELECT note FROM driver_sql_probe WHERE id = $1::int /* probe-a */`;
    const answers: unknown[] = [];
    for (let i = 0; i < 4; i++) answers.push(await one.sql.client.$queryRawUnsafe(text, 60));
    expect(await preparedLike("probe-a")).toEqual([]);
    for (let i = 0; i < 3; i++) answers.push(await one.sql.client.$queryRawUnsafe(text, 60 + (i % 2)));
    const names = await preparedLike("probe-a");
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^hub_s_/);
    expect(answers).toEqual([
      [{ note: "sixty" }],
      [{ note: "sixty" }],
      [{ note: "sixty" }],
      [{ note: "sixty" }],
      [{ note: "sixty" }],
      [{ note: "sixty-one" }],
      [{ note: "sixty" }],
    ]);
  });

  it("keeps answering after the transaction that prepared it rolled back", async () => {
    const text = `SELECT note FROM driver_sql_probe WHERE id = $1::int /* probe-b */`;
    await expect(
      one.sql.transaction(async (tx) => {
        for (let i = 0; i < 6; i++) await tx.$queryRawUnsafe(text, 61);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await one.sql.client.$queryRawUnsafe(text, 61)).toEqual([{ note: "sixty-one" }]);
    expect(await preparedLike("probe-b")).toHaveLength(1);
  });

  it("prepares it again when its first named use fell in an aborted transaction", async () => {
    const text = `SELECT note FROM driver_sql_probe WHERE id = $1::int /* probe-c */`;
    for (let i = 0; i < 4; i++) await one.sql.client.$queryRawUnsafe(text, 60);
    // The fifth use (the first with a name) is refused: the transaction is already aborted, nothing is prepared.
    await expect(
      one.sql.transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${1}, ${"clash"})`.catch(() => undefined);
        await tx.$queryRawUnsafe(text, 60);
      }),
    ).rejects.toMatchObject({ code: "25P02" });
    expect(await preparedLike("probe-c")).toEqual([]);
    expect(await one.sql.client.$queryRawUnsafe(text, 60)).toEqual([{ note: "sixty" }]);
    expect(await preparedLike("probe-c")).toHaveLength(1);
  });
});

// A pipelined transaction's statements sent in one turn of the event loop leave in one socket write (decision 044);
// the driver path only (PGlite has no socket).
(serverUrl() ? describe : describe.skip)("one socket write per turn (decision 044)", () => {
  let one: Database;
  beforeAll(async () => {
    one = await openDatabase({ ...database.options, poolSize: 1, migrate: false });
    await one.sql.client.$executeRaw`INSERT INTO driver_sql_probe (id, note) VALUES (${70}, ${"seventy"})`;
  });
  afterAll(() => one.close());

  it("sends BEGIN with the first step's three statements in one write and COMMIT in another, answering each", async () => {
    const { result, writes } = await socketWrites(() =>
      one.sql.transaction((tx) =>
        inOrder(
          tx,
          () => tx.$queryRaw<{ n: number }[]>`SELECT ${1}::int AS n`,
          () => tx.$executeRaw`UPDATE driver_sql_probe SET note = ${"seventy!"} WHERE id = ${70}::int`,
          () => tx.$queryRaw<{ note: string }[]>`SELECT note FROM driver_sql_probe WHERE id = ${70}::int`,
        ),
      ),
    );
    expect(result).toEqual([[{ n: 1 }], 1, [{ note: "seventy!" }]]);
    // One write per statement (BEGIN, three, COMMIT) would be 5.
    expect(writes).toBe(2);
  });

  it("leaves the connection uncorked: a statement after the transaction is sent and answered", async () => {
    await one.sql.transaction((tx) => tx.$queryRaw`SELECT 1`);
    const { result, writes } = await socketWrites(
      () => one.sql.client.$queryRaw<{ note: string }[]>`SELECT note FROM driver_sql_probe WHERE id = ${70}::int`,
    );
    expect(result).toEqual([{ note: "seventy!" }]);
    expect(writes).toBe(1);
  });
});
