// The Excel export's workbook, written by exceljs (docs/decisions/009): text cells, numeric cells with a few
// number formats, bold title and header rows, column widths, one frozen header. This file only maps the report's
// rows onto exceljs and refuses what a spreadsheet would silently change (a number it cannot hold exactly).
import ExcelJS from "exceljs";

/** How a numeric cell is shown: 1,234 · 1,234.50 · 42.13 % (the value stays exact). */
export type NumberFormat = "integer" | "money" | "ratio";

export type XlsxCell = null | string | { number: string | number; format?: NumberFormat };

export interface XlsxRow {
  cells: XlsxCell[];
  style?: "title" | "header";
}

export interface XlsxSheet {
  /** 1–31 characters, none of : \ / ? * [ ] */
  name: string;
  rows: (XlsxRow | XlsxCell[])[];
  /** Column widths in characters, from column A. */
  columnWidths?: number[];
  /** Rows kept in view while scrolling (the header), 0 for none. */
  frozenRows?: number;
}

const NUMBER_FORMATS: Record<NumberFormat, string> = { integer: "#,##0", money: "#,##0.00", ratio: "0.00%" };
const ROW_FONTS = { title: { bold: true, size: 14 }, header: { bold: true, size: 11 } } as const;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** A spreadsheet keeps 15 significant digits: more would be rounded without a word. */
const MAX_DIGITS = 15;
/** Characters XML 1.0 cannot hold (a workbook with one does not open). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The cell's value as a JS number, refused unless it is a plain decimal a spreadsheet holds exactly. */
export function exactNumber(value: string | number, where: string): number {
  const text = String(value);
  if (!PLAIN_NUMBER.test(text)) throw new Error(`not a plain number for cell ${where}: ${JSON.stringify(text)}`);
  const digits = text.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  if (digits.length > MAX_DIGITS) throw new Error(`more than ${MAX_DIGITS} significant digits for cell ${where}`);
  return Number(text);
}

function checkSheetNames(sheets: readonly XlsxSheet[]): void {
  const seen = new Set<string>();
  for (const { name } of sheets) {
    if (name.length < 1 || name.length > 31 || /[:\\/?*[\]]/.test(name) || seen.has(name.toLowerCase())) {
      throw new Error(`bad or repeated sheet name: ${JSON.stringify(name)}`);
    }
    seen.add(name.toLowerCase());
  }
  if (sheets.length === 0) throw new Error("a workbook needs at least one sheet");
}

function addSheet(workbook: ExcelJS.Workbook, sheet: XlsxSheet): void {
  const frozen = sheet.frozenRows ?? 0;
  const ws = workbook.addWorksheet(sheet.name, {
    views: frozen > 0 ? [{ state: "frozen", ySplit: frozen, topLeftCell: `A${frozen + 1}` }] : [{}],
  });
  (sheet.columnWidths ?? []).forEach((width, i) => (ws.getColumn(i + 1).width = width));
  sheet.rows.forEach((row, r) => {
    const { cells, style } = Array.isArray(row) ? { cells: row, style: undefined } : row;
    cells.forEach((cell, c) => {
      if (cell === null) return;
      const target = ws.getCell(r + 1, c + 1);
      if (typeof cell === "string") target.value = cell.replace(NOT_XML, "");
      else {
        target.value = exactNumber(cell.number, target.address);
        if (cell.format) target.numFmt = NUMBER_FORMATS[cell.format];
      }
      if (style) target.font = ROW_FONTS[style];
    });
  });
}

/** The .xlsx file for these sheets. */
export async function writeXlsx(
  sheets: readonly XlsxSheet[],
  options: { title?: string; modifiedAt?: Date } = {},
): Promise<Buffer> {
  checkSheetNames(sheets);
  const workbook = new ExcelJS.Workbook();
  const at = options.modifiedAt ?? new Date();
  workbook.creator = "hpf-hub";
  workbook.title = options.title ?? "";
  workbook.created = at;
  workbook.modified = at;
  for (const sheet of sheets) addSheet(workbook, sheet);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
