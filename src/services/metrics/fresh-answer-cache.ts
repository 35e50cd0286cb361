// A freshness-bounded answer for the aggregate reads (pilotMetrics, its exports; decision 033). The figures of a
// window are the same for every reader who asks with the same arguments under the same disclosure rule, so within
// `maxStalenessMs` the readers share one statement: the first read starts it, every identical read that arrives
// while it runs or within the bound gets its answer. A reader therefore sees figures read at most `maxStalenessMs`
// before its request arrived (the bound is counted from when the shared read *started*, so it is never more).
//
// Refresh ahead: an answer older than `refreshAfterMs` (half the bound unless set) is still given out while it is
// within the bound, and the first such request starts the next read in the background; readers then wait on the
// statement only when nobody asked for a whole bound (or the read is slower than the bound's remainder). Under
// write load that statement is the slow part of a read: without refresh ahead one request per bound waited on it.
//
// Only the data is cached: authorization, the exchange record and the request's own checks run per request before
// the cache is asked, and the disclosure rule in force (the minimum cell size) is part of the key.
import { LRUCache } from "lru-cache";

export interface FreshAnswerCacheOptions {
  /** How old (ms, from the start of the read) a shared answer may be; 0 turns the cache off. */
  maxStalenessMs: number;
  /** From this age (ms) on, a shared answer still within the bound starts a new read behind it; default half the bound. */
  refreshAfterMs?: number;
  /** The clock (ms); tests inject their own. */
  now?: () => number;
  /** At most this many keys are kept (least recently used go first); dashboards ask a handful of windows. */
  maxEntries?: number;
}

export class FreshAnswerCache<T extends NonNullable<unknown>> {
  private readonly cache?: LRUCache<string, T, () => Promise<T>>;
  /** Reads started (the shared statements run); the rest of the calls were answered from a shared read. */
  started = 0;
  /** Remaining lifetime (ms) below which a shared answer is refreshed ahead. */
  private readonly refreshBelowMs: number;

  constructor(readonly options: FreshAnswerCacheOptions) {
    const refreshAfter = Math.min(options.refreshAfterMs ?? options.maxStalenessMs / 2, options.maxStalenessMs);
    this.refreshBelowMs = options.maxStalenessMs - refreshAfter;
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

  /**
   * The answer for `key`: a shared one not older than the bound, or a new read by `read`. Failures are not kept (a
   * failed refresh ahead drops the key, so the next request reads again).
   */
  async get(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.cache) return read();
    // The kept answer's time left within the bound (0 without one). Only while it is positive may lru-cache give out
    // the kept answer during a read in flight (`allowStale`); past it, a request joins the read in flight or starts one.
    const left = this.cache.getRemainingTTL(key);
    const withinBound = left > 0;
    return (await this.cache.fetch(key, {
      context: read,
      allowStale: withinBound,
      forceRefresh: withinBound && left <= this.refreshBelowMs,
    }))!;
  }
}
