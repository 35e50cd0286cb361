// The one streamed-import engine of the hub's CSV files (bank collection 银行托收回盘, bank payouts 代发回盘; the
// legacy-accounts import is to move here too). Whatever the file:
//   - its text is bounded before anything parses it: no line over MAX_LINE_CHARS, no more than
//     MAX_ROWS_PER_REQUEST data lines per request (reading stops there; the route answers 413, what came before is
//     imported and recorded);
//   - it is parsed by csv-parse, streaming, one record at a time (`max_record_size`), a header row first;
//   - valid rows are posted in batches, each batch one transaction that writes its own exchange record (the
//     target's postBatch does, through recordBatchInTransaction), so a batch is never committed without its record;
//     a target with lanes (the bank collection file) posts several batches of a round at once (decision 041);
//   - the whole file runs under an idempotency key: the digest of its text tells a replay (the first result is
//     returned, nothing posted) from the same key with another file (refused). Each row is idempotent on its own
//     reference too, so a file cut off half-way (a dropped connection, a killed process) is simply sent again.
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";

import { parse } from "csv-parse";

import type { ExchangeScope } from "../audit/exchange-scope";
import { keyInUse, storeCommandResult } from "../command";
import type { Actor, HubServices } from "../hub-services";
import { peekIdempotent, validKey } from "../idempotency";
import { userError, type UserErrorDto } from "../user-error";

/** A bank row is about 100 characters; a free-text reason leaves plenty of room within 4,096. */
export const MAX_LINE_CHARS = 4096;
/** A streamed import takes files of up to a million data rows (plus the header) per request. */
export const MAX_ROWS_PER_REQUEST = 1_000_000;
/** The result lists at most this many row errors (counts stay exact); the rest are summarised. */
export const MAX_LISTED_ERRORS = 1000;

/** The result of one import (the GraphQL type BankImportResult). */
export interface ImportResult {
  accepted: number;
  rejected: number;
  duplicates: number;
  missed: number;
  rows: number;
  errors: UserErrorDto[];
}

export interface RowProblem {
  line: number;
  code: string;
  message: string;
}

export interface TextOverflow {
  code: "LINE_TOO_LONG" | "TOO_MANY_ROWS";
  line: number;
  message: string;
}

export interface TextLimits {
  maxLineChars: number;
  /** Physical lines, the header included. */
  maxLines: number;
}

export const DEFAULT_TEXT_LIMITS: TextLimits = { maxLineChars: MAX_LINE_CHARS, maxLines: MAX_ROWS_PER_REQUEST + 1 };

function overflowOf(code: TextOverflow["code"], line: number, limits: TextLimits): TextOverflow {
  return {
    code,
    line,
    message:
      code === "LINE_TOO_LONG"
        ? `第${line}行超过 ${limits.maxLineChars} 个字符（缺少换行？），导入在此停止 (line too long)`
        : `一次导入最多 ${limits.maxLines - 1} 行数据，导入在第${line}行停止 (too many rows)`,
  };
}

/** What a line whose quoting does not close on the line is passed on as (see BoundedText); readCsvRows reports it. */
const BROKEN_QUOTES = "\u0000BROKEN-QUOTES";

/**
 * Whether a line's quoting is complete on the line (RFC 4180: a quoted field ends on its own line, `""` inside it,
 * a comma or the end after it; no quote inside an unquoted field). Only lines holding a quote are checked.
 */
export function quotesCloseOnLine(line: string): boolean {
  const n = line.endsWith("\r") ? line.length - 1 : line.length;
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0 || q >= n) return false;
        if (line[q + 1] === '"' && q + 1 < n) {
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && line[i] !== ",") return false;
    } else {
      const comma = line.indexOf(",", i);
      const end = comma < 0 || comma >= n ? n : comma;
      const quote = line.indexOf('"', i);
      if (quote >= 0 && quote < end) return false;
      i = end;
    }
    if (i >= n) return true;
    i++;
  }
}

