// A minimal Office Open XML (SpreadsheetML) workbook writer: inline strings, numeric cells with a few
// built-in number formats, bold header rows, column widths, one frozen header. No dependency beyond the
// ZIP container in zip.writer.ts. Opens in Excel, WPS and LibreOffice.
import { zip, type ZipEntry } from "./zip.writer";

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

const NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Style indexes into cellXfs of styles.xml below. */
const STYLE = { integer: 1, money: 2, ratio: 3, header: 4, title: 5 } as const;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "") // characters XML 1.0 cannot hold
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function cellXml(cell: XlsxCell, ref: string, rowStyle: XlsxRow["style"]): string {
  if (cell === null) return "";
  const styleIndex = rowStyle ? STYLE[rowStyle] : 0;
  if (typeof cell === "string") {
    const space = /^\s|\s$/.test(cell) ? ' xml:space="preserve"' : "";
    const s = styleIndex ? ` s="${styleIndex}"` : "";
    return `<c r="${ref}" t="inlineStr"${s}><is><t${space}>${escapeXml(cell)}</t></is></c>`;
  }
  const value = String(cell.number);
  if (!PLAIN_NUMBER.test(value)) throw new Error(`not a plain number for cell ${ref}: ${JSON.stringify(value)}`);
  const s = cell.format ? STYLE[cell.format] : styleIndex;
  return `<c r="${ref}"${s ? ` s="${s}"` : ""}><v>${value}</v></c>`;
}

function sheetXml(sheet: XlsxSheet): string {
  const rows = sheet.rows.map((row, r) => {
    const { cells, style } = Array.isArray(row) ? { cells: row, style: undefined } : row;
    const body = cells.map((cell, c) => cellXml(cell, `${columnName(c)}${r + 1}`, style)).join("");
    return `<row r="${r + 1}">${body}</row>`;
  });
  const frozen = sheet.frozenRows ?? 0;
  const view =
    frozen > 0
      ? `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${frozen}" topLeftCell="A${frozen + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
      : `<sheetViews><sheetView workbookViewId="0"/></sheetViews>`;
  const cols = sheet.columnWidths?.length
    ? `<cols>${sheet.columnWidths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join("")}</cols>`
    : "";
  return `${XML_HEAD}<worksheet xmlns="${NS}" xmlns:r="${REL_NS}">${view}<sheetFormatPr defaultRowHeight="15"/>${cols}<sheetData>${rows.join("")}</sheetData></worksheet>`;
}

const STYLES_XML =
  `${XML_HEAD}<styleSheet xmlns="${NS}">` +
  `<fonts count="3"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>` +
  `<font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>` +
  `<font><b/><sz val="14"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>` +
  `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
  `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
  `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
  `<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
  `<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` + // #,##0
  `<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` + // #,##0.00
  `<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` + // 0.00%
  `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
  `<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
  `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
  `</styleSheet>`;

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

/** The .xlsx file (a ZIP package) for these sheets. */
export function writeXlsx(sheets: readonly XlsxSheet[], options: { title?: string; modifiedAt?: Date } = {}): Buffer {
  checkSheetNames(sheets);
  const modifiedAt = options.modifiedAt ?? new Date();
  const sheetOverrides = sheets
    .map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    )
    .join("");
  const entries: ZipEntry[] = [
    {
      name: "[Content_Types].xml",
      data:
        `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
        `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
        `${sheetOverrides}</Types>`,
    },
    {
      name: "_rels/.rels",
      data:
        `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
        `</Relationships>`,
    },
    {
      name: "docProps/core.xml",
      data:
        `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:title>${escapeXml(options.title ?? "")}</dc:title><dc:creator>hpf-hub</dc:creator>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${modifiedAt.toISOString().replace(/\.\d{3}Z$/, "Z")}</dcterms:created>` +
        `</cp:coreProperties>`,
    },
    {
      name: "xl/workbook.xml",
      data:
        `${XML_HEAD}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets>` +
        sheets.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
        `</sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data:
        `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
        sheets
          .map(
            (_, i) =>
              `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join("") +
        `<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
        `</Relationships>`,
    },
    { name: "xl/styles.xml", data: STYLES_XML },
    ...sheets.map((sheet, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: sheetXml(sheet) })),
  ];
  return zip(entries, modifiedAt);
}
