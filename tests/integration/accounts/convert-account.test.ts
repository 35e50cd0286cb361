// convertAccount over HTTP: flexible -> employer-based -> flexible on one account. Balance, paid months and
// continuity carry over (employer remittances in between count too), the agreement is suspended and a new one
// signed, and the metrics count one conversion and stay exactly equal to a recomputation.
import { checkMetrics } from "../../../src/services/metrics/metrics-check";
import { pilotMetrics, setMinimumCellSize } from "../../factories/metrics";
import { ENROL, enrolInput, key, LUMP, RECORD } from "../../factories/workers";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const CONVERT = `mutation Convert($input: ConvertAccountInput!) {
  convertAccount(input: $input) {
    account { accountNumber kind status balance paidMonths consecutiveMonths paidUpTo }
    userErrors { code field message }
  }
}`;

interface ConvertResult {
  convertAccount: {
    account: { kind: string; status: string; balance: string; paidMonths: number; consecutiveMonths: number } | null;
    userErrors: { code: string; field: string | null }[];
  };
}
interface RecordResult {
  recordDeposit: { account: Record<string, unknown> | null; userErrors: { code: string }[] };
}

let t: TestHub;
let accountNumber: string;

async function deposit(period: string, amount: string, paidOn: string) {
  const input = { accountNumber, period, amount, channel: "ACTIVE_PAYMENT", paymentRef: key("PAY"), paidOn };
  return (await t.gql<RecordResult>(RECORD, { input: { ...input, idempotencyKey: key("dep") } })).body.data!
    .recordDeposit;
}

async function convert(input: Record<string, unknown>, as: "CENTER_OPERATOR" | "WORKER" = "CENTER_OPERATOR") {
  return t.gql<ConvertResult>(CONVERT, { input: { accountNumber, idempotencyKey: key("conv"), ...input } }, { as });
}

beforeAll(async () => {
  t = await startTestHub();
  // A handful of people per cell: publish every cell so the figures can be checked (small cells: small-cells.test.ts).
  await setMinimumCellSize(t, 1);
  const res = await t.gql<{ enrollWorker: { account: { accountNumber: string } } }>(ENROL, {
    input: enrolInput({ countyCode: "140502", employmentForm: "NEW_FORM", enrolledOn: "2026-07-15" }),
  });
  accountNumber = res.body.data!.enrollWorker.account.accountNumber;
  expect((await deposit("2026-07", "1000.00", "2026-07-20")).userErrors).toEqual([]);
  expect((await deposit("2026-08", "1000.00", "2026-08-10")).userErrors).toEqual([]);
});

afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

