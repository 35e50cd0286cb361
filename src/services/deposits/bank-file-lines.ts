// The lines of a bank result file, bounded: no line longer than MAX_LINE_CHARS and no more than
// MAX_ROWS_PER_REQUEST lines per request. A 256 MB body without a newline used to be buffered whole by readline
// until the process ran out of memory; here reading stops at the first line over the limit, and `overflow` says why.
// Lines end at LF or CRLF (the CR is dropped); nothing follows a final newline.

/** A bank row is about 100 characters; a free-text reason leaves plenty of room within 4,096. */
export const MAX_LINE_CHARS = 4096;
/** The streamed import takes files of up to a million rows (plus the header) per request. */
export const MAX_ROWS_PER_REQUEST = 1_000_000;

export interface LinesOverflow {
  code: "LINE_TOO_LONG" | "TOO_MANY_ROWS";
  line: number;
  message: string;
}

export interface LineLimits {
  maxLineChars: number;
  maxLines: number;
}

const DEFAULT_LIMITS: LineLimits = { maxLineChars: MAX_LINE_CHARS, maxLines: MAX_ROWS_PER_REQUEST + 1 };

export class BoundedLines implements AsyncIterable<string> {
  overflow: LinesOverflow | null = null;

  constructor(
    private readonly chunks: AsyncIterable<string> | Iterable<string>,
    private readonly limits: LineLimits = DEFAULT_LIMITS,
  ) {}

  private stop(code: LinesOverflow["code"], line: number): void {
    this.overflow = {
      code,
      line,
      message:
        code === "LINE_TOO_LONG"
          ? `第${line}行超过 ${this.limits.maxLineChars} 个字符（缺少换行？），导入在此停止 (line too long)`
          : `一次导入最多 ${this.limits.maxLines - 1} 行数据，导入在第${line}行停止 (too many rows)`,
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    let pending = "";
    let lineNo = 0;
    const emit = (text: string): string | null => {
      lineNo++;
      if (lineNo > this.limits.maxLines) {
        this.stop("TOO_MANY_ROWS", lineNo);
        return null;
      }
      return text.endsWith("\r") ? text.slice(0, -1) : text;
    };
    for await (const chunk of this.chunks) {
      let start = 0;
      for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
        const piece = chunk.slice(start, nl);
        if (pending.length + piece.length > this.limits.maxLineChars + 1) return this.stop("LINE_TOO_LONG", lineNo + 1);
        const line = emit(pending + piece);
        if (line === null) return;
        pending = "";
        start = nl + 1;
        yield line;
      }
      pending += chunk.slice(start);
      if (pending.length > this.limits.maxLineChars + 1) return this.stop("LINE_TOO_LONG", lineNo + 1);
    }
    if (pending !== "") {
      const line = emit(pending);
      if (line !== null) yield line;
    }
  }
}
