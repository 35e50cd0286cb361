// The pilot metrics as a report: labelled sections shared by the CSV and the Excel export, so both files
// always carry the same figures under the same names. Aggregates only: there is no person in a PilotMetrics.
import type { MetricGroupDto, PilotMetricsDto } from "../../services/metrics/pilot-metrics";
import type { XlsxCell, XlsxSheet } from "./xlsx.writer";

/** Jincheng's county-level divisions (GB/T 2260), in the order the city lists them. */
export const COUNTY_NAMES: Readonly<Record<string, string>> = {
  "140502": "城区",
  "140521": "沁水县",
  "140522": "阳城县",
  "140524": "陵川县",
  "140525": "泽州县",
  "140581": "高平市",
};
export const EMPLOYMENT_FORM_NAMES: Readonly<Record<string, string>> = {
  SELF_EMPLOYED: "个体经营",
  PART_TIME: "非全日制",
  NEW_FORM: "新业态",
};
export const countyName = (code: string): string =>
  COUNTY_NAMES[code] ?? (code === "000000" ? "未登记区县" : `其他（${code}）`);
export const employmentFormName = (key: string): string => EMPLOYMENT_FORM_NAMES[key] ?? "未登记";

type Kind = "count" | "money" | "ratio" | "level";
type HeadlineField = Exclude<
  keyof PilotMetricsDto,
  "from" | "to" | "suppressed" | "monthly" | "byCounty" | "byEmploymentForm"
>;

/** Every scalar figure of PilotMetrics with its Chinese label and unit, in reading order. */
export const HEADLINE_FIGURES: readonly { field: HeadlineField; label: string; unit: string; kind: Kind }[] = [
  { field: "enrolledTotal", label: "新增参缴人数", unit: "人", kind: "count" },
  { field: "activeAccounts", label: "期末在缴账户数", unit: "户", kind: "count" },
  { field: "exitedTotal", label: "退出人数", unit: "人", kind: "count" },
  { field: "convertedToEmployer", label: "转为单位缴存人数", unit: "人", kind: "count" },
  { field: "depositAmount", label: "缴存金额", unit: "元", kind: "money" },
  { field: "depositCount", label: "缴存笔数", unit: "笔", kind: "count" },
  { field: "withdrawalAmount", label: "提取金额", unit: "元", kind: "money" },
  { field: "loanCount", label: "发放贷款笔数", unit: "笔", kind: "count" },
  { field: "loanAmount", label: "发放贷款金额", unit: "元", kind: "money" },
  { field: "loanApplications", label: "贷款申请笔数", unit: "笔", kind: "count" },
  { field: "loanOverdueCount", label: "期末逾期贷款笔数", unit: "笔", kind: "count" },
  { field: "graduateSubsidyAmount", label: "高校毕业生缴存补贴", unit: "元", kind: "money" },
  { field: "interestSubsidyAmount", label: "利息补贴", unit: "元", kind: "money" },
  { field: "interestAmount", label: "结息金额", unit: "元", kind: "money" },
  { field: "duplicateBlocks", label: "全国查重拦截次数", unit: "次", kind: "count" },
  { field: "loanToDepositRatio", label: "个贷率", unit: "比率", kind: "ratio" },
  { field: "liquidityLevel", label: "流动性等级", unit: "等级", kind: "level" },
];

/** 个贷率 against the thresholds: 正常 below the warning line, 预警 from it, 警戒 from the alarm line. */
export const LIQUIDITY_LABELS: Record<string, string> = { NORMAL: "正常", WARNING: "预警", ALARM: "警戒" };

export interface ReportContext {
  metrics: PilotMetricsDto;
  countyCode: string | null;
  /** Liquidity thresholds in force (policy parameters), as decimal strings. */
  warningRatio: string;
  alarmRatio: string;
  /** e.g. "2026-11-28 12:04" (Asia/Shanghai). */
  generatedAt: string;
}

export interface ReportSection {
  title: string;
  sheetName: string;
  header: string[];
  rows: XlsxCell[][];
  widths: number[];
}

const num = (value: string | number, kind: Kind): XlsxCell =>
  kind === "level"
    ? `${LIQUIDITY_LABELS[String(value)] ?? String(value)} ${String(value)}`
    : { number: value, format: kind === "money" ? "money" : kind === "ratio" ? "ratio" : "integer" };

export const REPORT_TITLE = "晋城市灵活就业人员住房公积金试点统计";

