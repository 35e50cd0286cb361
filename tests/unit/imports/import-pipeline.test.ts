// importRows posts batch k while it reads batch k+1 (decision 024): never more than one batch ahead, batches commit
// in file order one after the other, the result and the order of its errors are those of a sequential import, and a
// batch that fails stops the import before the next batch posts.
import type { HubServices } from "../../../src/services/hub-services";
import {
  importRows,
  type ImportTally,
  type ImportTarget,
  type RowProblem,
} from "../../../src/services/imports/streamed-import";

interface Row {
  line: number;
  bad?: boolean;
  /** The lane key (an account) and the shared key (a payment reference), for the tests of lanes. */
  account?: string;
  ref?: string;
}

const hub = {} as HubServices;

/** A target whose batches wait for the test to release them; rows with `bad` are rejected by the batch. */
function gatedTarget(batchSize: number, failOnBatch = -1, lanes = false) {
  const events: string[] = [];
  const gates: (() => void)[] = [];
  let batches = 0;
  const target: ImportTarget<Row> = {
    header: [],
    rowOf: () => {
      throw new Error("not used");
    },
    operation: "test",
    batchSize,
    isProblem: (row: Row | RowProblem): row is RowProblem => "code" in row,
    async postBatch(_hub: HubServices, rows: Row[], tally: ImportTally) {
      const n = ++batches;
      events.push(`post ${n} [${rows.map((r) => r.line).join(",")}]`);
      await new Promise<void>((resolve) => gates.push(resolve));
      if (n === failOnBatch) {
        events.push(`fail ${n}`);
        throw new Error(`batch ${n} lost its connection`);
      }
      for (const row of rows) {
        if (row.bad) tally.reject(row.line, [{ code: "RULE", message: `rule ${row.line}` }]);
        else tally.result.accepted++;
      }
      events.push(`commit ${n}`);
    },
    ...(lanes ? { lanes: { laneKey: (row: Row) => row.account!, sharedKey: (row: Row) => row.ref! } } : {}),
  };
  return { target, events, gates };
}

async function* source(items: (Row | RowProblem)[], events: string[]) {
  for (const item of items) {
    events.push(`read ${item.line}`);
    yield item;
  }
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error("condition never held");
};

it("reads one batch ahead of the batch posting, no further, and commits in file order", async () => {
  const { target, events, gates } = gatedTarget(2);
  const rows: Row[] = [1, 2, 3, 4, 5, 6, 7].map((line) => ({ line }));
  const done = importRows(hub, source(rows, events), target, undefined);
  await until(() => events.includes("read 4"));
  await new Promise((r) => setImmediate(r));
  // Batch 1 (lines 1-2) is posting; batch 2 (3-4) is read and waits; line 5 is not read yet.
  expect(events).toEqual(["read 1", "read 2", "post 1 [1,2]", "read 3", "read 4"]);
  gates.shift()!();
  await until(() => events.includes("read 6"));
  await new Promise((r) => setImmediate(r));
  expect(events.slice(5)).toEqual(["commit 1", "post 2 [3,4]", "read 5", "read 6"]);
  gates.shift()!();
  await until(() => gates.length === 1);
  gates.shift()!();
  await until(() => gates.length === 1);
  gates.shift()!();
  expect(await done).toEqual({ accepted: 7, rejected: 0, duplicates: 0, missed: 0, rows: 7, errors: [] });
  expect(events.filter((e) => !e.startsWith("read"))).toEqual([
    "post 1 [1,2]",
    "commit 1",
    "post 2 [3,4]",
    "commit 2",
    "post 3 [5,6]",
    "commit 3",
    "post 4 [7]",
    "commit 4",
  ]);
});

it("lists errors in the order a sequential import does: a batch's rejections before the next rows' problems", async () => {
  const { target, gates } = gatedTarget(2);
  const problem = (line: number): RowProblem => ({ line, code: "INVALID_AMOUNT", message: `amount ${line}` });
  const items: (Row | RowProblem)[] = [
    { line: 2, bad: true },
    { line: 3 },
    problem(4),
    { line: 5 },
    { line: 6, bad: true },
  ];
  const done = importRows(hub, source(items, []), target, undefined);
  // Release every batch as it comes; the problem on line 4 is read while batch 1 (lines 2-3) is still posting.
  let released = 0;
  while (released < 2) {
    await until(() => gates.length > 0);
    gates.shift()!();
    released++;
  }
  const result = await done;
  expect(result).toMatchObject({ accepted: 2, rejected: 3, rows: 5 });
  // Line 4 was read before batch 1 (lines 2-3) committed; it is still listed after batch 1's rejection.
  expect(result.errors.map((e) => e.field)).toEqual(["line:2", "line:4", "line:6"]);
});

