import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";

import { columnName, escapeXml, writeXlsx, type XlsxSheet } from "../../../src/http/dashboard/xlsx.writer";
import { crc32, zip } from "../../../src/http/dashboard/zip.writer";
import { sheetCells, unzip } from "../../helpers/unzip";

const SHEETS: XlsxSheet[] = [
  {
    name: "主要指标",
    rows: [
      { cells: ["晋城市灵活就业人员住房公积金试点统计"], style: "title" },
      { cells: ["指标", "数值"], style: "header" },
      ["缴存金额", { number: "456789.00", format: "money" }],
      ["新增参缴人数", { number: 123, format: "integer" }],
      ["个贷率", { number: "0.4213", format: "ratio" }],
      [null, " 前后空格 "],
      ['<&"> and a control\u0001 character', null],
    ],
    columnWidths: [20, 14],
  },
  {
    name: "月度趋势",
    rows: [{ cells: ["月份", "缴存金额"], style: "header" }, ["2026-07", { number: "1000.50", format: "money" }]],
    frozenRows: 1,
  },
];

describe("zip writer", () => {
  it("computes the standard CRC-32 (IEEE), the same as zlib's", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const random = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    expect(crc32(random)).toBe(zlibCrc32(random));
  });

  it("writes deflated entries that read back byte for byte, with UTF-8 names", () => {
    const big = "试点".repeat(20000);
    const archive = zip([
      { name: "a.txt", data: "hello" },
      { name: "目录/大文件.txt", data: big },
      { name: "empty", data: Buffer.alloc(0) },
    ]);
    const entries = unzip(archive);
    expect([...entries.keys()]).toEqual(["a.txt", "目录/大文件.txt", "empty"]);
    expect(entries.get("a.txt")!.data.toString()).toBe("hello");
    expect(entries.get("目录/大文件.txt")!.data.toString()).toBe(big);
    expect(entries.get("empty")!.data.length).toBe(0);
    expect([...entries.values()].every((e) => e.method === 8 && (e.flags & 0x0800) !== 0)).toBe(true);
    expect(archive.length).toBeLessThan(Buffer.byteLength(big) / 10); // deflate did its work
  });

  it("refuses repeated or absolute entry names", () => {
    expect(() =>
      zip([
        { name: "a", data: "1" },
        { name: "a", data: "2" },
      ]),
    ).toThrow(/repeated/);
    expect(() => zip([{ name: "/etc/passwd", data: "x" }])).toThrow(/bad/);
  });

  const unzipTool = existsSync("/usr/bin/unzip");
  (unzipTool ? it : it.skip)("is read by Info-ZIP unzip without a warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "zip-test-"));
    try {
      writeFileSync(join(dir, "t.zip"), zip([{ name: "x/y.txt", data: "晋城" }]));
      const out = execFileSync("/usr/bin/unzip", ["-t", join(dir, "t.zip")], { encoding: "utf8" });
      expect(out).toMatch(/No errors detected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("xlsx writer", () => {
  const parts = unzip(writeXlsx(SHEETS, { title: "试点统计", modifiedAt: new Date("2026-11-28T04:00:00Z") }));
  const text = (name: string) => {
    const entry = parts.get(name);
    if (!entry) throw new Error(`missing part ${name}`);
    return entry.data.toString("utf8");
  };

  it("holds the parts of an Office Open XML workbook, every one declared in [Content_Types].xml", () => {
    expect([...parts.keys()].sort()).toEqual(
      [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
      ].sort(),
    );
    const types = text("[Content_Types].xml");
    expect(types).toContain(
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    );
    for (const n of [1, 2]) expect(types).toContain(`PartName="/xl/worksheets/sheet${n}.xml"`);
    expect(text("_rels/.rels")).toContain('Target="xl/workbook.xml"');
    const rels = text("xl/_rels/workbook.xml.rels");
    expect(rels).toContain(
      'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"',
    );
    expect(rels).toContain('Target="styles.xml"');
    expect(text("docProps/core.xml")).toContain("<dc:title>试点统计</dc:title>");
  });

  it("names the sheets in the workbook in order, linked to their relationships", () => {
    const workbook = text("xl/workbook.xml");
    expect(
      [...workbook.matchAll(/<sheet name="([^"]+)" sheetId="(\d+)" r:id="(rId\d+)"\/>/g)].map((m) => [
        m[1],
        m[2],
        m[3],
      ]),
    ).toEqual([
      ["主要指标", "1", "rId1"],
      ["月度趋势", "2", "rId2"],
    ]);
  });

  it("writes text as inline strings and numbers as exact numeric cells with their formats", () => {
    const xml = text("xl/worksheets/sheet1.xml");
    const cells = sheetCells(xml);
    expect(cells.get("A1")).toBe("晋城市灵活就业人员住房公积金试点统计");
    expect(cells.get("B3")).toBe("456789.00");
    expect(cells.get("B4")).toBe("123");
    expect(cells.get("B5")).toBe("0.4213");
    expect(cells.get("B6")).toBe(" 前后空格 ");
    expect(cells.get("A7")).toBe('<&"> and a control character');
    expect(cells.has("A6")).toBe(false); // null leaves the cell out
    expect(xml).toContain('<c r="B3" s="2"><v>456789.00</v></c>'); // #,##0.00
    expect(xml).toContain('<c r="B4" s="1"><v>123</v></c>'); // #,##0
    expect(xml).toContain('<c r="B5" s="3"><v>0.4213</v></c>'); // 0.00%
    expect(xml).toContain('<c r="A1" t="inlineStr" s="5"><is><t>');
    expect(xml).toContain('<t xml:space="preserve"> 前后空格 </t>');
    expect(xml).toContain('<col min="1" max="1" width="20" customWidth="1"/>');
    expect(text("xl/worksheets/sheet2.xml")).toContain(
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>',
    );
  });

  it("writes well-formed XML in every part (balanced tags, one root)", () => {
    for (const [name, entry] of parts) {
      const xml = entry.data.toString("utf8");
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);
      const stack: string[] = [];
      for (const tag of xml.replace(/<\?xml[^>]*\?>/, "").matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
        if (tag[3]) continue;
        if (tag[1]) expect([name, stack.pop()]).toEqual([name, tag[2]]);
        else stack.push(tag[2]!);
      }
      expect([name, stack]).toEqual([name, []]);
    }
    expect(text("xl/styles.xml")).toContain('<cellXfs count="6">');
  });

  it("refuses bad sheet names and values that are not plain numbers", () => {
    expect(() => writeXlsx([{ name: "a/b", rows: [] }])).toThrow(/sheet name/);
    expect(() => writeXlsx([{ name: "x".repeat(32), rows: [] }])).toThrow(/sheet name/);
    expect(() =>
      writeXlsx([
        { name: "Same", rows: [] },
        { name: "same", rows: [] },
      ]),
    ).toThrow(/sheet name/);
    expect(() => writeXlsx([])).toThrow(/at least one/);
    expect(() => writeXlsx([{ name: "s", rows: [[{ number: "1e5" }]] }])).toThrow(/plain number/);
  });

  it("names columns like a spreadsheet and escapes XML", () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    expect(escapeXml('a<b>&"c"\u0000')).toBe("a&lt;b&gt;&amp;&quot;c&quot;");
  });
});