/** Said wherever suppressed figures are shown (the dashboard shows the same words). */
export const SUPPRESSED_NOTE =
  "为保护个人信息，人数少于最小统计单元（政策参数 metrics.minCellSize）的统计单元已隐去，不计入任何合计、分组和月份（SUPPRESSED）";

/** Who the figures cover and when they were taken: the lines above the first section. */
export function reportPreamble(ctx: ReportContext): XlsxCell[][] {
  return [
    ["统计期间", `${ctx.metrics.from} 至 ${ctx.metrics.to}`],
    ["统计范围", ctx.countyCode ? `${countyName(ctx.countyCode)}（${ctx.countyCode}）` : "全市"],
    ["统计口径", "按业务日期（参缴日期、缴存日期、提取日期）汇总；仅含汇总数，不含个人信息"],
    ["生成时间", `${ctx.generatedAt}（北京时间）`],
    ["小单元格处理", ctx.metrics.suppressed ? SUPPRESSED_NOTE : "无（各分组人数均达到最小统计单元）"],
  ];
}

export function reportSections(ctx: ReportContext): ReportSection[] {
  const m = ctx.metrics;
  const headline: XlsxCell[][] = HEADLINE_FIGURES.map((f) => [f.label, f.field, num(m[f.field], f.kind), f.unit]);
  headline.push(["个贷率预警线", "liquidity.warningRatio", num(ctx.warningRatio, "ratio"), "比率"]);
  headline.push(["个贷率警戒线", "liquidity.alarmRatio", num(ctx.alarmRatio, "ratio"), "比率"]);
  headline.push(["小单元格已隐去或合并", "suppressed", String(m.suppressed), m.suppressed ? "是" : "否"]);
  const groups = (list: MetricGroupDto[], name: (key: string) => string): XlsxCell[][] =>
    list.map((g) => [g.key, name(g.key), num(g.activeAccounts, "count"), num(g.depositAmount, "money")]);
  return [
    {
      title: "一、主要指标",
      sheetName: "主要指标",
      header: ["指标", "字段", "数值", "单位"],
      rows: headline,
      widths: [22, 26, 18, 8],
    },
    {
      title: "二、月度趋势",
      sheetName: "月度趋势",
      header: ["月份 period", "新增参缴人数 enrolled", "缴存金额（元）depositAmount", "提取金额（元）withdrawalAmount"],
      rows: m.monthly.map((p) => [
        p.period,
        num(p.enrolled, "count"),
        num(p.depositAmount, "money"),
        num(p.withdrawalAmount, "money"),
      ]),
      widths: [14, 22, 28, 30],
    },
    {
      title: "三、分区县",
      sheetName: "分区县",
      header: ["区县代码", "区县", "期末在缴账户数 activeAccounts", "缴存金额（元）depositAmount"],
      rows: groups(m.byCounty, countyName),
      widths: [12, 14, 30, 28],
    },
    {
      title: "四、分就业形态",
      sheetName: "分就业形态",
      header: ["就业形态代码", "就业形态", "期末在缴账户数 activeAccounts", "缴存金额（元）depositAmount"],
      rows: groups(m.byEmploymentForm, employmentFormName),
      widths: [16, 12, 30, 28],
    },
  ];
}

/** The workbook: the preamble and headline figures on the first sheet, one sheet per series. */
export function reportSheets(ctx: ReportContext): XlsxSheet[] {
  return reportSections(ctx).map((section, i) => {
    const lead = i === 0 ? [{ cells: [REPORT_TITLE], style: "title" as const }, ...reportPreamble(ctx), []] : [];
    return {
      name: section.sheetName,
      rows: [...lead, { cells: section.header, style: "header" as const }, ...section.rows],
      columnWidths: section.widths,
      frozenRows: i === 0 ? 0 : 1,
    };
  });
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One CSV field (RFC 4180), with text that a spreadsheet would run as a formula defused by a leading apostrophe. */
export function csvField(cell: XlsxCell): string {
  if (cell === null) return "";
  const text = typeof cell === "string" ? cell : String(cell.number);
  const safe = typeof cell === "string" && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV file: UTF-8 with a byte-order mark (so Excel reads the Chinese), CRLF lines, sections separated by a blank line. */
export function reportCsv(ctx: ReportContext): Buffer {
  const lines: XlsxCell[][] = [[REPORT_TITLE], ...reportPreamble(ctx)];
  for (const section of reportSections(ctx)) lines.push([], [section.title], section.header, ...section.rows);
  const text = lines.map((cells) => cells.map(csvField).join(",")).join("\r\n") + "\r\n";
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
}
