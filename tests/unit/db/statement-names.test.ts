// Which statements the driver prepares (src/db/statement-names.ts, decision 037): a text gets a name on its fifth use
// and keeps it; utility statements never do; the named and the counted texts are bounded.
import { StatementNames } from "../../../src/db/statement-names";

const SELECT_ONE = "SELECT note FROM probe WHERE id = $1";

it("names a text on its fifth use, and gives it the same name from then on", () => {
  const names = new StatementNames();
  const firstFour = [1, 2, 3, 4].map(() => names.nameFor(SELECT_ONE));
  expect(firstFour).toEqual([undefined, undefined, undefined, undefined]);
  const fifth = names.nameFor(SELECT_ONE);
  expect(fifth).toMatch(/^hub_s_[0-9a-f]{24}$/);
  expect(names.nameFor(SELECT_ONE)).toBe(fifth);
  expect(names.namedCount).toBe(1);
});

it("gives different texts different names", () => {
  const names = new StatementNames({ prepareAfterUses: 1, maxNamed: 10, maxCounted: 10 });
  const a = names.nameFor("SELECT 1 WHERE $1::int > 0");
  const b = names.nameFor("SELECT 2 WHERE $1::int > 0");
  expect(a).toBeDefined();
  expect(b).toBeDefined();
  expect(a).not.toBe(b);
});

it("names the statements PostgreSQL plans, and no utility statement", () => {
  const names = new StatementNames({ prepareAfterUses: 1, maxNamed: 10, maxCounted: 10 });
  for (const text of [
    "  select 1",
    "INSERT INTO t VALUES ($1)",
    "UPDATE t SET a = $1",
    "DELETE FROM t",
    "WITH x AS (SELECT 1) SELECT * FROM x",
  ])
    expect(names.nameFor(text)).toBeDefined();
  for (const text of ["DO $$ BEGIN END $$", "SET LOCAL lock_timeout = '1s'", "LOCK TABLE t", "SELECTED"])
    expect(names.nameFor(text)).toBeUndefined();
});

it("names no more than maxNamed texts; the others stay unnamed however often they are sent", () => {
  const names = new StatementNames({ prepareAfterUses: 2, maxNamed: 2, maxCounted: 100 });
  const texts = ["SELECT 1", "SELECT 2", "SELECT 3"];
  for (let round = 0; round < 5; round++) for (const t of texts) names.nameFor(t);
  expect(names.namedCount).toBe(2);
  expect(names.nameFor("SELECT 1")).toBeDefined();
  expect(names.nameFor("SELECT 2")).toBeDefined();
  expect(names.nameFor("SELECT 3")).toBeUndefined();
});

it("counts no more than maxCounted texts: a new text beyond them is never named", () => {
  const names = new StatementNames({ prepareAfterUses: 2, maxNamed: 100, maxCounted: 2 });
  names.nameFor("SELECT 1");
  names.nameFor("SELECT 2");
  for (let i = 0; i < 5; i++) expect(names.nameFor("SELECT 3")).toBeUndefined();
  // The texts counted before the bound still reach their name.
  expect(names.nameFor("SELECT 1")).toBeDefined();
});
