import { monthRange } from "../../../src/domain/calendar/calendar";
import { formatMoney, Money, type MoneyValue } from "../../../src/domain/money/money";
import {
  type DeductionParameters,
  deductionParametersNeededFrom,
  monthlyDeductionCap,
  type PaidMonth,
  taxDeduction,
} from "../../../src/domain/tax/tax-deduction.rule";

const DEFAULTS: DeductionParameters = { baseCap: new Money("24183.00"), deductibleRatio: new Money("0.24") };
const always = (p: DeductionParameters) => () => p;

const paid = (period: string, amount: string, paidOn: string): PaidMonth => ({
  period,
  amount: new Money(amount),
  paidOn,
});
const text = (d: MoneyValue) => formatMoney(d);

function printed(
  taxYear: number,
  months: PaidMonth[],
  parametersOn: (paidOn: string) => DeductionParameters = always(DEFAULTS),
) {
  const result = taxDeduction(taxYear, months, parametersOn);
  return {
    paidAmount: text(result.paidAmount),
    deductibleAmount: text(result.deductibleAmount),
    months: result.months.map((m) => [m.period, text(m.paid), text(m.deductible)]),
  };
}

describe("the income-tax deduction rule", () => {
  it("caps a month at 24 % of the 24,183.00 base cap, so a 5,804.00 payment deducts 5,803.92", () => {
    expect(text(monthlyDeductionCap(DEFAULTS))).toBe("5803.92");
    expect(printed(2026, [paid("2026-03", "5804.00", "2026-03-10")])).toEqual({
      paidAmount: "5804.00",
      deductibleAmount: "5803.92",
      months: [["2026-03", "5804.00", "5803.92"]],
    });
  });

  it("caps one shared amount by the parameters in force on each payment date", () => {
    // One shared 6,000.00 (as a page's reader shares equal amounts): above the 5,803.92 cap until 2026-06-30, above
    // 12 % x 24,183.00 = 2,901.96 from 2026-07-01, and below a 30,000.00 base cap's 7,200.00 for 2027.
    const amount = new Money("6000.00");
    const half: DeductionParameters = { baseCap: new Money("24183.00"), deductibleRatio: new Money("0.12") };
    const high: DeductionParameters = { baseCap: new Money("30000.00"), deductibleRatio: new Money("0.24") };
    const byDate = (paidOn: string) => (paidOn < "2026-07-01" ? DEFAULTS : paidOn < "2027-01-01" ? half : high);
    const months = ["2026-05", "2026-07", "2026-06", "2026-08"].map((period) => ({
      period,
      amount,
      paidOn: `${period}-10`,
    }));
    expect(printed(2026, months, byDate)).toEqual({
      paidAmount: "24000.00",
      deductibleAmount: "17411.76", // 2 x 5,803.92 + 2 x 2,901.96
      months: [
        ["2026-05", "6000.00", "5803.92"],
        ["2026-06", "6000.00", "5803.92"],
        ["2026-07", "6000.00", "2901.96"],
        ["2026-08", "6000.00", "2901.96"],
      ],
    });
    expect(printed(2027, [{ period: "2027-01", amount, paidOn: "2027-01-10" }], byDate).deductibleAmount).toBe(
      "6000.00",
    );
  });

  it("deducts a payment below the cap in full", () => {
    expect(printed(2026, [paid("2026-03", "1000.00", "2026-03-10"), paid("2026-04", "5803.92", "2026-04-10")])).toEqual(
      {
        paidAmount: "6803.92",
        deductibleAmount: "6803.92",
        months: [
          ["2026-03", "1000.00", "1000.00"],
          ["2026-04", "5803.92", "5803.92"],
        ],
      },
    );
  });

  it("caps a lump sum month by month and counts all of it in the tax year it was paid in", () => {
    const lump = monthRange("2026-07", "2027-06").map((period) => paid(period, "5804.00", "2026-07-10"));
    const result = printed(2026, lump);
    expect(result.paidAmount).toBe("69648.00"); // 12 × 5,804.00
    expect(result.deductibleAmount).toBe("69647.04"); // 12 × 5,803.92
    expect(result.months).toHaveLength(12);
    expect(result.months[0]).toEqual(["2026-07", "5804.00", "5803.92"]);
    expect(result.months[11]).toEqual(["2027-06", "5804.00", "5803.92"]);
    expect(printed(2027, lump)).toEqual({ paidAmount: "0.00", deductibleAmount: "0.00", months: [] });
  });

  it("counts a payment made in January for December in the tax year of the payment", () => {
    const months = [paid("2025-12", "3000.00", "2026-01-08"), paid("2025-11", "3000.00", "2025-11-10")];
    expect(printed(2026, months)).toEqual({
      paidAmount: "3000.00",
      deductibleAmount: "3000.00",
      months: [["2025-12", "3000.00", "3000.00"]],
    });
    expect(printed(2025, months)).toEqual({
      paidAmount: "3000.00",
      deductibleAmount: "3000.00",
      months: [["2025-11", "3000.00", "3000.00"]],
    });
  });

  it("gives zero for a tax year without payments", () => {
    expect(printed(2024, [paid("2026-03", "5804.00", "2026-03-10")])).toEqual({
      paidAmount: "0.00",
      deductibleAmount: "0.00",
      months: [],
    });
    expect(printed(2026, [])).toEqual({ paidAmount: "0.00", deductibleAmount: "0.00", months: [] });
  });

  it("caps at 12 % of the base cap (2,901.96) when the tax bureau sets 12 %", () => {
    const twelve = always({ ...DEFAULTS, deductibleRatio: new Money("0.12") });
    expect(
      printed(2026, [paid("2026-03", "3000.00", "2026-03-10"), paid("2026-04", "2000.00", "2026-04-10")], twelve),
    ).toEqual({
      paidAmount: "5000.00",
      deductibleAmount: "4901.96",
      months: [
        ["2026-03", "3000.00", "2901.96"],
        ["2026-04", "2000.00", "2000.00"],
      ],
    });
  });

  it("uses the parameters in force on each payment date", () => {
    const byDate = (paidOn: string) =>
      paidOn < "2026-07-01" ? DEFAULTS : { ...DEFAULTS, deductibleRatio: new Money("0.12") };
    const months = [paid("2026-06", "5804.00", "2026-06-30"), paid("2026-07", "5804.00", "2026-07-01")];
    expect(printed(2026, months, byDate).months).toEqual([
      ["2026-06", "5804.00", "5803.92"],
      ["2026-07", "5804.00", "2901.96"],
    ]);
  });

  it("rounds the cap half-up to the fen", () => {
    const odd = always({ baseCap: new Money("10000.01"), deductibleRatio: new Money("0.5") }); // 5,000.005
    expect(printed(2026, [paid("2026-03", "5804.00", "2026-03-10")], odd).months).toEqual([
      ["2026-03", "5804.00", "5000.01"],
    ]);
  });

  it("treats a month credited twice in the year as one month capped once", () => {
    const months = [paid("2026-03", "4000.00", "2026-03-20"), paid("2026-03", "4000.00", "2026-03-05")];
    expect(printed(2026, months)).toEqual({
      paidAmount: "8000.00",
      deductibleAmount: "5803.92",
      months: [["2026-03", "8000.00", "5803.92"]],
    });
  });

  it("lists the months in calendar order whatever the input order", () => {
    const months = [
      paid("2026-02", "500.00", "2026-02-10"),
      paid("2025-12", "500.00", "2026-01-05"),
      paid("2026-01", "500.00", "2026-01-10"),
    ];
    expect(printed(2026, months).months.map(([period]) => period)).toEqual(["2025-12", "2026-01", "2026-02"]);
  });

  it("needs parameters from the pilot's start in the year it began, from 1 January in every other year", () => {
    expect(deductionParametersNeededFrom(2023, "2023-07-01")).toBe("2023-07-01");
    expect(deductionParametersNeededFrom(2024, "2023-07-01")).toBe("2024-01-01");
    expect(deductionParametersNeededFrom(2022, "2023-07-01")).toBe("2022-01-01"); // ended before the pilot
    expect(deductionParametersNeededFrom(2023, "2023-01-01")).toBe("2023-01-01");
  });

  it("deducts 1,000.00 paid on 2023-08-10 in full with the parameters in force from the pilot's start", () => {
    const fromPilotStart = (paidOn: string) => {
      if (paidOn < "2023-07-01") throw new Error(`no parameters asked before the pilot: ${paidOn}`);
      return DEFAULTS;
    };
    expect(printed(2023, [paid("2023-08", "1000.00", "2023-08-10")], fromPilotStart)).toEqual({
      paidAmount: "1000.00",
      deductibleAmount: "1000.00",
      months: [["2023-08", "1000.00", "1000.00"]],
    });
  });
});
