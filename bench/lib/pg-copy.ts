// COPY ... FROM STDIN through node-postgres without pg-copy-streams (not a dependency): a Submittable that
// sends the statement, then streams a Readable's chunks as CopyData messages (respecting socket backpressure).
import type { Readable } from "node:stream";

import type { PoolClient } from "pg";

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

class CopyFromStdin {
  rowCount = 0;
  private error: Error | null = null;
  readonly done: Promise<number>;
  private settle!: { resolve: (n: number) => void; reject: (e: Error) => void };

  constructor(
    private readonly text: string,
    private readonly source: Readable,
  ) {
    this.done = new Promise<number>((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: PgConnection): Promise<void> {
    try {
      for await (const chunk of this.source) {
        connection.sendCopyFromChunk(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
        if (connection.stream.writableNeedDrain)
          await new Promise<void>((r) => connection.stream.once("drain", () => r()));
      }
      connection.endCopyFrom();
    } catch (e) {
      connection.sendCopyFail(String((e as Error).message));
    }
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg.text ?? "");
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve(this.rowCount);
  }

  handleError(err: Error): void {
    this.error = err;
  }

  // Not expected for COPY FROM; present so that node-postgres finds every handler it may call.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY ... FROM STDIN ...` on the client with `source` as the data; resolves to the rows copied. */
export function copyFrom(client: PoolClient, copySql: string, source: Readable): Promise<number> {
  const copy = new CopyFromStdin(copySql, source);
  (client as unknown as { query(s: unknown): unknown }).query(copy);
  return copy.done;
}
