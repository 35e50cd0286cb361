// Who may read the pilot metrics, which windows they may ask for, and that no person is reachable from them.
import { getNamedType, type GraphQLNamedType, isObjectType } from "graphql";

import { Role } from "../../../src/auth/role";
import { buildBareSchema } from "../../../src/graphql/build-schema";
import { PILOT_METRICS } from "../../factories/metrics";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

const ask = (vars: Record<string, unknown>, as: `${Role}` | null = "LEADERSHIP") => t.gql(PILOT_METRICS, vars, { as });

/** Every type reachable from a type's fields (the type included). */
function reachable(type: GraphQLNamedType, seen = new Set<string>()): Set<string> {
  if (seen.has(type.name)) return seen;
  seen.add(type.name);
  if (isObjectType(type))
    for (const field of Object.values(type.getFields())) reachable(getNamedType(field.type), seen);
  return seen;
}

describe("pilotMetrics access and input", () => {
  it("lets LEADERSHIP and CENTER_ADMIN read the metrics", async () => {
    for (const role of ["LEADERSHIP", "CENTER_ADMIN"] as const) {
      const res = await ask({ from: "2026-07", to: "2027-06" }, role);
      expect([role, errorCodes(res), res.body.data?.pilotMetrics]).toEqual([
        role,
        [],
        expect.objectContaining({ from: "2026-07", to: "2027-06" }),
      ]);
    }
  });

  it("refuses every other role with FORBIDDEN and an anonymous caller with UNAUTHENTICATED", async () => {
    const others = Object.values(Role).filter((r) => r !== Role.LEADERSHIP && r !== Role.CENTER_ADMIN);
    expect(others).toHaveLength(6);
    for (const role of others) {
      const res = await ask({ from: "2026-07", to: "2026-07" }, role);
      expect([role, errorCodes(res), res.body.data?.pilotMetrics ?? null]).toEqual([role, ["FORBIDDEN"], null]);
    }
    expect(errorCodes(await ask({ from: "2026-07", to: "2026-07" }, null))).toEqual(["UNAUTHENTICATED"]);
  });

  it("refuses a window whose start is after its end", async () => {
    expect(errorCodes(await ask({ from: "2026-08", to: "2026-07" }))).toEqual(["BAD_USER_INPUT"]);
  });

  it("refuses a window of 121 months and accepts one of 120", async () => {
    expect(errorCodes(await ask({ from: "2017-01", to: "2027-01" }))).toEqual(["BAD_USER_INPUT"]);
    const longest = await ask({ from: "2017-02", to: "2027-01" });
    expect(errorCodes(longest)).toEqual([]);
    expect((longest.body.data as { pilotMetrics: { monthly: unknown[] } }).pilotMetrics.monthly).toHaveLength(120);
  });

  it("refuses invalid months and a county code that is not six digits", async () => {
    for (const vars of [
      { from: "2026-13", to: "2026-12" },
      { from: "2026-1", to: "2026-12" },
      { from: "2026-07", to: "2026-07", countyCode: "abc" },
    ]) {
      expect([vars, errorCodes(await ask(vars))]).toEqual([vars, ["BAD_USER_INPUT"]]);
    }
  });

  it("reaches no person type from its answer", () => {
    const types = reachable(buildBareSchema().getType("PilotMetrics")!);
    expect([...types].sort()).toEqual([
      "Boolean", // suppressed
      "Int",
      "LiquidityLevel", // an enum: NORMAL / WARNING / ALARM
      "MetricGroup",
      "MetricPoint",
      "Money",
      "PilotMetrics",
      "String",
      "YearMonth",
    ]);
  });
});
