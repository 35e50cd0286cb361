// The freshness-bounded answer cache of pilotMetrics (decision 033): identical reads share one read while it runs
// and for `maxStalenessMs` after it started, never longer; failures are not kept; the key count is bounded. The
// clock is injected: nothing here waits on time.
import { FreshAnswerCache } from "../../../src/services/metrics/fresh-answer-cache";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let clock = 0;
const now = () => clock;
beforeEach(() => {
  clock = 1_000_000;
});

it("gives concurrent identical reads one read, and its answer to all of them", async () => {
  const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
  const pending = deferred<string>();
  let reads = 0;
  const read = () => {
    reads += 1;
    return pending.promise;
  };
  const answers = [cache.get("k", read), cache.get("k", read), cache.get("k", read)];
  expect(reads).toBe(1);
  pending.resolve("figures");
  expect(await Promise.all(answers)).toEqual(["figures", "figures", "figures"]);
  expect(cache.started).toBe(1);
});

it("shares an answer up to maxStalenessMs after its read started, and reads again one millisecond later", async () => {
  const cache = new FreshAnswerCache<number>({ maxStalenessMs: 500, now });
  let reads = 0;
  const read = async () => ++reads;
  expect(await cache.get("k", read)).toBe(1);
  clock += 500;
  expect(await cache.get("k", read)).toBe(1);
  clock += 1;
  expect(await cache.get("k", read)).toBe(2);
  expect(await cache.get("k", read)).toBe(2);
  expect(reads).toBe(2);
});

it("keeps different keys apart", async () => {
  const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
  expect(await cache.get("a", async () => "A")).toBe("A");
  expect(await cache.get("b", async () => "B")).toBe("B");
  expect(await cache.get("a", async () => "A2")).toBe("A");
  expect(cache.started).toBe(2);
});

it("does not keep a failed read: the next call reads again", async () => {
  const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
  const failing = deferred<string>();
  const first = cache.get("k", () => failing.promise);
  const second = cache.get("k", async () => "unused"); // joins the read in flight, so shares its failure
  failing.reject(new Error("database away"));
  await expect(first).rejects.toThrow("database away");
  await expect(second).rejects.toThrow("database away");
  expect(await cache.get("k", async () => "figures")).toBe("figures");
  expect(cache.started).toBe(2);
});

it("reads every time when maxStalenessMs is 0", async () => {
  const cache = new FreshAnswerCache<number>({ maxStalenessMs: 0, now });
  let reads = 0;
  const read = async () => ++reads;
  expect([await cache.get("k", read), await cache.get("k", read)]).toEqual([1, 2]);
});

it("keeps at most maxEntries keys, dropping the oldest read first", async () => {
  const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now, maxEntries: 2 });
  await cache.get("a", async () => "A1");
  await cache.get("b", async () => "B1");
  await cache.get("c", async () => "C1"); // "a" is dropped
  expect(await cache.get("b", async () => "B2")).toBe("B1");
  expect(await cache.get("c", async () => "C2")).toBe("C1");
  expect(await cache.get("a", async () => "A2")).toBe("A2");
});

it("counts the bound from when the read started, not from when its answer arrived", async () => {
  const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
  const slow = deferred<string>();
  const first = cache.get("k", () => slow.promise);
  clock += 400;
  slow.resolve("read at 0");
  expect(await first).toBe("read at 0");
  clock += 100; // 500 after the read started: still within the bound
  expect(await cache.get("k", async () => "read at 500")).toBe("read at 0");
  clock += 1; // 501 after it started, though only 101 after the answer arrived
  expect(await cache.get("k", async () => "read at 501")).toBe("read at 501");
});

describe("refresh ahead", () => {
  it("past half the bound answers at once with the kept answer and starts one read behind it for everyone", async () => {
    const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
    expect(await cache.get("k", async () => "read at 0")).toBe("read at 0");
    clock += 249; // younger than half the bound: no new read
    expect(await cache.get("k", async () => "not read")).toBe("read at 0");
    expect(cache.started).toBe(1);
    clock += 1; // 250: half the bound
    const behind = deferred<string>();
    let reads = 0;
    const read = () => {
      reads += 1;
      return behind.promise;
    };
    // Both answered while the read behind them is still running.
    expect(await cache.get("k", read)).toBe("read at 0");
    expect(await cache.get("k", read)).toBe("read at 0");
    expect(reads).toBe(1);
    behind.resolve("read at 250");
    await behind.promise;
    await new Promise(setImmediate); // lru-cache stores the answer in its own continuation
    expect(await cache.get("k", async () => "not read")).toBe("read at 250");
    expect(cache.started).toBe(2);
  });

  it("never gives the kept answer past the bound: a request then waits for the read in flight", async () => {
    const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
    expect(await cache.get("k", async () => "read at 0")).toBe("read at 0");
    clock += 300;
    const behind = deferred<string>();
    expect(await cache.get("k", () => behind.promise)).toBe("read at 0");
    clock += 201; // 501: the kept answer is past the bound while the read started at 300 still runs
    let settled = false;
    const late = cache
      .get("k", async () => "a second read")
      .then((answer) => {
        settled = true;
        return answer;
      });
    await new Promise(setImmediate);
    expect(settled).toBe(false);
    behind.resolve("read at 300");
    expect(await late).toBe("read at 300");
    expect(cache.started).toBe(2);
  });

  it("does not keep the answer when the read behind it fails: the next request reads again", async () => {
    const cache = new FreshAnswerCache<string>({ maxStalenessMs: 500, now });
    expect(await cache.get("k", async () => "read at 0")).toBe("read at 0");
    clock += 300;
    const behind = deferred<string>();
    expect(await cache.get("k", () => behind.promise)).toBe("read at 0");
    behind.reject(new Error("database away"));
    await behind.promise.catch(() => undefined);
    await new Promise(setImmediate);
    expect(await cache.get("k", async () => "read at 300")).toBe("read at 300");
    expect(cache.started).toBe(3);
  });

  it("starts refreshing at refreshAfterMs when one is given", async () => {
    const cache = new FreshAnswerCache<number>({ maxStalenessMs: 500, refreshAfterMs: 400, now });
    let reads = 0;
    const read = async () => ++reads;
    expect(await cache.get("k", read)).toBe(1);
    clock += 399;
    expect(await cache.get("k", read)).toBe(1);
    expect(reads).toBe(1);
    clock += 1;
    expect(await cache.get("k", read)).toBe(1); // the kept answer, with a read started behind it
    expect(reads).toBe(2);
    await new Promise(setImmediate);
    expect(await cache.get("k", read)).toBe(2);
  });
});