describe("convertAccount", () => {
  it("only a center operator may convert an account", async () => {
    const res = await convert({ to: "EMPLOYER", employerName: "某公司", effectiveOn: "2026-09-01" }, "WORKER");
    expect(res.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses a conversion to employer-based without the employer's name, and writes nothing", async () => {
    const res = await convert({ to: "EMPLOYER", employerName: "  ", effectiveOn: "2026-09-01" });
    expect(res.body.data!.convertAccount.userErrors.map((e) => e.code)).toEqual(["EMPLOYER_NAME_REQUIRED"]);
    expect((await t.hub.db.prisma.account.findUnique({ where: { accountNumber } }))!.kind).toBe("FLEXIBLE");
  });

  it("refuses a date before the account opened", async () => {
    const res = await convert({ to: "EMPLOYER", employerName: "某公司", effectiveOn: "2026-07-01" });
    expect(res.body.data!.convertAccount.userErrors.map((e) => e.code)).toEqual(["EFFECTIVE_TOO_EARLY"]);
  });

  it("converts to employer-based: the same account, balance and history, the agreement suspended", async () => {
    const input = {
      to: "EMPLOYER",
      employerName: "晋城市泽州新材料有限公司",
      effectiveOn: "2026-09-01",
      idempotencyKey: key("conv"),
    };
    const first = await convert(input);
    expect(first.body.data!.convertAccount).toEqual({
      account: {
        accountNumber,
        kind: "EMPLOYER",
        status: "ACTIVE",
        balance: "2000.00",
        paidMonths: 2,
        consecutiveMonths: 2,
        paidUpTo: "2026-08",
      },
      userErrors: [],
    });
    const replay = await convert(input);
    expect(replay.body.data).toEqual(first.body.data);
    const account = (await t.hub.db.prisma.account.findUnique({
      where: { accountNumber },
      include: { agreements: true },
    }))!;
    expect(account.employerName).toBe("晋城市泽州新材料有限公司");
    expect(account.agreements.map((a) => [a.endedOn?.toISOString().slice(0, 10), a.endReason])).toEqual([
      ["2026-09-01", "CONVERTED_TO_EMPLOYER"],
    ]);
    const again = await convert({ to: "EMPLOYER", employerName: "某公司", effectiveOn: "2026-09-02" });
    expect(again.body.data!.convertAccount.userErrors.map((e) => e.code)).toEqual(["ALREADY_THIS_KIND"]);
  });

  it("records the employer's remittances on the same account; they count in duration and continuity", async () => {
    const remittance = await deposit("2026-09", "1500.00", "2026-09-10");
    expect(remittance.userErrors).toEqual([]);
    expect(remittance.account).toMatchObject({
      balance: "3500.00",
      paidMonths: 3,
      consecutiveMonths: 3,
      paidUpTo: "2026-09",
    });
    const month = await t.hub.db.prisma.depositMonth.findFirst({
      where: { account: { accountNumber }, period: "2026-09" },
    });
    expect(month!.source).toBe("EMPLOYER");
    const lump = await t.gql<{ payLumpSum: { userErrors: { code: string }[] } }>(LUMP, {
      input: {
        accountNumber,
        settlementYear: 2026,
        amount: "12000.00",
        channel: "ACTIVE_PAYMENT",
        paymentRef: key("LS"),
        paidOn: "2026-09-12",
        idempotencyKey: key("lump"),
      },
    });
    expect(lump.body.data!.payLumpSum.userErrors.map((e) => e.code)).toEqual(["NOT_FLEXIBLE_ACCOUNT"]);
  });

  it("converts back to flexible only with a new written commitment, signing a new agreement", async () => {
    const refused = await convert({ to: "FLEXIBLE", effectiveOn: "2026-10-01" });
    expect(refused.body.data!.convertAccount.userErrors.map((e) => e.code)).toEqual(["COMMITMENT_REQUIRED"]);
    const back = await convert({ to: "FLEXIBLE", commitmentAccepted: true, effectiveOn: "2026-10-01" });
    expect(back.body.data!.convertAccount.account).toMatchObject({
      kind: "FLEXIBLE",
      status: "ACTIVE",
      balance: "3500.00",
      paidMonths: 3,
    });
    expect((await deposit("2026-10", "1000.00", "2026-10-10")).account).toMatchObject({
      balance: "4500.00",
      paidMonths: 4,
      consecutiveMonths: 4,
      paidUpTo: "2026-10",
    });
    const agreements = await t.hub.db.prisma.agreement.findMany({
      where: { account: { accountNumber } },
      orderBy: { id: "asc" },
    });
    expect(agreements.map((a) => [a.signedOn.toISOString().slice(0, 10), a.endReason, a.endedOn])).toEqual([
      ["2026-07-15", "CONVERTED_TO_EMPLOYER", new Date("2026-09-01T00:00:00.000Z")],
      ["2026-10-01", null, null],
    ]);
  });

  it("counts one conversion to employer-based, no exit, and the metrics equal a recomputation", async () => {
    expect(await checkMetrics(t.hub.db.prisma)).toMatchObject({ ok: true, differences: [] });
    const metrics = (await pilotMetrics(t, { from: "2026-07", to: "2026-10" })).body.data!.pilotMetrics;
    expect(metrics).toMatchObject({
      enrolledTotal: 2,
      convertedToEmployer: 1,
      exitedTotal: 0,
      activeAccounts: 1,
      depositAmount: "4500.00",
      depositCount: 4,
    });
    const september = (await pilotMetrics(t, { from: "2026-09", to: "2026-09" })).body.data!.pilotMetrics;
    expect(september).toMatchObject({ convertedToEmployer: 1, activeAccounts: 0, enrolledTotal: 0 });
  });
});
