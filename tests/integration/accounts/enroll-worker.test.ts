import { ENROL, enrolInput, freshIdNumber, key } from "../../factories/workers";
import { errorCodes, expectLedgerBalanced, startTestHub, type TestHub } from "../../helpers/test-hub";

type EnrolResult = {
  enrollWorker: { account: Record<string, unknown> | null; userErrors: { code: string; field: string | null }[] };
};

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await expectLedgerBalanced(t);
  await t.close();
});

const enrol = (
  overrides: Record<string, unknown> = {},
  as: "CENTER_OPERATOR" | "WORKER" | "CENTER_ADMIN" = "CENTER_OPERATOR",
) => t.gql<EnrolResult>(ENROL, { input: enrolInput(overrides) }, { as });

describe("enrollWorker", () => {
  it("enrols an eligible worker and registers the account with the national platform", async () => {
    const idNumber = freshIdNumber("1992-02-29");
    const res = await enrol({ idNumber, name: "李明", countyCode: "140581", employmentForm: "SELF_EMPLOYED" });
    const { account, userErrors } = res.body.data!.enrollWorker;
    expect(userErrors).toEqual([]);
    expect(account).toMatchObject({
      idNumber,
      name: "李明",
      kind: "FLEXIBLE",
      status: "ACTIVE",
      countyCode: "140581",
      employmentForm: "SELF_EMPLOYED",
      openedOn: "2026-07-15",
      balance: "0.00",
      paidMonths: 0,
      consecutiveMonths: 0,
      paidUpTo: null,
      monthlyAmount: "1000.00",
    });
    expect(account!.accountNumber).toMatch(/^140500\d{10}$/);
    await t.hub.outbox.idle();
    await t.hub.outbox.dispatchDue();
    expect(t.national.control.accounts()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ idNumber, accountNumber: account!.accountNumber, status: "ACTIVE" }),
      ]),
    );
    const agreement = await t.hub.db.prisma.agreement.findFirst({
      where: { account: { accountNumber: account!.accountNumber as string } },
    });
    expect(agreement).toMatchObject({ commitmentAccepted: true, commitmentVersion: expect.stringMatching(/.+/) });
  });

  it("returns the first result for a replayed key and writes nothing more", async () => {
    const input = enrolInput();
    const first = await t.gql<EnrolResult>(ENROL, { input });
    const second = await t.gql<EnrolResult>(ENROL, { input });
    expect(second.body.data!.enrollWorker).toEqual(first.body.data!.enrollWorker);
    expect(await t.hub.db.prisma.account.count({ where: { person: { idNumber: input.idNumber as string } } })).toBe(1);
  });

  it("refuses the same key with a different input", async () => {
    const input = enrolInput();
    await t.gql(ENROL, { input });
    const res = await t.gql<EnrolResult>(ENROL, { input: { ...input, name: "别的名字" } });
    expect(res.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
  });

  it("refuses a person who already has an active account here", async () => {
    const idNumber = freshIdNumber();
    await enrol({ idNumber });
    const res = await enrol({ idNumber });
    expect(res.body.data!.enrollWorker.userErrors.map((e) => e.code)).toContain("ALREADY_ENROLLED");
  });

  it("refuses a person with an active account in another city, and records the refusal", async () => {
    const idNumber = freshIdNumber("1991-01-01", "440305");
    t.national.control.addRecord({
      idNumber,
      centerCode: "440300",
      accountNumber: "4403009999",
      kind: "FLEXIBLE",
      status: "ACTIVE",
    });
    const res = await enrol({ idNumber });
    expect(res.body.data!.enrollWorker).toEqual({
      account: null,
      userErrors: [expect.objectContaining({ code: "DUPLICATE_ACCOUNT", field: "idNumber" })],
    });
    expect(await t.hub.db.prisma.person.count({ where: { idNumber } })).toBe(0);
    expect(
      await t.hub.db.prisma.duplicateCheck.count({ where: { idNumber, reason: "ACTIVE_ACCOUNT_ELSEWHERE" } }),
    ).toBe(1);
  });

  it("refuses a person under a fraud ban", async () => {
    const idNumber = freshIdNumber();
    t.national.control.addFraudBan({ idNumber, until: "2027-12-31" });
    const res = await enrol({ idNumber });
    expect(res.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["FRAUD_BAN"]);
  });

  it("lists every rule an ineligible enrolment breaks and writes nothing", async () => {
    const idNumber = freshIdNumber("2011-01-01");
    const res = await enrol({
      idNumber,
      countyCode: "140100",
      commitmentAccepted: false,
      monthlyAmount: "215.99",
      channel: "BANK_COLLECTION",
      bankAccount: null,
    });
    const codes = res.body.data!.enrollWorker.userErrors.map((e) => e.code).sort();
    expect(codes).toEqual([
      "AMOUNT_BELOW_MINIMUM",
      "BANK_ACCOUNT_REQUIRED",
      "BELOW_WORKING_AGE",
      "COMMITMENT_REQUIRED",
      "COUNTY_NOT_IN_JINCHENG",
    ]);
    expect(await t.hub.db.prisma.person.count({ where: { idNumber } })).toBe(0);
  });

  it("refuses a worker at the retirement age on the enrolment date", async () => {
    // A man born 1966-01-15 retires at 60 years 4 months (2025 reform): on 2026-05-15.
    const idNumber = freshIdNumber("1966-01-15", "140502", "M");
    const res = await enrol({ idNumber, enrolledOn: "2026-05-15" });
    expect(res.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["AT_OR_ABOVE_RETIREMENT_AGE"]);
    const younger = await enrol({ idNumber, enrolledOn: "2026-05-14" });
    expect(younger.body.data!.enrollWorker.userErrors).toEqual([]);
  });

  it("follows a woman's retirement track: 50 when the center says so, 55 by default, recorded on the person", async () => {
    // Born 1975-06-20. Track 50: 5 months after 1975-01, 5 / 2 = 2, + 1 = 3 months: she retired at 50 years 3 months
    // on 2025-09-20. Track 55: 66 months after 1970-01, 66 / 4 = 16, + 1 = 17 months: 56 years 5 months (2031-11-20).
    const idNumber = freshIdNumber("1975-06-20", "140502", "F");
    const refused = await enrol({ idNumber, enrolledOn: "2026-07-15", originalRetirementAge: 50 });
    expect(refused.body.data!.enrollWorker.userErrors).toEqual([
      { code: "AT_OR_ABOVE_RETIREMENT_AGE", field: "idNumber", message: "已达到法定退休年龄（50周岁3个月）" },
    ]);
    expect(await t.hub.db.prisma.person.count({ where: { idNumber } })).toBe(0);
    const enrolled = await enrol({ idNumber, enrolledOn: "2026-07-15" });
    expect(enrolled.body.data!.enrollWorker.userErrors).toEqual([]);
    const person = await t.hub.db.prisma.person.findUniqueOrThrow({ where: { idNumber } });
    expect(person.originalRetirementAge).toBe(55);

    const younger = freshIdNumber("1990-03-08", "140502", "F");
    expect((await enrol({ idNumber: younger, originalRetirementAge: 50 })).body.data!.enrollWorker.userErrors).toEqual(
      [],
    );
    expect(
      (await t.hub.db.prisma.person.findUniqueOrThrow({ where: { idNumber: younger } })).originalRetirementAge,
    ).toBe(50);
    const man = freshIdNumber("1990-03-08", "140502", "M");
    const manRes = await enrol({ idNumber: man });
    expect(manRes.body.data!.enrollWorker.userErrors).toEqual([]);
    expect((await t.hub.db.prisma.person.findUniqueOrThrow({ where: { idNumber: man } })).originalRetirementAge).toBe(
      null,
    );
  });

  it("refuses an original retirement age for a man, and one other than 55 or 50 for a woman", async () => {
    const man = await enrol({ idNumber: freshIdNumber("1990-03-08", "140502", "M"), originalRetirementAge: 60 });
    expect(man.body.data!.enrollWorker.userErrors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID_ORIGINAL_RETIREMENT_AGE", "originalRetirementAge"],
    ]);
    const woman = await enrol({ idNumber: freshIdNumber("1990-03-08", "140502", "F"), originalRetirementAge: 45 });
    expect(woman.body.data!.enrollWorker.userErrors.map((e) => e.code)).toEqual(["INVALID_ORIGINAL_RETIREMENT_AGE"]);
  });

  it("fails with CONNECTOR_UNAVAILABLE and writes nothing when the national platform is down", async () => {
    const idNumber = freshIdNumber();
    t.national.control.setMode("down");
    try {
      const res = await enrol({ idNumber });
      expect(errorCodes(res)).toEqual(["CONNECTOR_UNAVAILABLE"]);
      expect(JSON.stringify(res.body)).not.toMatch(/stack|at \w+ \(|SELECT|503/);
      expect(await t.hub.db.prisma.person.count({ where: { idNumber } })).toBe(0);
    } finally {
      t.national.control.setMode("up");
    }
    const retried = await enrol({ idNumber });
    expect(retried.body.data!.enrollWorker.userErrors).toEqual([]);
  });

  it("rejects a malformed ID number, money or date before anything runs", async () => {
    const badId = await enrol({ idNumber: "140502199005170011" });
    expect(errorCodes(badId)).toEqual(["BAD_USER_INPUT"]);
    const badMoney = await enrol({ monthlyAmount: "1e3" });
    expect(errorCodes(badMoney)).toEqual(["BAD_USER_INPUT"]);
    const badDate = await enrol({ enrolledOn: "2026-02-30" });
    expect(errorCodes(badDate)).toEqual(["BAD_USER_INPUT"]);
  });

  it("is refused for a worker and for the center admin", async () => {
    expect(errorCodes(await enrol({}, "WORKER"))).toEqual(["FORBIDDEN"]);
    expect(errorCodes(await enrol({}, "CENTER_ADMIN"))).toEqual(["FORBIDDEN"]);
    const anonymous = await t.gql(ENROL, { input: enrolInput({ idempotencyKey: key() }) }, { as: null });
    expect(errorCodes(anonymous)).toEqual(["UNAUTHENTICATED"]);
  });
});