/**
 * The text of a file, passed on in whole lines only and bounded: reading stops at the first line over
 * `maxLineChars` (LF or CRLF ends a line; a 256 MB body without a newline is never held) or past `maxLines`, and
 * `overflow` says why. Chunks pass through as they are (no per-line strings), only the tail after the last newline
 * is held back until its end is seen, so a line cut by the bound is never parsed as if it were whole.
 *
 * A line whose quoting does not close on the line is passed on as a marker that readCsvRows reports as
 * MALFORMED_ROW at that line. Bank files have no line breaks inside fields, and csv-parse cannot recover from an
 * open quote: it reads on into the next lines until its record-size limit, then drops the rest of the file without
 * a word (tests/unit/imports/streamed-import.test.ts shows it). `hash` sees the text exactly as received.
 */
export class BoundedText implements AsyncIterable<string> {
  overflow: TextOverflow | null = null;

  constructor(
    private readonly chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer> | string,
    private readonly limits: TextLimits = DEFAULT_TEXT_LIMITS,
    private readonly hash?: Hash,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const { maxLineChars, maxLines } = this.limits;
    let pending = "";
    let lines = 0; // complete lines passed on
    const source = typeof this.chunks === "string" ? [this.chunks] : this.chunks;
    for await (const chunk of source) {
      const text = pending + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
      let start = 0;
      let quote = text.indexOf('"');
      let out: string[] | null = null; // pieces, once a line had to be replaced
      let copied = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        // A CR before the LF does not count against the line.
        if (nl - start > maxLineChars + 1)
          return yield* this.stop("LINE_TOO_LONG", lines + 1, text, start, out, copied);
        if (lines + 1 > maxLines) return yield* this.stop("TOO_MANY_ROWS", lines + 1, text, start, out, copied);
        if (quote >= 0 && quote < nl) {
          if (!quotesCloseOnLine(text.slice(start, nl))) {
            (out ??= []).push(text.slice(copied, start), BROKEN_QUOTES);
            copied = text[nl - 1] === "\r" ? nl - 1 : nl;
          }
          quote = text.indexOf('"', nl);
        }
        lines++;
        start = nl + 1;
      }
      pending = text.slice(start);
      if (pending.length > maxLineChars + 1)
        return yield* this.stop("LINE_TOO_LONG", lines + 1, text, start, out, copied);
      if (start > 0) {
        this.hash?.update(start === text.length ? text : text.slice(0, start));
        yield out ? [...out, text.slice(copied, start)].join("") : start === text.length ? text : text.slice(0, start);
      }
    }
    if (pending !== "") {
      if (lines + 1 > maxLines) return yield* this.stop("TOO_MANY_ROWS", lines + 1, pending, 0, null, 0);
      this.hash?.update(pending);
      yield pending.includes('"') && !quotesCloseOnLine(pending) ? BROKEN_QUOTES : pending;
    }
  }

  /** Stops reading; the whole lines before the offending one are passed on first. */
  private *stop(
    code: TextOverflow["code"],
    line: number,
    text: string,
    lineStart: number,
    out: string[] | null,
    copied: number,
  ): Generator<string> {
    this.overflow = overflowOf(code, line, this.limits);
    if (lineStart === 0) return;
    this.hash?.update(text.slice(0, lineStart));
    yield out ? [...out, text.slice(copied, lineStart)].join("") : text.slice(0, lineStart);
  }
}

/** The same bounds, checked on a file already in memory (the GraphQL mutations refuse it before importing). */
export function textOverflow(text: string, limits: TextLimits = DEFAULT_TEXT_LIMITS): TextOverflow | null {
  let start = 0;
  let lines = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (nl < 0 && start === text.length) return null;
    if (end - start > limits.maxLineChars + 1) return overflowOf("LINE_TOO_LONG", lines + 1, limits);
    if (lines + 1 > limits.maxLines) return overflowOf("TOO_MANY_ROWS", lines + 1, limits);
    lines++;
    if (nl < 0) return null;
    start = nl + 1;
  }
}

/** How a CSV file's records become typed rows. */
export interface CsvRows<Row> {
  header: readonly string[];
  /** One record's fields (as split by the CSV parser) to a row, or the problem with it. */
  rowOf(fields: readonly string[], line: number): Row | RowProblem;
}

