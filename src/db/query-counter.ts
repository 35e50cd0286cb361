// Counts the SQL statements the Prisma client (and, on PostgreSQL, the driver reads of sql-reads.ts) sends, in total and per scope (an async call tree), so a test can
// show that an operation's query count does not grow with the number of rows (no N+1). Opt-in: the database
// turns on Prisma's query events only when asked (`countQueries`), so production pays nothing for it.
import { AsyncLocalStorage } from "node:async_hooks";

export class QueryCounter {
  private readonly scope = new AsyncLocalStorage<{ queries: number }>();
  /** Statements sent since the database was opened. */
  total = 0;

  /** Called once per statement (Prisma's `query` event). */
  record(): void {
    this.total += 1;
    const current = this.scope.getStore();
    if (current) current.queries += 1;
  }

  /** Runs `work` and counts the statements sent from inside it (and only those, whatever runs concurrently). */
  async count<T>(work: () => Promise<T>): Promise<{ result: T; queries: number }> {
    const counted = { queries: 0 };
    const result = await this.scope.run(counted, work);
    return { result, queries: counted.queries };
  }
}
