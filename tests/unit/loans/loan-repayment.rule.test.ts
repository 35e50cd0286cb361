import { allocate, amountDue, liquidityLevel } from "../../../src/domain/loans/loan-repayment.rule";
import { formatMoney, toMoney } from "../../../src/domain/money/money";

const m = toMoney;
const inst = (number: number, principal: string, interest: string, paidPrincipal = "0.00", paidInterest = "0.00") => ({
  number,
  principal: m(principal),
  interest: m(interest),
  paidPrincipal: m(paidPrincipal),
  paidInterest: m(paidInterest),
});

describe("applying a repayment to the instalments due", () => {
  // #2 of the 300,000 plan after the prepayment: 1,021.43 principal + 582.93 interest; #3: 1,023.64 + 580.72
  const due = [inst(2, "1021.43", "582.93"), inst(3, "1023.64", "580.72")];

  it("pays interest before principal, oldest instalment first, as far as the amount goes", () => {
    // 395.64 < 582.93: all of it is interest of #2, nothing of its principal
    const a = allocate(due, m("395.64"));
    expect(a.payments.map((p) => [p.number, formatMoney(p.principal), formatMoney(p.interest), p.settled])).toEqual([
      [2, "0.00", "395.64", false],
    ]);
    expect([formatMoney(a.principal), formatMoney(a.interest), formatMoney(a.left)]).toEqual([
      "0.00",
      "395.64",
      "0.00",
    ]);
  });

  it("finishes a partly paid instalment before the next and leaves the rest for prepayment", () => {
    // #2 after 395.64: 582.93 − 395.64 = 187.29 interest and 1,021.43 principal owed = 1,208.72;
    // 3,000.00 − 1,208.72 = 1,791.28; #3 takes 580.72 + 1,023.64 = 1,604.36; 186.92 is left
    const partly = [inst(2, "1021.43", "582.93", "0.00", "395.64"), due[1]!];
    expect(formatMoney(amountDue(partly))).toBe("2813.08");
    const a = allocate(partly, m("3000.00"));
    expect(a.payments.map((p) => [p.number, formatMoney(p.principal), formatMoney(p.interest), p.settled])).toEqual([
      [2, "1021.43", "187.29", true],
      [3, "1023.64", "580.72", true],
    ]);
    expect(formatMoney(a.left)).toBe("186.92");
  });
});

describe("the pool's liquidity level 个贷率", () => {
  const thresholds = { warningRatio: m("0.85"), alarmRatio: m("0.95") };
  it("is NORMAL below 85 %, WARNING from 85 %, ALARM from 95 % (compared exactly)", () => {
    expect(liquidityLevel(m("84.99"), m("100.00"), thresholds)).toBe("NORMAL");
    expect(liquidityLevel(m("85.00"), m("100.00"), thresholds)).toBe("WARNING");
    expect(liquidityLevel(m("94.99"), m("100.00"), thresholds)).toBe("WARNING");
    expect(liquidityLevel(m("95.00"), m("100.00"), thresholds)).toBe("ALARM");
  });
  it("is ALARM with loans and no deposits, NORMAL with neither", () => {
    expect(liquidityLevel(m("1.00"), m("0.00"), thresholds)).toBe("ALARM");
    expect(liquidityLevel(m("0.00"), m("0.00"), thresholds)).toBe("NORMAL");
  });
});
