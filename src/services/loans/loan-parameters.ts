// The loan parameters in force on a date (policy keys `loan.*`), as the loan rules take them.
import { type LoanQuotaParameters, parseFactorTable } from "../../domain/loans/loan-quota.rule";
import type { ParametersOn } from "../policy/policy-parameters.service";

export function loanQuotaParameters(params: ParametersOn): LoanQuotaParameters {
  return {
    minPaidMonths: params.int("loan.minPaidMonths"),
    balanceMultiple: params.decimal("loan.balanceMultiple"),
    balanceFloor: params.money("loan.balanceFloor"),
    durationFactors: parseFactorTable(params.text("loan.durationFactors")),
    stabilityFactors: parseFactorTable(params.text("loan.stabilityFactors")),
    creditFactorClean: params.decimal("loan.creditFactorClean"),
    creditFactorMinorOverdue: params.decimal("loan.creditFactorMinorOverdue"),
    maxAmount: params.money("loan.maxAmount"),
    repaymentIncomeRatio: params.decimal("loan.repaymentIncomeRatio"),
    housePriceRatio: params.decimal("loan.housePriceRatio"),
    maxTermYears: params.int("loan.maxTermYears"),
    maxEndAgeMale: params.int("loan.maxEndAgeMale"),
    maxEndAgeFemale: params.int("loan.maxEndAgeFemale"),
    firstHomeRates: {
      upTo5Years: params.decimal("loan.rateUpTo5Years"),
      over5Years: params.decimal("loan.rateOver5Years"),
    },
    secondHomeRates: {
      upTo5Years: params.decimal("loan.secondHomeRateUpTo5Years"),
      over5Years: params.decimal("loan.secondHomeRateOver5Years"),
    },
    roundingUnit: params.money("loan.quotaRoundingUnit"),
  };
}