it("stops at a batch that fails: the batch read meanwhile never posts, and the error goes on", async () => {
  const { target, events, gates } = gatedTarget(2, 1);
  const rows: Row[] = [1, 2, 3, 4, 5, 6].map((line) => ({ line }));
  const done = importRows(hub, source(rows, events), target, undefined);
  await until(() => events.includes("read 4"));
  gates.shift()!();
  await expect(done).rejects.toThrow("batch 1 lost its connection");
  expect(events.filter((e) => !e.startsWith("read"))).toEqual(["post 1 [1,2]", "fail 1"]);
});

it("waits for the batch in flight before a reading error goes on", async () => {
  const { target, events, gates } = gatedTarget(2);
  async function* broken() {
    yield { line: 1 };
    yield { line: 2 };
    events.push("reading fails");
    throw new Error("connection reset by peer");
  }
  const done = importRows(hub, broken(), target, undefined);
  let settled = false;
  done.catch(() => undefined).finally(() => (settled = true));
  await until(() => events.includes("reading fails"));
  await new Promise((r) => setImmediate(r));
  expect(settled).toBe(false); // batch 1 is still posting
  gates.shift()!();
  await expect(done).rejects.toThrow("connection reset by peer");
  expect(events).toEqual(["post 1 [1,2]", "reading fails", "commit 1"]);
});

describe("with lanes (decision 041)", () => {
  const twoLanes = { importLanes: 2 } as HubServices;
  const row = (line: number, account: string, extra: Partial<Row> = {}): Row => ({
    line,
    account,
    ref: `R${line}`,
    ...extra,
  });

  it("posts a round's lanes at once, each in file order, and lists the round's errors in line order", async () => {
    const { target, events, gates } = gatedTarget(2, -1, true);
    const problem: RowProblem = { line: 3, code: "INVALID_AMOUNT", message: "amount 3" };
    const items = [row(1, "A"), row(2, "B", { bad: true }), problem, row(4, "A", { bad: true }), row(5, "B")];
    const done = importRows(twoLanes, source(items, []), target, undefined);
    // A round is 2 lanes x 2 rows: account A's rows in one lane, B's in the other, both posting before either ends.
    await until(() => gates.length === 2);
    expect(events).toEqual(["post 1 [1,4]", "post 2 [2,5]"]);
    gates[1]!(); // lane B (line 2 rejected) commits first
    await until(() => events.includes("commit 2"));
    gates[0]!();
    const result = await done;
    expect(result).toMatchObject({ accepted: 2, rejected: 3, rows: 5 });
    expect(result.errors.map((e) => e.field)).toEqual(["line:2", "line:3", "line:4"]);
  });

  it("posts a lane longer than a batch in batches, one after the other", async () => {
    const { target, events, gates } = gatedTarget(2, -1, true);
    const done = importRows(
      twoLanes,
      source([row(1, "A"), row(2, "A"), row(3, "A"), row(4, "B")], []),
      target,
      undefined,
    );
    await until(() => gates.length === 2);
    expect(events).toEqual(["post 1 [1,2]", "post 2 [4]"]);
    gates.shift()!();
    await until(() => gates.length === 2);
    expect(events.slice(2)).toEqual(["commit 1", "post 3 [3]"]);
    gates.shift()!();
    gates.shift()!();
    expect(await done).toMatchObject({ accepted: 4, rows: 4 });
  });

  it("posts a round in which a shared key occurs twice as without lanes", async () => {
    const { target, events, gates } = gatedTarget(2, -1, true);
    const items = [row(1, "A"), row(2, "B"), row(3, "A", { ref: "R2" }), row(4, "B")];
    const done = importRows(twoLanes, source(items, []), target, undefined);
    await until(() => gates.length === 1);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(["post 1 [1,2]"]);
    gates.shift()!();
    await until(() => gates.length === 1);
    expect(events.slice(1)).toEqual(["commit 1", "post 2 [3,4]"]);
    gates.shift()!();
    expect(await done).toMatchObject({ accepted: 4, rows: 4 });
  });

  it("fails the round when a lane fails, once the other lane has ended", async () => {
    const { target, events, gates } = gatedTarget(2, 1, true);
    const done = importRows(
      twoLanes,
      source([row(1, "A"), row(2, "B"), row(3, "A"), row(4, "B")], []),
      target,
      undefined,
    );
    let settled = false;
    done.catch(() => undefined).finally(() => (settled = true));
    await until(() => gates.length === 2);
    gates[0]!(); // lane A fails
    await until(() => events.includes("fail 1"));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // lane B is still posting
    gates[1]!();
    await expect(done).rejects.toThrow("batch 1 lost its connection");
    expect(events).toEqual(["post 1 [1,3]", "post 2 [2,4]", "fail 1", "commit 2"]);
  });
});
