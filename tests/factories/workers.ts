// Enrolment inputs with fresh, valid ID numbers; override any field.
import { makeIdNumber } from "../../src/domain/accounts/id-number";

let sequence = 0;
/** Fixed per test file: a salt drawn per call made two calls ten or so apart collide (about one file in six). */
const salt = (process.pid * 7 + Date.now()) % 97;

const issued = new Set<string>();

/** A unique valid ID number for a person born on `birthDate` (default: an adult); `sex` fixes the sex digit
 *  (odd = male), which matters wherever retirement age is tested. Unique within a test file. */
export function freshIdNumber(birthDate = "1990-05-17", area = "140502", sex?: "M" | "F"): string {
  for (;;) {
    sequence = (sequence + 1) % 100000;
    let code = (sequence * 97 + salt) % 1000;
    if (sex && (code % 2 === 1) !== (sex === "M")) code ^= 1;
    const id = makeIdNumber(area, birthDate, code);
    if (!issued.has(id)) {
      issued.add(id);
      return id;
    }
  }
}

export function enrolInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    idNumber: freshIdNumber(),
    name: "测试人员",
    countyCode: "140502",
    employmentForm: "NEW_FORM",
    commitmentAccepted: true,
    monthlyAmount: "1000.00",
    depositDay: 10,
    mode: "MONTHLY",
    channel: "ACTIVE_PAYMENT",
    enrolledOn: "2026-07-15",
    idempotencyKey: `enrol-${Math.random().toString(36).slice(2)}-${Date.now()}`,
    ...overrides,
  };
}

export const ENROL = `mutation Enrol($input: EnrollWorkerInput!) {
  enrollWorker(input: $input) {
    account { accountNumber idNumber name kind status countyCode employmentForm openedOn balance paidMonths consecutiveMonths paidUpTo monthlyAmount }
    userErrors { code field message }
  }
}`;

export const RECORD = `mutation Record($input: RecordDepositInput!) {
  recordDeposit(input: $input) {
    account { accountNumber balance paidMonths consecutiveMonths paidUpTo }
    entries { id kind amount period balanceAfter postedOn }
    userErrors { code field message }
  }
}`;

export const LUMP = `mutation Lump($input: PayLumpSumInput!) {
  payLumpSum(input: $input) {
    account { accountNumber balance paidMonths consecutiveMonths paidUpTo }
    entries { id kind amount period balanceAfter }
    userErrors { code field message }
  }
}`;

export function key(prefix = "k"): string {
  return `${prefix}-${Math.random().toString(36).slice(2)}-${Date.now()}`;
}

/** recordDeposit's input for an active payment of `period`, paid on the 20th of that month. */
export function activePayment(accountNumber: string, period: string, amount = "800.00"): Record<string, unknown> {
  return {
    accountNumber,
    period,
    amount,
    channel: "ACTIVE_PAYMENT",
    paymentRef: key("PAY"),
    paidOn: `${period}-20`,
    idempotencyKey: key("dep"),
  };
}

/**
 * Opens bank-collection accounts through `enrollWorker`, each worker born one day after the previous one from
 * `firstBirthDate`, so that a test file's generated ID numbers never collide.
 */
export function bankCollectionAccounts(
  gql: (query: string, variables: Record<string, unknown>) => Promise<{ body: { data?: unknown } }>,
  firstBirthDate: string,
): (enrolledOn: string) => Promise<string> {
  let people = 0;
  return async (enrolledOn) => {
    const birthDate = new Date(Date.parse(`${firstBirthDate}T00:00:00Z`) + people++ * 86_400_000);
    const res = await gql(ENROL, {
      input: enrolInput({
        idNumber: freshIdNumber(birthDate.toISOString().slice(0, 10)),
        enrolledOn,
        channel: "BANK_COLLECTION",
        bankAccount: "6222020000000000000",
      }),
    });
    const data = res.body.data as {
      enrollWorker: { account: { accountNumber: string } | null; userErrors: unknown[] };
    };
    const enrolled = data.enrollWorker;
    if (enrolled.userErrors.length > 0 || !enrolled.account) throw new Error(JSON.stringify(enrolled.userErrors));
    return enrolled.account.accountNumber;
  };
}
