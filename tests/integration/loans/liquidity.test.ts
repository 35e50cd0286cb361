// Liquidity 个贷率 of the flexible pool at application: outstanding principal (disbursed loans) plus the amount asked,
// over the pool's deposits balance, against the thresholds in force on appliedOn (at or above the warning: approved
// with LIQUIDITY_WARNING; at or above the alarm: refused with LIQUIDITY_ALARM); and pilotMetrics.liquidityLevel at the
// end of a window against the thresholds in force on its last day.
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { enrolWorker, payMonthsOnDay, type Worker } from "../../factories/agency-exchange";
import { applicationInput, apply, disburse, setLiquidity } from "../../factories/loans";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
/** Each 1,000.00 a month for 2025-07 .. 2026-10: 16,000.00; the pool holds 48,000.00. Quota 288,000.00 each. */
let one: Worker;
let two: Worker;
let three: Worker;

async function depositor(born: string, serial: number): Promise<Worker> {
  const w = await enrolWorker(t, { idNumber: makeIdNumber("140502", born, serial), enrolledOn: "2025-07-01" });
  await payMonthsOnDay(t, w.accountNumber, monthRange("2025-07", "2026-10"), "1000.00");
  return w;
}

beforeAll(async () => {
  t = await startTestHub();
  await setMinimumCellSize(t, 1);
  // A tiny pool: thresholds as ratios of 5 (warning) and 10 (alarm) until 2026-12-31; 2.5 and 3 from 2027-01-01.
  await setLiquidity(t, "5", "10", "2023-07-01");
  await setLiquidity(t, "2.5", "3", "2027-01-01");
  one = await depositor("1990-05-15", 13);
  two = await depositor("1989-03-03", 23);
  three = await depositor("1987-09-09", 33);
}, 300_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
  await t.close();
});

describe("liquidity at application", () => {
  it("approves below the warning threshold without a warning", async () => {
    // (0 outstanding + 100,000.00) / 48,000.00 = 2.083… < 5
    const res = await apply(t, applicationInput(one.accountNumber, { amount: "100000.00" }));
    expect(res).toMatchObject({ loan: { status: "APPROVED" }, userErrors: [], warnings: [] });
    await disburse(t, res.loan!.loanNumber, "2026-12-10");
  });

  it("approves at the warning threshold with LIQUIDITY_WARNING", async () => {
    // (100,000.00 outstanding + 140,000.00) / 48,000.00 = 5.0 ≥ 5 (warning), < 10 (alarm)
    const res = await apply(t, applicationInput(two.accountNumber, { amount: "140000.00" }));
    expect(res.loan).toMatchObject({ status: "APPROVED" });
    expect(res.warnings.map((w) => w.code)).toEqual(["LIQUIDITY_WARNING"]);
    await disburse(t, res.loan!.loanNumber, "2026-12-11");
  });

  it("refuses at the alarm threshold with LIQUIDITY_ALARM", async () => {
    // (240,000.00 + 240,000.00) / 48,000.00 = 10.0 ≥ 10
    const res = await apply(t, applicationInput(three.accountNumber, { amount: "240000.00" }));
    expect(res).toMatchObject({ loan: null, userErrors: [{ code: "LIQUIDITY_ALARM" }], warnings: [] });
  });
});

describe("pilotMetrics.liquidityLevel", () => {
  it("is the ratio at the end of the window against the thresholds of the window's last day", async () => {
    // outstanding 240,000.00 / 48,000.00 = 5.0000; 2026-12 (warning 5, alarm 10): WARNING;
    // 2027-01 (warning 2.5, alarm 3): ALARM. Applications: three in 2026-12 (two approved, one refused), none in 2027-01.
    const dec = (await pilotMetrics(t, { from: "2026-12", to: "2026-12" })).body.data!.pilotMetrics;
    expect(dec).toMatchObject({ loanToDepositRatio: "5.0000", liquidityLevel: "WARNING", loanApplications: 3 });
    const jan = (await pilotMetrics(t, { from: "2027-01", to: "2027-01" })).body.data!.pilotMetrics;
    expect(jan).toMatchObject({ loanToDepositRatio: "5.0000", liquidityLevel: "ALARM", loanApplications: 0 });
  });
});
