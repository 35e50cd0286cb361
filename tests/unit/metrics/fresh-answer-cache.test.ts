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
