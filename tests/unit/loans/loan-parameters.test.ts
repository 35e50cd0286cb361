import { PARAMETER_CATALOG } from "../../../src/domain/policy/parameter-catalog";
import { loanQuotaParameters } from "../../../src/services/loans/loan-parameters";
import { type ParameterRow, ParametersOn } from "../../../src/services/policy/policy-parameters.service";

/** The catalog's defaults as the rows in force on a date. */
function defaultsOn(date: string): ParametersOn {
  const rows = new Map<string, ParameterRow>(
    PARAMETER_CATALOG.map((p) => [
      p.key,
      {
        key: p.key,
        value: p.defaultValue,
        unit: p.unit,
        effectiveFrom: p.effectiveFrom,
        source: p.source,
        recordedAt: new Date(0),
      },
    ]),
  );
  return new ParametersOn(date, rows);
}

describe("the loan parameters in force", () => {
  it("reads every loan quota parameter from the catalog's defaults (domain.md figures)", () => {
    const p = loanQuotaParameters(defaultsOn("2026-12-01"));
    const text = (d: { toFixed(n?: number): string }) => d.toFixed();
    expect({
      minPaidMonths: p.minPaidMonths,
      balanceMultiple: text(p.balanceMultiple),
      balanceFloor: text(p.balanceFloor),
      durationFactors: p.durationFactors.map((s) => `${text(s.from)}:${text(s.factor)}`),
      stabilityFactors: p.stabilityFactors.map((s) => `${text(s.from)}:${text(s.factor)}`),
      creditFactorClean: text(p.creditFactorClean),
      creditFactorMinorOverdue: text(p.creditFactorMinorOverdue),
      maxAmount: text(p.maxAmount),
      repaymentIncomeRatio: text(p.repaymentIncomeRatio),
      housePriceRatio: text(p.housePriceRatio),
      maxTermYears: p.maxTermYears,
      maxEndAgeMale: p.maxEndAgeMale,
      maxEndAgeFemale: p.maxEndAgeFemale,
      firstHomeRates: [text(p.firstHomeRates.upTo5Years), text(p.firstHomeRates.over5Years)],
      secondHomeRates: [text(p.secondHomeRates.upTo5Years), text(p.secondHomeRates.over5Years)],
      roundingUnit: text(p.roundingUnit),
    }).toEqual({
      minPaidMonths: 6,
      balanceMultiple: "25",
      balanceFloor: "0",
      durationFactors: ["6:0.6", "12:0.8", "24:0.9", "36:1"],
      stabilityFactors: ["0:0.8", "0.75:0.9", "1:1"],
      creditFactorClean: "1",
      creditFactorMinorOverdue: "0.8",
      maxAmount: "1100000",
      repaymentIncomeRatio: "0.6",
      housePriceRatio: "0.8",
      maxTermYears: 30,
      maxEndAgeMale: 68,
      maxEndAgeFemale: 63,
      firstHomeRates: ["0.021", "0.026"],
      secondHomeRates: ["0.02525", "0.03075"],
      roundingUnit: "1000",
    });
  });
});
