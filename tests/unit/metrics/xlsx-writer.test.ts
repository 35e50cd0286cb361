// The Excel export's workbook, opened by real readers: exceljs reading the file back, and Info-ZIP's unzip testing
// and listing the package. Expected values are the literals written into SHEETS.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import ExcelJS from "exceljs";

import { exactNumber, writeXlsx, type XlsxSheet } from "../../../src/http/dashboard/xlsx.writer";

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
      ["最大金额", { number: "9999999999999.99", format: "money" }],
    ],
    columnWidths: [20, 14],
  },
  {
    name: "月度趋势",
    rows: [{ cells: ["月份", "缴存金额"], style: "header" }, ["2026-07", { number: "1000.50", format: "money" }]],
    frozenRows: 1,
  },
];

const AT = new Date("2026-11-28T04:00:00Z");

async function readBack(file: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  return workbook;
}

describe("xlsx writer (exceljs)", () => {
  let file: Buffer;
  let book: ExcelJS.Workbook;
  beforeAll(async () => {
    file = await writeXlsx(SHEETS, { title: "试点统计", modifiedAt: AT });
    book = await readBack(file);
  });

  it("writes a ZIP package that starts with PK", () => {
    expect(file.subarray(0, 2).toString()).toBe("PK");
  });

  it("names the sheets in order and carries the title and creator", () => {
    expect(book.worksheets.map((s) => s.name)).toEqual(["主要指标", "月度趋势"]);
    expect(book.title).toBe("试点统计");
    expect(book.creator).toBe("hpf-hub");
    expect(book.created.toISOString()).toBe("2026-11-28T04:00:00.000Z");
  });

  it("reads back text as text and numbers as exact numbers with their formats", () => {
    const sheet = book.getWorksheet("主要指标")!;
    expect(sheet.getCell("A1").value).toBe("晋城市灵活就业人员住房公积金试点统计");
    expect(sheet.getCell("A1").font).toMatchObject({ bold: true, size: 14 });
    expect(sheet.getCell("A2").font).toMatchObject({ bold: true });
    expect(sheet.getCell("B3").value).toBe(456789);
    expect(sheet.getCell("B3").numFmt).toBe("#,##0.00");
    expect(sheet.getCell("B4").value).toBe(123);
    expect(sheet.getCell("B4").numFmt).toBe("#,##0");
    expect(sheet.getCell("B5").value).toBe(0.4213);
    expect(sheet.getCell("B5").numFmt).toBe("0.00%");
    expect(sheet.getCell("B6").value).toBe(" 前后空格 ");
    expect(sheet.getCell("A7").value).toBe('<&"> and a control character');
    expect(sheet.getCell("A6").value).toBeNull(); // null leaves the cell out
    expect(sheet.getCell("B8").value).toBe(9999999999999.99);
    expect(sheet.getColumn(1).width).toBe(20);
    expect(sheet.getColumn(2).width).toBe(14);
  });

  it("freezes the header row of a series sheet", () => {
    const sheet = book.getWorksheet("月度趋势")!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getCell("B2").value).toBe(1000.5);
  });

  const unzipTool = existsSync("/usr/bin/unzip");
  // The CI machine and every developer machine have Info-ZIP; the skip only names why the test could not run.
  (unzipTool ? it : it.skip)("is tested and listed by Info-ZIP unzip: an Office Open XML package", () => {
    const dir = mkdtempSync(join(tmpdir(), "xlsx-test-"));
    try {
      writeFileSync(join(dir, "t.xlsx"), file);
      expect(execFileSync("/usr/bin/unzip", ["-t", join(dir, "t.xlsx")], { encoding: "utf8" })).toMatch(
        /No errors detected/,
      );
      const listing = execFileSync("/usr/bin/unzip", ["-Z1", join(dir, "t.xlsx")], { encoding: "utf8" });
      const names = listing.trim().split("\n");
      for (const part of [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
      ])
        expect(names).toContain(part);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses bad sheet names and values that are not plain numbers or not exact in a spreadsheet", async () => {
    await expect(writeXlsx([{ name: "a/b", rows: [] }])).rejects.toThrow(/sheet name/);
    await expect(writeXlsx([{ name: "x".repeat(32), rows: [] }])).rejects.toThrow(/sheet name/);
    await expect(
      writeXlsx([
        { name: "Same", rows: [] },
        { name: "same", rows: [] },
      ]),
    ).rejects.toThrow(/sheet name/);
    await expect(writeXlsx([])).rejects.toThrow(/at least one/);
    await expect(writeXlsx([{ name: "s", rows: [[{ number: "1e5" }]] }])).rejects.toThrow(/plain number/);
    await expect(writeXlsx([{ name: "s", rows: [[{ number: "12345678901234.56" }]] }])).rejects.toThrow(
      /significant digits/,
    );
  });

  it("counts significant digits, not leading or trailing zeros", () => {
    expect(exactNumber("0.0000", "A1")).toBe(0);
    expect(exactNumber("-1000.50", "A1")).toBe(-1000.5);
    expect(exactNumber("100000000000000000000", "A1")).toBe(1e20);
    expect(() => exactNumber("1234567890123456", "A1")).toThrow(/significant digits/);
  });
});
