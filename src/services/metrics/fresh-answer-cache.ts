// A freshness-bounded answer for the aggregate reads (pilotMetrics, its exports; decision 033). The figures of a
// window are the same for every reader who asks with the same arguments under the same disclosure rule, so within
// `maxStalenessMs` the readers share one statement: the first read starts it, every identical read that arrives
// while it runs or within the bound gets its answer. A reader therefore sees figures read at most `maxStalenessMs`
// before its request arrived (the bound is counted from when the shared read *started*, so it is never more).
//
// Only the data is cached: authorization, the exchange record and the request's own checks run per request before
// the cache is asked, and the disclosure rule in force (the minimum cell size) is part of the key.
import { LRUCache } from "lru-cache";

export interface FreshAnswerCacheOptions {
  /** How old (ms, from the start of the read) a shared answer may be; 0 turns the cache off. */
  maxStalenessMs: number;
  /** The clock (ms); tests inject their own. */
  now?: () => number;
  /** At most this many keys are kept (least recently used go first); dashboards ask a handful of windows. */
  maxEntries?: number;
}

export class FreshAnswerCache<T extends NonNullable<unknown>> {
  private readonly cache?: LRUCache<string, T, () => Promise<T>>;
  /** Reads started (the shared statements run); the rest of the calls were answered from a shared read. */
  started = 0;

  constructor(readonly options: FreshAnswerCacheOptions) {
    if (options.maxStalenessMs <= 0) return;
    const now = options.now ?? (() => performance.now());
    // lru-cache (already a dependency, pinned) shares a fetch in flight among callers, drops a rejected one and
    // keeps at most `max` keys; its age bound counts from the entry's `start`, set here to when the read started
    // (by default it would count from when the answer arrived, letting figures be older than the bound).
    this.cache = new LRUCache<string, T, () => Promise<T>>({
      max: options.maxEntries ?? 256,
      ttl: options.maxStalenessMs,
      ttlResolution: 0,
      perf: { now },
      ignoreFetchAbort: true, // a key pushed out by newer ones still answers the requests that joined its read
      fetchMethod: async (_key, _stale, { context: read, options: entry }) => {
        const startedAt = now();
        this.started += 1;
        const answer = await read();
        Object.assign(entry, { start: startedAt }); // a set option lru-cache's fetch options type does not list
        return answer;
      },
    });
  }

  /** The answer for `key`: a shared one not older than the bound, or a new read by `read`. Failures are not kept. */
  async get(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.cache) return read();
    return (await this.cache.fetch(key, { context: read }))!;
  }
}
