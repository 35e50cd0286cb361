import { PARAMETER_CATALOG } from "../../../src/domain/policy/parameter-catalog";
import { activePayment, ENROL, enrolInput, key, RECORD } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

type Parameter = { key: string; value: string; unit: string | null; effectiveFrom: string; source: string | null };
type UserErrorView = { code: string; field: string | null; message: string };
type SetResult = { setPolicyParameter: { parameter: Parameter | null; userErrors: UserErrorView[] } };

const PARAMETERS = `query Parameters($asOf: Date!) { policyParameters(asOf: $asOf) { key value unit effectiveFrom source } }`;
const SET = `mutation Set($input: SetPolicyParameterInput!) {
  setPolicyParameter(input: $input) { parameter { key value unit effectiveFrom source } userErrors { code field message } }
}`;

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

type Role = NonNullable<Parameters<TestHub["gql"]>[2]>["as"];
const parametersOn = (asOf: string, as: Role = "CENTER_OPERATOR") =>
  t.gql<{ policyParameters: Parameter[] }>(PARAMETERS, { asOf }, { as });
async function valueOn(asOf: string, parameterKey: string): Promise<string | undefined> {
  const res = await parametersOn(asOf);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.policyParameters.find((p) => p.key === parameterKey)?.value;
}
const setParameter = (input: Record<string, unknown>, as: Role = "CENTER_ADMIN") =>
  t.gql<SetResult>(SET, { input: { source: "integration test", idempotencyKey: key("param"), ...input } }, { as });
const parameterRows = () => t.hub.db.prisma.policyParameter.count();