/**
 * Reads a CSV file with csv-parse, streaming: one row or problem per record (the header excluded), each with its
 * line. A wrong header yields one INVALID_HEADER problem and stops; an empty file one EMPTY_FILE. A line whose quotes
 * do not close on it (marked by BoundedText), or a record the parser cannot read, is reported as MALFORMED_ROW.
 * The input should come through BoundedText (runStreamedImport does): it is what keeps one bad line from taking
 * the following lines with it.
 */
export async function* readCsvRows<Row>(
  input: string | AsyncIterable<string | Buffer>,
  format: CsvRows<Row>,
): AsyncGenerator<Row | RowProblem> {
  const text = input instanceof BoundedText ? input : new BoundedText(input);
  const source = Readable.from(text);
  const skipped: RowProblem[] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    // Never reached: BoundedText passes no line over MAX_LINE_CHARS and no quote left open across lines. (Past it
    // csv-parse would skip the record and silently drop the rest of the file.)
    max_record_size: 2 * MAX_LINE_CHARS + 2,
  });
  parser.on("skip", (err: { lines?: number }) => {
    skipped.push({
      line: err.lines ?? 0,
      code: "MALFORMED_ROW",
      message: "无法解析的行（引号不匹配或单行过长）",
    });
  });
  source.on("error", (err) => parser.destroy(err));
  source.pipe(parser);
  let first = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (skipped.length > 0) yield* skipped.splice(0);
      if (first) {
        first = false;
        const header = record.map((f) => f.trim());
        if (header.length !== format.header.length || format.header.some((h, i) => header[i] !== h)) {
          yield { line: info.lines, code: "INVALID_HEADER", message: `表头应为 ${format.header.join(",")}` };
          return;
        }
        continue;
      }
      yield record.length === 1 && record[0] === BROKEN_QUOTES
        ? { line: info.lines, code: "MALFORMED_ROW", message: "引号不匹配（带引号的字段须在本行内结束）" }
        : format.rowOf(record, info.lines);
    }
  } finally {
    source.unpipe(parser);
    source.destroy();
  }
  yield* skipped.splice(0);
  if (first) yield { line: 1, code: "EMPTY_FILE", message: "文件为空" };
  // A caller without its own BoundedText hears of a bound here (runStreamedImport reads text.overflow instead).
  if (text !== input && text.overflow) yield { ...text.overflow };
}

/** Counts and listed errors of one import. */
export class ImportTally {
  readonly result: ImportResult = { accepted: 0, rejected: 0, duplicates: 0, missed: 0, rows: 0, errors: [] };
  private unlisted = 0;
  /** A lane's tally keeps its rejected rows whole, to be listed in line order when the round is absorbed. */
  private readonly kept: { line: number; problems: readonly { code: string; message: string }[] }[] | null;

  constructor(options: { keepRejections?: boolean } = {}) {
    this.kept = options.keepRejections ? [] : null;
  }

  /** One rejected row, with every rule it broke. */
  reject(line: number, problems: readonly { code: string; message: string }[]): void {
    this.result.rejected++;
    if (this.kept) {
      this.kept.push({ line, problems });
      return;
    }
    for (const { code, message } of problems) {
      if (this.result.errors.length < MAX_LISTED_ERRORS)
        this.result.errors.push({ code, field: `line:${line}`, message: `第${line}行：${message}` });
      else this.unlisted++;
    }
  }

  /**
   * One round: its lanes (each tallied with `keepRejections`) and the problems of its unreadable rows, the rejected
   * rows listed in line order whichever lane judged them.
   */
  absorb(lanes: readonly ImportTally[], problems: readonly RowProblem[] = []): void {
    for (const { result } of lanes) {
      this.result.accepted += result.accepted;
      this.result.duplicates += result.duplicates;
      this.result.missed += result.missed;
    }
    const rejected = [...problems.map((p) => ({ line: p.line, problems: [p] })), ...lanes.flatMap((l) => l.kept ?? [])];
    for (const { line, problems: broken } of rejected.sort((x, y) => x.line - y.line)) this.reject(line, broken);
  }

  finish(): ImportResult {
    if (this.unlisted > 0)
      this.result.errors.push({ code: "TOO_MANY_ERRORS", field: null, message: `另有 ${this.unlisted} 行错误未列出` });
    return this.result;
  }
}

/**
 * How a target's rows may be posted in parallel lanes, each lane its own transaction (decision 041). The target's
 * own locks must make concurrent transactions safe (the bank import's are the accounts' row locks); the engine only
 * keeps the file's order where the rules depend on it.
 */
