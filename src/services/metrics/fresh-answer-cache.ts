// A freshness-bounded answer for the aggregate reads (pilotMetrics, its exports; decision 033). The figures of a
// window are the same for every reader who asks with the same arguments under the same disclosure rule, so within
// `maxStalenessMs` the readers share one statement: the first read starts it, every identical read that arrives
// while it runs or within the bound gets its answer. A reader therefore sees figures read at most `maxStalenessMs`
// before its request arrived (the bound is counted from when the shared read *started*, so it is never more).
//
// Only the data is cached: authorization, the exchange record and the request's own checks run per request before
// the cache is asked, and the disclosure rule in force (the minimum cell size) is part of the key.
export interface FreshAnswerCacheOptions {
  /** How old (ms, from the start of the read) a shared answer may be; 0 turns the cache off. */
  maxStalenessMs: number;
  /** The clock (ms); tests inject their own. */
  now?: () => number;
  /** At most this many keys are kept (the oldest go first); dashboards ask a handful of windows. */
  maxEntries?: number;
}

interface Entry<T> {
  startedAt: number;
  answer: Promise<T>;
}

export class FreshAnswerCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  /** Reads started (the shared statements run); the rest of the calls were answered from a shared read. */
  started = 0;

  constructor(private readonly options: FreshAnswerCacheOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 256;
  }

  get maxStalenessMs(): number {
    return this.options.maxStalenessMs;
  }

  /** The answer for `key`: a shared one not older than the bound, or a new read by `read`. Failures are not kept. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    if (this.options.maxStalenessMs <= 0) return read();
    const at = this.now();
    const found = this.entries.get(key);
    if (found && at - found.startedAt <= this.options.maxStalenessMs) return found.answer;
    const entry: Entry<T> = { startedAt: at, answer: read() };
    this.started += 1;
    this.entries.delete(key); // re-inserted last: the Map's order is the order reads started
    this.entries.set(key, entry);
    entry.answer.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.evict(at);
    return entry.answer;
  }

  private evict(at: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && at - entry.startedAt <= this.options.maxStalenessMs) break;
      this.entries.delete(key);
    }
  }
}
