// pgArray: one array literal string instead of a JS array parameter (decision 024), read back by PostgreSQL.
import { PGlite } from "@electric-sql/pglite";

import { commaList, pgArray } from "../../../src/db/pg-array";

it("quotes every element, escapes backslash and double quote, and writes NULL for null", () => {
  expect(pgArray([])).toBe("{}");
  expect(pgArray(["a", null, 'x"y', "b\\c", "NULL", 7n, 1.5, undefined])).toBe(
    '{"a",NULL,"x\\"y","b\\\\c","NULL","7","1.5",NULL}',
  );
});

it("reads back as the same values through each element type's input (text, bigint, numeric, date, char(7))", async () => {
  const db = await PGlite.create();
  try {
    const texts = ["plain", "", " spaced ", "a,b", "{brace}", 'q"uote', "back\\slash", "NULL", "中文 ref", null];
    const { rows } = await db.query<{ t: (string | null)[]; b: string[]; n: string[]; d: string[]; c: string[] }>(
      `SELECT $1::text[] AS t, ($2::bigint[])::text[] AS b, ($3::numeric[])::text[] AS n, ($4::date[])::text[] AS d,
              ($5::char(7)[])::text[] AS c`,
      [
        pgArray(texts),
        pgArray([1n, 9007199254740993n]),
        pgArray(["800.00", "0.01"]),
        pgArray(["2024-02-29"]),
        pgArray(["2024-07"]),
      ],
    );
    expect(rows[0]).toEqual({
      t: texts,
      b: ["1", "9007199254740993"],
      n: ["800.00", "0.01"],
      d: ["2024-02-29"],
      c: ["2024-07"],
    });
  } finally {
    await db.close();
  }
});

it("commaList reads a string_agg(x, ',') column back: its values in order, none for NULL or no text", async () => {
  expect(commaList(null)).toEqual([]);
  expect(commaList("")).toEqual([]);
  expect(commaList("2024-07")).toEqual(["2024-07"]);
  const db = await PGlite.create();
  try {
    const { rows } = await db.query<{ months: string | null; none: string | null }>(
      `SELECT (SELECT string_agg(m, ',' ORDER BY m) FROM unnest(ARRAY['2024-08', '2024-07', '2025-01']) AS m) AS months,
              (SELECT string_agg(m, ',') FROM unnest(ARRAY[]::text[]) AS m) AS none`,
    );
    expect(commaList(rows[0]!.months)).toEqual(["2024-07", "2024-08", "2025-01"]);
    expect(commaList(rows[0]!.none)).toEqual([]);
  } finally {
    await db.close();
  }
});
