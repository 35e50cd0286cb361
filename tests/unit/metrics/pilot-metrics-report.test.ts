import {
  csvField,
  type ReportContext,
  reportCsv,
  reportSections,
} from "../../../src/http/dashboard/pilot-metrics.report";
import type { PilotMetricsDto } from "../../../src/services/metrics/pilot-metrics";

const METRICS: PilotMetricsDto = {
  from: "2026-07",
  to: "2026-08",
  enrolledTotal: 3,
  activeAccounts: 3,
  exitedTotal: 0,
  depositAmount: "12345.60",
  depositCount: 4,
  withdrawalAmount: "0.00",
  loanCount: 0,
  loanAmount: "0.00",
  graduateSubsidyAmount: "0.00",
  interestSubsidyAmount: "0.00",
  interestAmount: "0.00",
  duplicateBlocks: 1,
  convertedToEmployer: 0,
  loanToDepositRatio: "0.0000",
  liquidityLevel: "NORMAL",
  loanApplications: 0,
  loanOverdueCount: 0,
  suppressed: false,
  monthly: [
    { period: "2026-07", enrolled: 2, depositAmount: "2345.60", withdrawalAmount: "0.00" },
    { period: "2026-08", enrolled: 1, depositAmount: "10000.00", withdrawalAmount: "0.00" },
  ],
  byCounty: [
    { key: "140502", activeAccounts: 2, depositAmount: "10000.00" },
    { key: "000000", activeAccounts: 0, depositAmount: "0.00" },
  ],
  byEmploymentForm: [{ key: "NEW_FORM", activeAccounts: 3, depositAmount: "12345.60" }],
};
const CTX: ReportContext = {
  metrics: METRICS,
  countyCode: null,
  warningRatio: "0.85",
  alarmRatio: "0.95",
  generatedAt: "2026-11-28 12:00",
};

describe("pilot metrics report", () => {
  it("writes a CSV with a UTF-8 byte-order mark, CRLF lines and the four sections in order", () => {
    const file = reportCsv(CTX);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.subarray(3).toString("utf8");
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("晋城市灵活就业人员住房公积金试点统计");
    expect(lines).toContain("统计期间,2026-07 至 2026-08");
    expect(lines).toContain("统计范围,全市");
    expect(lines).toContain("缴存金额,depositAmount,12345.60,元");
    expect(lines).toContain("个贷率,loanToDepositRatio,0.0000,比率");
    expect(lines).toContain("个贷率预警线,liquidity.warningRatio,0.85,比率");
    expect(lines).toContain("2026-08,1,10000.00,0.00");
    expect(lines).toContain("140502,城区,2,10000.00");
    expect(lines).toContain("000000,未登记区县,0,0.00");
    expect(lines).toContain("NEW_FORM,新业态,3,12345.60");
    const order = ["一、主要指标", "二、月度趋势", "三、分区县", "四、分就业形态"].map((t) => lines.indexOf(t));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
  });

  it("lists every scalar figure of PilotMetrics once in the headline section", () => {
    const [headline] = reportSections(CTX);
    const fields = headline!.rows.map((r) => r[1]).filter((f) => typeof f === "string" && !f.startsWith("liquidity."));
    expect(fields.sort()).toEqual(
      Object.keys(METRICS)
        .filter((k) => !["from", "to", "monthly", "byCounty", "byEmploymentForm"].includes(k))
        .sort(),
    );
  });

  it("says whether small cells were withheld, in the preamble and as the figure suppressed", () => {
    const plain = reportCsv(CTX).toString("utf8");
    expect(plain).toContain("小单元格已隐去或合并,suppressed,false,否");
    expect(plain).toContain("小单元格处理,无（各分组人数均达到最小统计单元）");
    const text = reportCsv({ ...CTX, metrics: { ...METRICS, suppressed: true } }).toString("utf8");
    expect(text).toContain("小单元格已隐去或合并,suppressed,true,是");
    expect(text).toMatch(/小单元格处理,为保护个人信息，人数少于最小统计单元.*已隐去，不计入任何合计/);
  });

  it("names the county in scope", () => {
    const text = reportCsv({ ...CTX, countyCode: "140521" }).toString("utf8");
    expect(text).toContain("统计范围,沁水县（140521）");
  });

  it("quotes CSV fields that need it and defuses text a spreadsheet would run as a formula", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-12.50")).toBe("-12.50");
    expect(csvField({ number: "-12.50" })).toBe("-12.50");
    expect(csvField(null)).toBe("");
  });
});