export interface ImportLanes<Row> {
  /** Rows with the same key are judged in file order: they always share a lane (an account number). */
  laneKey(row: Row): string;
  /** A key the rules judge across rows (a payment reference): a round in which one occurs twice is posted in one
   *  lane, in batches exactly as without lanes. */
  sharedKey(row: Row): string;
}

/**
 * A round's rows split into at most `lanes` lanes, each in file order: rows of one lane key share a lane, and a key
 * seen first goes to the lane with the fewest rows so far. Null when a shared key occurs twice in the round.
 */
export function splitIntoLanes<Row>(rows: readonly Row[], lanes: number, keys: ImportLanes<Row>): Row[][] | null {
  const split: Row[][] = Array.from({ length: lanes }, () => []);
  const laneOfKey = new Map<string, number>();
  const shared = new Set<string>();
  for (const row of rows) {
    const sharedKey = keys.sharedKey(row);
    if (shared.has(sharedKey)) return null;
    shared.add(sharedKey);
    const key = keys.laneKey(row);
    let lane = laneOfKey.get(key);
    if (lane === undefined) {
      lane = 0;
      for (let i = 1; i < lanes; i++) if (split[i]!.length < split[lane]!.length) lane = i;
      laneOfKey.set(key, lane);
    }
    split[lane]!.push(row);
  }
  return split.filter((lane) => lane.length > 0);
}

/** Rows in batches of at most `size`, in order. */
function batchesOf<Row>(rows: Row[], size: number): Row[][] {
  const batches: Row[][] = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
  return batches;
}

/** What a file's rows are posted as: the idempotency operation, the CSV format, and one batch's transaction. */
export interface ImportTarget<Row> extends CsvRows<Row> {
  operation: string;
  batchSize: number;
  isProblem(row: Row | RowProblem): row is RowProblem;
  /** One transaction: post the rows, count them into the tally, and write the batch's exchange record in it (through
   *  the importing request's exchange scope). */
  postBatch(hub: HubServices, rows: Row[], tally: ImportTally, exchange: ExchangeScope | undefined): Promise<void>;
  /** Absent: one batch at a time. Present: `hub.importLanes` batches of a round at once (decision 041). */
  lanes?: ImportLanes<Row>;
  /** After the last batch (e.g. kick the outbox). */
  finished?(hub: HubServices): void;
}

/**
 * One round's rows: split into lanes posted at once (decision 041) when the target has lanes and the hub more than
 * one; each lane posts its rows in batches of at most the batch size, one after the other, each batch its own
 * transaction. The round's errors (its unreadable rows' and its rejected rows') are listed in line order. A lane that
 * fails fails the round once every lane has ended (the others may have committed: each row is idempotent on its own
 * reference, so the file is simply sent again).
 */
async function postRound<Row>(
  hub: HubServices,
  target: ImportTarget<Row>,
  rows: Row[],
  problems: readonly RowProblem[],
  lanes: number,
  tally: ImportTally,
  exchange: ExchangeScope | undefined,
): Promise<void> {
  const split = (target.lanes && lanes > 1 ? splitIntoLanes(rows, lanes, target.lanes) : null) ?? [rows];
  const tallies = split.map(() => new ImportTally({ keepRejections: true }));
  const ended = await Promise.allSettled(
    split.map(async (laneRows, i) => {
      for (const batch of batchesOf(laneRows, target.batchSize))
        await target.postBatch(hub, batch, tallies[i]!, exchange);
    }),
  );
  const failed = ended.find((e): e is PromiseRejectedResult => e.status === "rejected");
  if (failed) throw failed.reason;
  tally.absorb(tallies, problems);
}

/**
 * Posts the rows of a file in rounds; nothing here knows what a row is. A round is one batch, or with lanes one batch
 * per lane (`hub.importLanes` x the batch size, posted at once: postRound). Two stages, one round apart: while one
 * round is posting (its transactions wait on the database), the next is read and parsed; the next is dispatched
 * only when the previous one has committed, so at most two rounds are held and reading stops (backpressure on
 * the request stream) while a full round waits. Rounds commit one after the other, in file order, and the
 * problems of the rows read meanwhile are counted only after the previous round: the result is what a strictly
 * sequential import gives, its errors in line order. A round that fails stops the import before the next one.
 */
