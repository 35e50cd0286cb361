// The streamed-import engine's text bounds (issue 11 finding 5) and its CSV reading: lines bounded, rows bounded,
// LF or CRLF split across chunks, and a line cut by a bound never handed to the parser as if it were whole.
import { parse as parseSync } from "csv-parse/sync";

import { BoundedText, readCsvRows, type RowProblem, textOverflow } from "../../../src/services/imports/streamed-import";

async function read(chunks: string[], limits = { maxLineChars: 10, maxLines: 4 }) {
  const text = new BoundedText(chunks, limits);
  let got = "";
  for await (const piece of text) got += piece;
  return { got, overflow: text.overflow };
}

it("passes whole lines on, LF or CRLF, across chunk boundaries, and a last line without a newline", async () => {
  expect(await read(["ab\r", "\ncd\nef", "gh\n"])).toEqual({ got: "ab\r\ncd\nefgh\n", overflow: null });
  expect(await read(["x\ny"])).toEqual({ got: "x\ny", overflow: null });
  // A line of exactly the limit passes, with or without CR.
  expect(await read(["0123456789\r\n0123456789"])).toEqual({ got: "0123456789\r\n0123456789", overflow: null });
});

it("stops at a line over the limit without waiting for its end, and never passes on part of it", async () => {
  expect(await read(["0123456789\n", "01234567890123"])).toEqual({
    got: "0123456789\n",
    overflow: expect.objectContaining({ code: "LINE_TOO_LONG", line: 2 }),
  });
  expect(await read(["ok\n0123456789AB\nnext\n"])).toEqual({
    got: "ok\n",
    overflow: expect.objectContaining({ code: "LINE_TOO_LONG", line: 2 }),
  });
  // An endless line is never held whole: the reader gives up after the first chunks over the limit.
  let pulled = 0;
  function* endless() {
    for (;;) {
      pulled++;
      yield "aaaaaa";
    }
  }
  const text = new BoundedText(endless(), { maxLineChars: 10, maxLines: 4 });
  for await (const piece of text) throw new Error(`unexpected text ${piece}`);
  expect(text.overflow?.code).toBe("LINE_TOO_LONG");
  expect(pulled).toBe(2);
});

it("stops after the maximum number of lines", async () => {
  expect(await read(["a\nb\nc\nd\ne\nf\n"])).toEqual({
    got: "a\nb\nc\nd\n",
    overflow: expect.objectContaining({ code: "TOO_MANY_ROWS", line: 5 }),
  });
  expect(await read(["a\nb\nc\nd\ne"])).toEqual({
    got: "a\nb\nc\nd\n",
    overflow: expect.objectContaining({ code: "TOO_MANY_ROWS", line: 5 }),
  });
  expect((await read(["a\nb\nc\nd\n"])).overflow).toBeNull();
});

it("checks a file in memory with the same bounds", () => {
  const limits = { maxLineChars: 10, maxLines: 4 };
  expect(textOverflow("a\nb\nc\nd\n", limits)).toBeNull();
  expect(textOverflow("a\nb\nc\nd", limits)).toBeNull();
  expect(textOverflow("0123456789\r\n", limits)).toBeNull();
  expect(textOverflow("a\nb\nc\nd\ne", limits)).toMatchObject({ code: "TOO_MANY_ROWS", line: 5 });
  expect(textOverflow("ok\n0123456789AB\n", limits)).toMatchObject({ code: "LINE_TOO_LONG", line: 2 });
  expect(textOverflow("ok\n0123456789ABC", limits)).toMatchObject({ code: "LINE_TOO_LONG", line: 2 });
});

describe("readCsvRows (csv-parse, streaming)", () => {
  const format = {
    header: ["ref", "amount"] as const,
    rowOf: (fields: readonly string[], line: number) =>
      fields.length === 2
        ? { line, ref: fields[0]!, amount: fields[1]! }
        : { line, code: "MALFORMED_ROW", message: "列数" },
  };
  async function rows(input: string | AsyncIterable<string>) {
    const out: ({ line: number; ref: string; amount: string } | RowProblem)[] = [];
    for await (const r of readCsvRows(input, format)) out.push(r);
    return out;
  }

  it("reads quoted fields, a BOM, CRLF and blank lines with the line numbers of the file", async () => {
    expect(await rows('\uFEFFref,amount\r\nA-1,"1,000.00"\r\n\r\n"B ""2""",5.00\r\n')).toEqual([
      { line: 2, ref: "A-1", amount: "1,000.00" },
      { line: 4, ref: 'B "2"', amount: "5.00" },
    ]);
  });

  it("reports each line with broken quoting as MALFORMED_ROW at its line and reads every line after it", async () => {
    const got = await rows('ref,amount\r\nA,"1"x\r\nB,2\r\nC,"3\r\nD,4\r\nE,5"5\r\nF,"6"\r\n"G');
    expect(got).toEqual([
      expect.objectContaining({ line: 2, code: "MALFORMED_ROW", message: expect.stringMatching(/引号/) }),
      { line: 3, ref: "B", amount: "2" },
      expect.objectContaining({ line: 4, code: "MALFORMED_ROW" }),
      { line: 5, ref: "D", amount: "4" },
      expect.objectContaining({ line: 6, code: "MALFORMED_ROW" }),
      { line: 7, ref: "F", amount: "6" },
      expect.objectContaining({ line: 8, code: "MALFORMED_ROW" }),
    ]);
  });

  it("never loses the rest of a file to an open quote (csv-parse alone drops it without a word)", async () => {
    const file = ["ref,amount", 'A,"1', ...Array.from({ length: 300 }, (_, i) => `R${i},${i}`)].join("\n");
    const got = await rows(file);
    expect(got).toHaveLength(301);
    expect(got[0]).toMatchObject({ line: 2, code: "MALFORMED_ROW" });
    expect(got[300]).toEqual({ line: 302, ref: "R299", amount: "299" });
    // What the engine guards against: the same file straight into csv-parse keeps only the header.
    const bare = parseSync(file, { relax_column_count: true, skip_records_with_error: true, max_record_size: 100 });
    expect(bare).toEqual([["ref", "amount"]]);
  });

  it("refuses a wrong header once, and an empty file", async () => {
    expect(await rows("a,b\n1,2\n")).toEqual([expect.objectContaining({ line: 1, code: "INVALID_HEADER" })]);
    expect(await rows("")).toEqual([expect.objectContaining({ line: 1, code: "EMPTY_FILE" })]);
  });

  it("reads a file split into arbitrary chunks the same as whole", async () => {
    const file = 'ref,amount\nA,1\nB,"2\n2"\nC,3\n';
    async function* bytes() {
      for (const ch of file) yield ch;
    }
    expect(await rows(bytes())).toEqual(await rows(file));
  });
});
