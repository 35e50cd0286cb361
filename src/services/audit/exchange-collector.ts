// What one request touched, collected by resolvers and written as one exchange record before the answer leaves.
export class ExchangeCollector {
  private readonly ids = new Set<string>();
  private size: number | null = null;
  /** Persons a bulk operation touched but does not index one by one (e.g. a bank file's rows). */
  bulkCount = 0;
  /** The operation's name when its record may be written ahead of the read (exchange-log.plugin.ts), else null. */
  aheadOperation: string | null = null;
  /** The record written ahead of the read: what it said and its write, awaited before the answer leaves. */
  ahead: { subjectCount: number; resultSize: number; written: Promise<unknown> } | null = null;

  /** Records that the request read or changed these persons' data (ID numbers). */
  touch(idNumbers: Iterable<string>): void {
    for (const id of idNumbers) this.ids.add(id.toUpperCase());
  }

  setResultSize(n: number): void {
    this.size = n;
  }

  get idNumbers(): ReadonlySet<string> {
    return this.ids;
  }

  get subjectCount(): number {
    return this.ids.size + this.bulkCount;
  }

  get resultSize(): number {
    return this.size ?? this.ids.size;
  }
}
