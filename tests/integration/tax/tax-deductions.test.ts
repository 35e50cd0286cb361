// taxDeductions over HTTP, with hand-computed figures. The defaults give a monthly cap of 24 % × 24,183.00 = 5,803.92
// (the 2026 figure, applied from the pilot start until the center records earlier years); this file records a 2025 base cap of 23,000.00 (cap 24 % × 23,000.00 = 5,520.00) and a 12 % ratio
// from 2027-01-01 (cap 12 % × 24,183.00 = 2,901.96), as the center would through setPolicyParameter.
import { monthRange } from "../../../src/domain/calendar/calendar";
import {
  enrolWorker,
  payLump,
  payMonth,
  TAX_DEDUCTIONS,
  type TaxDeductionView,
  unknownIdNumbers,
  type Worker,
} from "../../factories/agency-exchange";
import { key } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
let december: Worker; // monthly payments in 2025, 2026 (one of them for 2025-12, paid in January) and 2027
let lump: Worker;
let idle: Worker;
let pilot2023: Worker; // one month paid in the pilot's first half year

const SET_PARAMETER = `mutation P($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { userErrors { code } } }`;

async function setParameter(keyName: string, value: string, effectiveFrom: string): Promise<void> {
  const input = { key: keyName, value, effectiveFrom, source: "tax deduction test", idempotencyKey: key("param") };
  const res = await t.gql<{ setPolicyParameter: { userErrors: unknown[] } }>(
    SET_PARAMETER,
    { input },
    { as: "CENTER_ADMIN" },
  );
  expect(res.body.data!.setPolicyParameter.userErrors).toEqual([]);
}

