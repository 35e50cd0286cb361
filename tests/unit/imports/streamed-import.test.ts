// The bank file's line reader: bounded lines and rows (issue 11 finding 5), LF or CRLF, split across chunks.
import { BoundedLines } from "../../../src/services/deposits/bank-file-lines";

async function read(chunks: string[], limits = { maxLineChars: 10, maxLines: 4 }) {
  const lines = new BoundedLines(chunks, limits);
  const got: string[] = [];
  for await (const line of lines) got.push(line);
  return { got, overflow: lines.overflow };
}

it("splits on LF and CRLF across chunk boundaries, with nothing after a final newline", async () => {
  expect(await read(["ab\r", "\ncd\nef", "gh\n"])).toEqual({ got: ["ab", "cd", "efgh"], overflow: null });
  expect(await read(["x\ny"])).toEqual({ got: ["x", "y"], overflow: null });
});

it("stops at a line over the limit without waiting for its end", async () => {
  expect(await read(["0123456789\n", "01234567890123"])).toEqual({
    got: ["0123456789"],
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
  const lines = new BoundedLines(endless(), { maxLineChars: 10, maxLines: 4 });
  for await (const line of lines) throw new Error(`unexpected line ${line}`);
  expect(lines.overflow?.code).toBe("LINE_TOO_LONG");
  expect(pulled).toBe(2);
});

it("stops after the maximum number of lines", async () => {
  expect(await read(["a\nb\nc\nd\ne\nf\n"])).toEqual({
    got: ["a", "b", "c", "d"],
    overflow: expect.objectContaining({ code: "TOO_MANY_ROWS", line: 5 }),
  });
});
