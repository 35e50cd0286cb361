import {
  isCountyCode,
  loanToDepositRatio,
  MAX_WINDOW_MONTHS,
  metricsWindowProblem,
} from "../../../src/domain/metrics/pilot-metrics.rule";
import { toMoney } from "../../../src/domain/money/money";

const ratio = (loans: string, deposits: string) => loanToDepositRatio(toMoney(loans), toMoney(deposits));

describe("the loan-to-deposit ratio", () => {
  it("divides outstanding loans by the pool's deposit balance to four decimals", () => {
    expect(ratio("4213.00", "10000.00")).toBe("0.4213");
    expect(ratio("1.00", "3.00")).toBe("0.3333");
    expect(ratio("2.00", "3.00")).toBe("0.6667");
    expect(ratio("950000.00", "1000000.00")).toBe("0.9500");
    expect(ratio("1200.00", "1000.00")).toBe("1.2000");
  });

  it("rounds half-up at the fifth decimal", () => {
    expect(ratio("1.00", "20000.00")).toBe("0.0001");
    expect(ratio("0.99", "20000.00")).toBe("0.0000");
    expect(ratio("12345.00", "100000.00")).toBe("0.1235");
  });

  it("is 0.0000 when there are no loans or no deposits", () => {
    expect(ratio("0.00", "5000.00")).toBe("0.0000");
    expect(ratio("0.00", "0.00")).toBe("0.0000");
    expect(ratio("100.00", "0.00")).toBe("0.0000");
  });
});

describe("the metrics window", () => {
  it("accepts one month and up to 120 months", () => {
    expect(metricsWindowProblem("2026-07", "2026-07")).toBeNull();
    expect(metricsWindowProblem("2017-02", "2027-01")).toBeNull();
    expect(MAX_WINDOW_MONTHS).toBe(120);
  });

  it("refuses a start after the end and a window of 121 months", () => {
    expect(metricsWindowProblem("2026-08", "2026-07")).toMatchObject({ field: "from" });
    expect(metricsWindowProblem("2017-01", "2027-01")).toMatchObject({ field: "to" });
  });

  it("knows a county code by its six digits", () => {
    expect(["140502", "140581"].map(isCountyCode)).toEqual([true, true]);
    expect(["14050", "1405021", "abcdef", ""].map(isCountyCode)).toEqual([false, false, false, false]);
  });
});