async function deductions(taxYear: number, idNumbers: string[]): Promise<TaxDeductionView[]> {
  const res = await t.gql<{ taxDeductions: TaxDeductionView[] }>(
    TAX_DEDUCTIONS,
    { taxYear, idNumbers },
    { as: "TAX_BUREAU" },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.taxDeductions;
}

const zero = (idNumber: string, taxYear: number): TaxDeductionView => ({
  idNumber,
  taxYear,
  paidAmount: "0.00",
  deductibleAmount: "0.00",
  months: [],
});

beforeAll(async () => {
  t = await startTestHub();
  await setParameter("tax.baseCap", "23000.00", "2025-01-01");
  await setParameter("tax.baseCap", "24183.00", "2026-01-01"); // the center records each year's cap
  await setParameter("tax.deductibleRatio", "0.12", "2027-01-01");
  december = await enrolWorker(t, { enrolledOn: "2025-11-03", monthlyAmount: "5804.00" });
  await payMonth(t, december.accountNumber, "2025-11", "5804.00", "2025-11-10");
  await payMonth(t, december.accountNumber, "2025-12", "5804.00", "2026-01-08"); // back payment in January
  await payMonth(t, december.accountNumber, "2026-01", "5804.00", "2026-01-10");
  await payMonth(t, december.accountNumber, "2026-02", "1000.00", "2026-02-10");
  await payMonth(t, december.accountNumber, "2027-01", "5804.00", "2027-01-10");
  lump = await enrolWorker(t, { enrolledOn: "2026-07-01", monthlyAmount: "5804.00", mode: "LUMP_SUM" });
  await payLump(t, lump.accountNumber, 2026, "69648.00", "2026-07-10"); // 12 × 5,804.00 for 2026-07 .. 2027-06
  idle = await enrolWorker(t, { enrolledOn: "2026-07-15" });
  pilot2023 = await enrolWorker(t, { enrolledOn: "2023-08-01", monthlyAmount: "1000.00" });
  await payMonth(t, pilot2023.accountNumber, "2023-08", "1000.00", "2023-08-10");
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("taxDeductions", () => {
  it("caps each month at 5,803.92 and counts a January payment for December in the payment's year", async () => {
    expect(await deductions(2026, [december.idNumber])).toEqual([
      {
        idNumber: december.idNumber,
        taxYear: 2026,
        paidAmount: "12608.00", // 5,804.00 + 5,804.00 + 1,000.00
        deductibleAmount: "12607.84", // 5,803.92 + 5,803.92 + 1,000.00
        months: [
          { period: "2025-12", paid: "5804.00", deductible: "5803.92" },
          { period: "2026-01", paid: "5804.00", deductible: "5803.92" },
          { period: "2026-02", paid: "1000.00", deductible: "1000.00" },
        ],
      },
    ]);
  });

  it("uses the base cap in force on the payment date (23,000.00 in 2025: cap 5,520.00)", async () => {
    expect(await deductions(2025, [december.idNumber])).toEqual([
      {
        idNumber: december.idNumber,
        taxYear: 2025,
        paidAmount: "5804.00",
        deductibleAmount: "5520.00",
        months: [{ period: "2025-11", paid: "5804.00", deductible: "5520.00" }],
      },
    ]);
  });

  it("caps at 12 % of the base cap (2,901.96) once the ratio is set to 12 %", async () => {
    expect(await deductions(2027, [december.idNumber])).toEqual([
      {
        idNumber: december.idNumber,
        taxYear: 2027,
        paidAmount: "5804.00",
        deductibleAmount: "2901.96",
        months: [{ period: "2027-01", paid: "5804.00", deductible: "2901.96" }],
      },
    ]);
  });

  it("caps a lump sum month by month, all of it in the tax year it was paid in", async () => {
    const [answer] = await deductions(2026, [lump.idNumber]);
    expect(answer).toMatchObject({ paidAmount: "69648.00", deductibleAmount: "69647.04" }); // 12 × 5,804.00; 12 × 5,803.92
    expect(answer!.months).toEqual(
      monthRange("2026-07", "2027-06").map((period) => ({ period, paid: "5804.00", deductible: "5803.92" })),
    );
    expect(await deductions(2027, [lump.idNumber])).toEqual([zero(lump.idNumber, 2027)]);
  });

  it("gives zero for a tax year without payments, and the same for an unknown person", async () => {
    const [stranger] = unknownIdNumbers(1);
    const answers = await deductions(2026, [idle.idNumber, stranger!]);
    expect(answers).toEqual([zero(idle.idNumber, 2026), zero(stranger!, 2026)]);
  });

  it("answers in the order asked, a duplicate as often as it is asked", async () => {
    const [stranger] = unknownIdNumbers(1);
    const asked = [lump.idNumber, stranger!, december.idNumber, lump.idNumber];
    const answers = await deductions(2026, asked);
    expect(answers.map((a) => a.idNumber)).toEqual(asked);
    expect(answers.map((a) => a.deductibleAmount)).toEqual(["69647.04", "0.00", "12607.84", "69647.04"]);
  });

  it("answers an empty list with an empty list and 500 ID numbers in one call", async () => {
    expect(await deductions(2026, [])).toEqual([]);
    const many = [...unknownIdNumbers(499), december.idNumber];
    const answers = await deductions(2026, many);
    expect(answers).toHaveLength(500);
    expect(answers[499]!.deductibleAmount).toBe("12607.84");
  });

  it("refuses 501 ID numbers with BAD_USER_INPUT", async () => {
    const res = await t.gql(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: unknownIdNumbers(501) }, { as: "TAX_BUREAU" });
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data ?? null).toBeNull();
  });

  it("answers 2023, the pilot's first year, though no base cap is in force on 1 January 2023", async () => {
    // The defaults apply from the pilot's start (2023-07-01); 1,000.00 is below the cap 5,803.92, so all of it counts.
    expect(await deductions(2023, [pilot2023.idNumber])).toEqual([
      {
        idNumber: pilot2023.idNumber,
        taxYear: 2023,
        paidAmount: "1000.00",
        deductibleAmount: "1000.00",
        months: [{ period: "2023-08", paid: "1000.00", deductible: "1000.00" }],
      },
    ]);
    expect(await deductions(2023, [december.idNumber])).toEqual([zero(december.idNumber, 2023)]);
  });

  it("refuses a tax year with no base cap in force rather than guess one", async () => {
    // The defaults apply from the pilot's start (2023-07-01): 2022 has no cap in force on 1 January.
    const res = await t.gql(TAX_DEDUCTIONS, { taxYear: 2022, idNumbers: [december.idNumber] }, { as: "TAX_BUREAU" });
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses an ID number with a wrong check character with BAD_USER_INPUT", async () => {
    const wrong = december.idNumber.slice(0, 17) + (december.idNumber.endsWith("1") ? "2" : "1");
    const res = await t.gql(TAX_DEDUCTIONS, { taxYear: 2026, idNumbers: [wrong] }, { as: "TAX_BUREAU" });
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
  });
});