export async function importRows<Row>(
  hub: HubServices,
  rows: AsyncIterable<Row | RowProblem>,
  target: ImportTarget<Row>,
  /** The importing request's exchange scope (each batch's record commits with it); undefined: nothing recorded. */
  exchange: ExchangeScope | undefined,
): Promise<ImportResult> {
  const tally = new ImportTally();
  const lanes = target.lanes ? Math.max(1, hub.importLanes ?? 1) : 1;
  const roundSize = target.batchSize * lanes;
  let batch: Row[] = [];
  let problems: RowProblem[] = [];
  let posting: Promise<void> | null = null;
  const settle = async () => {
    const previous = posting;
    posting = null;
    if (previous) await previous;
  };
  const dispatch = async () => {
    await settle();
    for (const problem of problems)
      if (problem.code !== "INVALID_HEADER" && problem.code !== "EMPTY_FILE") tally.result.rows++;
    tally.result.rows += batch.length;
    const rowsOfRound = batch;
    const problemsOfRound = problems;
    problems = [];
    batch = [];
    if (rowsOfRound.length === 0) return tally.absorb([], problemsOfRound);
    posting = postRound(hub, target, rowsOfRound, problemsOfRound, lanes, tally, exchange);
    // Awaited by the next dispatch (or the end); never an unhandled rejection while the next round is read.
    posting.catch(() => undefined);
  };
  try {
    for await (const row of rows) {
      if (target.isProblem(row)) {
        problems.push(row);
        continue;
      }
      batch.push(row);
      if (batch.length >= roundSize) await dispatch();
    }
    await dispatch();
    await settle();
  } finally {
    // Reading failed (or a round did): let the round in flight end before the error goes on.
    if (posting) await (posting as Promise<void>).catch(() => undefined);
  }
  target.finished?.(hub);
  return tally.finish();
}

function refused(code: string, message: string): ImportResult {
  return {
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    missed: 0,
    rows: 0,
    errors: [userError(code, message, "idempotencyKey")],
  };
}

export interface StreamedImportOutcome {
  result: ImportResult;
  /** Reading stopped at a bound: what came before was imported, the result is not stored under the key. */
  overflow: TextOverflow | null;
}

/**
 * One file under an idempotency key. The digest is taken over the file's text as received (the GraphQL string and
 * the streamed body of the same file hash alike), so a retry on either path under the same key returns the first
 * result. A file cut off by a bound is not stored under its key: sent again (fixed), it imports what is left.
 */
export async function runStreamedImport<Row>(
  hub: HubServices,
  actor: Actor,
  key: string,
  input: string | AsyncIterable<string | Buffer>,
  target: ImportTarget<Row>,
  limits: TextLimits = DEFAULT_TEXT_LIMITS,
): Promise<StreamedImportOutcome> {
  if (!validKey(key))
    return { result: refused("INVALID_IDEMPOTENCY_KEY", "幂等键须为 8–128 个可见 ASCII 字符"), overflow: null };
  const hash = createHash("sha256");
  const text = new BoundedText(input, limits, hash);
  const request = () => ({
    key,
    operation: target.operation,
    actor: actor.sub,
    exchange: actor.exchange,
    input: { digest: hash.digest("hex") },
  });
  if (await keyInUse(hub.prisma, key)) {
    // Only the file's digest is needed to tell a replay from a reuse: read it without posting anything.
    for await (const chunk of text) void chunk;
    const replay = await peekIdempotent<ImportResult>(hub.prisma, request());
    if (replay && "ok" in replay) return { result: replay.ok, overflow: text.overflow };
    return { result: refused("IDEMPOTENCY_KEY_REUSED", "该幂等键已用于另一份不同的文件"), overflow: text.overflow };
  }
  const result = await importRows(hub, readCsvRows(text, target), target, actor.exchange);
  if (text.overflow) return { result, overflow: text.overflow };
  // A concurrent import under the same key that finished first keeps its record: its rows were deduplicated.
  await storeCommandResult(hub.prisma, request(), result, actor.requestId);
  return { result, overflow: null };
}
