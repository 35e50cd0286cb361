import { planInForce } from "../../../src/domain/deposits/deposit-plan.rule";

describe("planInForce", () => {
  const enrolment = { id: 1n, effectiveFrom: "2026-07-15", amount: "1000.00" };
  const october = { id: 3n, effectiveFrom: "2026-10-01", amount: "1500.00" };
  const julyChange = { id: 2n, effectiveFrom: "2026-07-01", amount: "800.00" };

  it("takes the latest effective month not after the month; the enrolment plan holds in its own month", () => {
    expect(planInForce([enrolment, october], "2026-07")?.amount).toBe("1000.00");
    expect(planInForce([enrolment, october], "2026-09")?.amount).toBe("1000.00");
    expect(planInForce([enrolment, october], "2026-10")?.amount).toBe("1500.00");
    expect(planInForce([enrolment, october], "2027-06")?.amount).toBe("1500.00");
    expect(planInForce([enrolment, october], "2026-06")).toBeNull();
  });

  it("within one month, the plan recorded last wins (a change asked in the enrolment month)", () => {
    expect(planInForce([enrolment, julyChange], "2026-07")?.amount).toBe("800.00");
    expect(planInForce([julyChange, enrolment], "2026-08")?.amount).toBe("800.00");
  });
});