describe("policyParameters", () => {
  it("lists every catalogued parameter with its 2026 default", async () => {
    const res = await parametersOn("2026-07-01");
    expect(res.body.errors).toBeUndefined();
    const listed = res.body.data!.policyParameters;
    expect(listed.map((p) => p.key).sort()).toEqual(PARAMETER_CATALOG.map((p) => p.key).sort());
    for (const definition of PARAMETER_CATALOG) {
      expect(listed.find((p) => p.key === definition.key)).toEqual({
        key: definition.key,
        value: definition.defaultValue,
        unit: definition.unit,
        effectiveFrom: definition.effectiveFrom,
        source: definition.source,
      });
    }
    const byKey = Object.fromEntries(listed.map((p) => [p.key, p.value]));
    expect(byKey).toMatchObject({
      "deposit.monthlyMin": "216.00",
      "deposit.monthlyMax": "5804.00",
      "deposit.backPayWithinSettlementYear": "true",
      "interest.annualRate": "0.015",
      "loan.maxAmount": "1100000.00",
      "tax.baseCap": "24183.00",
      "tax.deductibleRatio": "0.24",
      "relativesTransfer.enabled": "false",
    });
  });

  it("lists only the parameters already in force on the date asked", async () => {
    const dayBefore = (date: string) =>
      new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const starts = [...new Set(PARAMETER_CATALOG.map((p) => p.effectiveFrom))].sort();
    for (const asOf of [dayBefore(starts[0]!), ...starts.flatMap((s) => [dayBefore(s), s])]) {
      const res = await parametersOn(asOf);
      const expected = PARAMETER_CATALOG.filter((p) => p.effectiveFrom <= asOf)
        .map((p) => p.key)
        .sort();
      expect([asOf, res.body.data!.policyParameters.map((p) => p.key).sort()]).toEqual([asOf, expected]);
    }
    expect((await parametersOn(dayBefore(starts[0]!))).body.data!.policyParameters).toEqual([]);
  });

  it("rejects a malformed date with BAD_USER_INPUT", async () => {
    expect(errorCodes(await parametersOn("2026-02-30"))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await parametersOn("2026/07/01"))).toEqual(["BAD_USER_INPUT"]);
  });

  it("is readable by center staff only", async () => {
    expect(errorCodes(await parametersOn("2026-07-01", "CENTER_ADMIN"))).toEqual([]);
    for (const as of ["TAX_BUREAU", "HOUSING_BUREAU", "FINANCE_BUREAU", "LEADERSHIP", "AUDITOR", "WORKER"] as const) {
      const res = await parametersOn("2026-07-01", as);
      expect([as, errorCodes(res)]).toEqual([as, ["FORBIDDEN"]]);
      expect(res.body.data?.policyParameters ?? null).toBeNull();
    }
    expect(errorCodes(await parametersOn("2026-07-01", null))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("setPolicyParameter", () => {
  it("changes a value only from its effective date on", async () => {
    const inForceBefore = await valueOn("2040-06-30", "deposit.monthlyMax");
    const res = await setParameter({
      key: "deposit.monthlyMax",
      value: "3000.00",
      effectiveFrom: "2040-07-01",
      source: "2040年度上限（测试）",
    });
    expect(res.body.data!.setPolicyParameter).toEqual({
      parameter: {
        key: "deposit.monthlyMax",
        value: "3000.00",
        unit: "CNY",
        effectiveFrom: "2040-07-01",
        source: "2040年度上限（测试）",
      },
      userErrors: [],
    });
    expect(await valueOn("2026-07-01", "deposit.monthlyMax")).toBe("5804.00");
    expect(await valueOn("2040-06-30", "deposit.monthlyMax")).toBe(inForceBefore);
    expect(await valueOn("2040-07-01", "deposit.monthlyMax")).toBe("3000.00");
    expect(await valueOn("2045-01-01", "deposit.monthlyMax")).toBe("3000.00");
    expect(await valueOn("2040-07-01", "deposit.monthlyMin")).toBe("216.00");
  });

  it("refuses a deposit above the new ceiling only on the dates it applies to", async () => {
    const set = await setParameter({ key: "deposit.monthlyMax", value: "3500.00", effectiveFrom: "2029-07-01" });
    expect(set.body.data!.setPolicyParameter.userErrors).toEqual([]);
    const enrol = await t.gql<{
      enrollWorker: { account: { accountNumber: string } | null; userErrors: UserErrorView[] };
    }>(ENROL, { input: enrolInput({ enrolledOn: "2029-05-10" }) });
    expect(enrol.body.data!.enrollWorker.userErrors).toEqual([]);
    const accountNumber = enrol.body.data!.enrollWorker.account!.accountNumber;
    const deposit = (period: string, amount: string) =>
      t.gql<{ recordDeposit: { userErrors: UserErrorView[] } }>(RECORD, {
        input: activePayment(accountNumber, period, amount),
      });
    expect((await deposit("2029-06", "4000.00")).body.data!.recordDeposit.userErrors).toEqual([]);
    const refused = await deposit("2029-07", "3500.01");
    expect(refused.body.data!.recordDeposit.userErrors).toEqual([
      expect.objectContaining({
        code: "AMOUNT_ABOVE_MAXIMUM",
        field: "amount",
        message: expect.stringContaining("3500.00"),
      }),
    ]);
    expect((await deposit("2029-07", "3500.00")).body.data!.recordDeposit.userErrors).toEqual([]);
  });

  it("lets the latest recorded value win for the same effective date", async () => {
    for (const value of ["0.016", "0.0175"]) {
      expect(
        (await setParameter({ key: "interest.annualRate", value, effectiveFrom: "2030-07-01" })).body.data!
          .setPolicyParameter.userErrors,
      ).toEqual([]);
    }
    expect(await valueOn("2030-06-30", "interest.annualRate")).toBe("0.015");
    expect(await valueOn("2030-07-01", "interest.annualRate")).toBe("0.0175");
  });

  it("refuses an unknown key or a badly shaped value and writes nothing", async () => {
    const before = await parameterRows();
    const unknown = await setParameter({
      key: "deposit.monthlyMaximum",
      value: "3000.00",
      effectiveFrom: "2028-07-01",
    });
    expect(unknown.body.data!.setPolicyParameter).toEqual({
      parameter: null,
      userErrors: [expect.objectContaining({ code: "UNKNOWN_PARAMETER", field: "key" })],
    });
    for (const [parameterKey, value] of [
      ["deposit.monthlyMax", "3000"],
      ["deposit.monthlyMax", "-3000.00"],
      ["deposit.monthlyMax", "3e3"],
      ["deposit.backPayWithinSettlementYear", "yes"],
      ["loan.minPaidMonths", "6.5"],
      ["retirement.male.reformStartBirthMonth", "1965-13"],
      ["enrolment.countyCodes", "140502, 140521"],
    ] as const) {
      const res = await setParameter({ key: parameterKey, value, effectiveFrom: "2028-07-01" });
      expect([parameterKey, value, res.body.data!.setPolicyParameter]).toEqual([
        parameterKey,
        value,
        { parameter: null, userErrors: [expect.objectContaining({ code: "INVALID_PARAMETER_VALUE", field: "value" })] },
      ]);
    }
    expect(
      errorCodes(await setParameter({ key: "deposit.monthlyMax", value: "3000.00", effectiveFrom: "2028-02-30" })),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(
      errorCodes(
        await setParameter({
          key: "deposit.monthlyMax",
          value: "3000.00",
          effectiveFrom: "2028-07-01",
          source: "x".repeat(501),
        }),
      ),
    ).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await setParameter({ key: "k".repeat(101), value: "1", effectiveFrom: "2028-07-01" }))).toEqual([
      "BAD_USER_INPUT",
    ]);
    expect(await parameterRows()).toBe(before);
  });

  it("returns the first result for a replayed key and refuses the key with another input", async () => {
    const input = {
      key: "loan.maxAmount",
      value: "1200000.00",
      effectiveFrom: "2032-01-01",
      source: "replay",
      idempotencyKey: key("param"),
    };
    const first = await setParameter(input);
    expect(first.body.data!.setPolicyParameter.userErrors).toEqual([]);
    const before = await parameterRows();
    const second = await setParameter(input);
    expect(second.body.data!.setPolicyParameter).toEqual(first.body.data!.setPolicyParameter);
    expect(await parameterRows()).toBe(before);
    const reused = await setParameter({ ...input, value: "1300000.00" });
    expect(reused.body.data!.setPolicyParameter).toEqual({
      parameter: null,
      userErrors: [expect.objectContaining({ code: "IDEMPOTENCY_KEY_REUSED" })],
    });
    expect(await parameterRows()).toBe(before);
    expect(await valueOn("2032-01-01", "loan.maxAmount")).toBe("1200000.00");
  });

  it("is refused for a center operator, a worker, an agency and an anonymous caller", async () => {
    const before = await parameterRows();
    const input = { key: "deposit.monthlyMin", value: "1.00", effectiveFrom: "2026-07-01" };
    for (const as of ["CENTER_OPERATOR", "WORKER", "TAX_BUREAU", "LEADERSHIP"] as const) {
      const res = await setParameter(input, as);
      expect([as, errorCodes(res)]).toEqual([as, ["FORBIDDEN"]]);
      expect(res.body.data?.setPolicyParameter ?? null).toBeNull();
    }
    expect(errorCodes(await setParameter(input, null))).toEqual(["UNAUTHENTICATED"]);
    expect(await parameterRows()).toBe(before);
    expect(await valueOn("2026-07-01", "deposit.monthlyMin")).toBe("216.00");
  });
});

describe("setPolicyParameter consistency", () => {
  it("refuses a deposit floor above the ceiling in force on its effective date, and writes nothing", async () => {
    const before = await t.hub.db.prisma.policyParameter.count();
    const res = await t.gql<{ setPolicyParameter: { parameter: unknown; userErrors: { code: string }[] } }>(
      `mutation($input: SetPolicyParameterInput!) { setPolicyParameter(input: $input) { parameter { key } userErrors { code } } }`,
      {
        input: {
          key: "deposit.monthlyMin",
          value: "6000.00",
          effectiveFrom: "2027-07-01",
          idempotencyKey: "limits-floor-above-ceiling",
        },
      },
      { as: "CENTER_ADMIN" },
    );
    expect(res.body.data!.setPolicyParameter).toEqual({
      parameter: null,
      userErrors: [{ code: "LIMITS_INCONSISTENT" }],
    });
    expect(await t.hub.db.prisma.policyParameter.count()).toBe(before);
  });
});
