// taxDeductions and rentalEligibility send the same number of SQL statements for 1, 10 or 100 persons (no N+1).
// 100 workers are enrolled through the real services and paid six months each through one bank collection file;
// the statements are counted by the database's query counter, scoped to the call.
import { ConnectorUnavailableError } from "../../../src/connectors/connector.errors";
import type { QueryCounter } from "../../../src/db/query-counter";
import { prismaReads } from "../../../src/db/sql-reads";
import { makeIdNumber } from "../../../src/domain/accounts/id-number";
import { monthRange } from "../../../src/domain/calendar/calendar";
import { Money } from "../../../src/domain/money/money";
import { enrollWorker } from "../../../src/services/accounts/enroll-worker";
import { importBankCollection } from "../../../src/services/deposits/import-bank-collection";
import { rentalEligibilities } from "../../../src/services/housing/rental-eligibility";
import { type HubServices, SYSTEM_ACTOR } from "../../../src/services/hub-services";
import { PolicyParameterService } from "../../../src/services/policy/policy-parameters.service";
import { taxDeductions } from "../../../src/services/tax/tax-deductions";
import { expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

const TODAY = "2026-11-20";
const SIZES = [1, 10, 100] as const;

let t: TestHub;
let counter: QueryCounter;
let idNumbers: string[];
let services: Pick<HubServices, "reads" | "policy">;

/** Enrols one worker collected by bank; retried (same idempotency key) if the national platform simulator is slow under load. */
async function enrolWorker(hub: HubServices, n: number): Promise<string> {
  const command = {
    idNumber: makeIdNumber("140525", "1988-03-15", n),
    name: "批量测试",
    countyCode: "140525",
    employmentForm: "NEW_FORM",
    commitmentAccepted: true,
    monthlyAmount: new Money("1000.00"),
    depositDay: 10,
    mode: "MONTHLY",
    channel: "BANK_COLLECTION" as const,
    bankAccount: "6222020000000001",
    enrolledOn: "2026-06-01",
    idempotencyKey: `batch-count-${n}`,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await enrollWorker(hub, SYSTEM_ACTOR, command);
      if (!("ok" in outcome)) throw new Error(`enrolment refused: ${JSON.stringify(outcome.userErrors)}`);
      return outcome.ok.accountNumber;
    } catch (e) {
      if (!(e instanceof ConnectorUnavailableError) || attempt === 5) throw e;
    }
  }
}

beforeAll(async () => {
  t = await startTestHub();
  counter = t.hub.db.queries!;
  const accounts: string[] = [];
  for (let n = 0; n < 100; n++) accounts.push(await enrolWorker(t.hub.services, n));
  const rows = accounts.flatMap((n, i) =>
    monthRange("2026-06", "2026-11").map((p) => `BQ${i}${p.replace("-", "")},${n},${p},1000.00,${p}-10,SUCCESS,`),
  );
  const imported = await importBankCollection(
    t.hub.services,
    ["paymentRef,accountNumber,period,amount,paidOn,result,reason", ...rows].join("\n"),
  );
  expect(imported).toMatchObject({ accepted: rows.length, rejected: 0 });
  idNumbers = (await t.hub.db.prisma.person.findMany({ select: { idNumber: true }, orderBy: { id: "asc" } })).map(
    (p) => p.idNumber,
  );
  // A parameter table that stays loaded for the whole test, so a reload never lands inside a counted call.
  // The same statements through Prisma on either database, so the database's query counter sees them.
  services = { reads: prismaReads(t.hub.db.prisma), policy: new PolicyParameterService(t.hub.db.prisma, 3_600_000) };
  await services.policy.on(TODAY);
}, 300_000);
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

async function countFor<T>(run: (ids: string[]) => Promise<T[]>): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for (const size of SIZES) {
    const { result, queries } = await counter.count(() => run(idNumbers.slice(0, size)));
    expect(result).toHaveLength(size);
    counts[size] = queries;
  }
  return counts;
}

describe("agency batches", () => {
  it("has 100 enrolled persons with deposits to ask about", () => {
    expect(idNumbers).toHaveLength(100);
  });

  it("answers taxDeductions for 1, 10 and 100 persons with one SQL statement each time", async () => {
    const counts = await countFor((ids) => taxDeductions(services, 2026, ids));
    expect(counts).toEqual({ 1: 1, 10: 1, 100: 1 });
    const answers = await taxDeductions(services, 2026, idNumbers.slice(0, 100));
    expect(answers.every((a) => a.deductibleAmount === "6000.00")).toBe(true);
  });

  it("answers rentalEligibility for 1, 10 and 100 persons with one SQL statement each time", async () => {
    const counts = await countFor((ids) => rentalEligibilities(services, ids, TODAY));
    expect(counts).toEqual({ 1: 1, 10: 1, 100: 1 });
    const answers = await rentalEligibilities(services, idNumbers.slice(0, 100), TODAY);
    expect(answers.every((a) => a.consecutiveMonths === 6 && a.priorityEligible)).toBe(true);
  });
});
