import { z } from "zod";

import {
  readSeedFile,
  route,
  type RunningSimulator,
  type SimulatorControl,
  startSimulatorServer,
} from "../shared/simulator.server";

/** Stand-in for the national HPF supervision platform (connectors.md), with an in-memory store. */

const idNumber = z
  .string()
  .regex(/^\d{17}[\dXx]$/)
  .transform((value) => value.toUpperCase());
const centerCode = z.string().regex(/^\d{6}$/);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const money = z.string().regex(/^\d+\.\d{2}$/);
const kind = z.enum(["FLEXIBLE", "EMPLOYER"]);

const accountRef = z.object({ idNumber, centerCode, accountNumber: z.string().min(1), kind });
const loanRef = z.object({ idNumber, centerCode, loanNumber: z.string().min(1) });
const seedAccount = accountRef.extend({ status: z.enum(["ACTIVE", "SEALED", "CLOSED"]) });
const seedLoan = loanRef.extend({ outstanding: z.boolean() });
const fraudBan = z.object({ idNumber, until: isoDate });
const transferBody = z.object({
  contactLetterNo: z.string().regex(/^\d{16}$/),
  fromCenter: centerCode,
  toCenter: centerCode,
  idNumber,
  name: z.string().min(1),
  principal: money,
  interest: money,
  openedMonth: month,
  paidUpTo: month,
  lastSixMonthsContinuous: z.boolean(),
  paidMonths: z.number().int().nonnegative(),
  loanCount: z.number().int().nonnegative(),
  loanOutstanding: z.boolean(),
  fraudFlag: z.boolean(),
});

export const nationalSeedSchema = z.object({
  depositAccounts: z.array(seedAccount).default([]),
  loans: z.array(seedLoan).default([]),
  fraudBans: z.array(fraudBan).default([]),
  /** Centers that refuse every transfer sent to them (connectors.md, wave 2). */
  rejectingCenters: z.array(centerCode).default([]),
});

export type NationalSeedAccount = z.input<typeof seedAccount>;
export type NationalSeedLoan = z.input<typeof seedLoan>;
export type NationalSeed = z.input<typeof nationalSeedSchema>;
type Account = z.output<typeof seedAccount>;
type Loan = z.output<typeof seedLoan>;
type Transfer = z.output<typeof transferBody>;
type TransferResult = { status: "ACCEPTED" | "REJECTED"; reason?: string };

export interface NationalSimulatorControl extends SimulatorControl {
  /** Every account the platform knows, registered or seeded. */
  accounts(): Account[];
  loans(): Loan[];
  transfers(): Transfer[];
  addRecord(account: NationalSeedAccount): void;
  addLoan(loan: NationalSeedLoan): void;
  addFraudBan(ban: { idNumber: string; until: string }): void;
  /** Transfers to this center are REJECTED from now on. */
  addRejectingCenter(centerCode: string): void;
}

export interface NationalSimulatorOptions {
  port?: number;
  host?: string;
  seed?: NationalSeed;
  seedFile?: string;
  slowMs?: number;
}

export async function startNationalPlatformSimulator(
  options: NationalSimulatorOptions = {},
): Promise<RunningSimulator<NationalSimulatorControl>> {
  const accounts = new Map<string, Account>();
  const loans = new Map<string, Loan>();
  const fraudBans = new Map<string, string>();
  const transfers = new Map<string, { transfer: Transfer; result: TransferResult }>();
  const rejectingCenters = new Set<string>();

  const putAccount = (a: Account) => accounts.set(`${a.idNumber}|${a.centerCode}|${a.accountNumber}`, { ...a });
  const putLoan = (l: Loan) => loans.set(`${l.idNumber}|${l.centerCode}|${l.loanNumber}`, { ...l });
  const putBan = (b: z.output<typeof fraudBan>) => {
    const current = fraudBans.get(b.idNumber);
    if (current === undefined || b.until > current) fraudBans.set(b.idNumber, b.until);
  };
  const load = (seed: z.output<typeof nationalSeedSchema>) => {
    seed.depositAccounts.forEach(putAccount);
    seed.loans.forEach(putLoan);
    seed.fraudBans.forEach(putBan);
    seed.rejectingCenters.forEach((c) => rejectingCenters.add(c));
  };
  if (options.seedFile !== undefined) load(readSeedFile(options.seedFile, nationalSeedSchema));
  if (options.seed !== undefined) load(nationalSeedSchema.parse(options.seed));

  const ok = (body: unknown) => ({ status: 200, body });
  const notFound = (error: string) => ({ status: 404, body: { error } });

  const routes = [
    route("POST", /^\/v1\/persons\/check$/, z.object({ idNumber }), ({ idNumber: id }) =>
      ok({
        idNumber: id,
        depositAccounts: [...accounts.values()]
          .filter((a) => a.idNumber === id)
          .map(({ centerCode: c, accountNumber, kind: k, status }) => ({
            centerCode: c,
            accountNumber,
            kind: k,
            status,
          })),
        loans: [...loans.values()]
          .filter((l) => l.idNumber === id)
          .map(({ centerCode: c, loanNumber, outstanding }) => ({ centerCode: c, loanNumber, outstanding })),
        fraudBanUntil: fraudBans.get(id) ?? null,
      }),
    ),
    route("POST", /^\/v1\/accounts\/register$/, accountRef, (body) => {
      putAccount({ ...body, status: "ACTIVE" });
      return ok({ registered: true });
    }),
    route("POST", /^\/v1\/accounts\/deregister$/, accountRef, (body) => {
      const account = accounts.get(`${body.idNumber}|${body.centerCode}|${body.accountNumber}`);
      if (account === undefined) return notFound("ACCOUNT_NOT_REGISTERED");
      account.status = "CLOSED";
      return ok({ deregistered: true });
    }),
    route("POST", /^\/v1\/loans\/register$/, loanRef, (body) => {
      putLoan({ ...body, outstanding: true });
      return ok({ registered: true });
    }),
    route("POST", /^\/v1\/loans\/settle$/, loanRef, (body) => {
      const loan = loans.get(`${body.idNumber}|${body.centerCode}|${body.loanNumber}`);
      if (loan === undefined) return notFound("LOAN_NOT_REGISTERED");
      loan.outstanding = false;
      return ok({ settled: true });
    }),
    route("POST", /^\/v1\/transfers$/, transferBody, (transfer) => {
      const earlier = transfers.get(transfer.contactLetterNo);
      if (earlier !== undefined) {
        const same = JSON.stringify(earlier.transfer) === JSON.stringify(transfer);
        return same ? ok(earlier.result) : { status: 409, body: { error: "CONTACT_LETTER_REUSED" } };
      }
      const result = decideTransfer(transfer, rejectingCenters);
      transfers.set(transfer.contactLetterNo, { transfer, result });
      return ok(result);
    }),
  ];

  const running = await startSimulatorServer({
    port: options.port,
    host: options.host,
    slowMs: options.slowMs,
    malformedBody: { idNumber: 42, depositAccounts: "none", loans: null, status: "MAYBE", registered: "yes" },
    routes,
  });
  const control: NationalSimulatorControl = {
    ...running.control,
    accounts: () => [...accounts.values()].map((a) => ({ ...a })),
    loans: () => [...loans.values()].map((l) => ({ ...l })),
    transfers: () => [...transfers.values()].map((t) => ({ ...t.transfer })),
    addRecord: (account) => putAccount(seedAccount.parse(account)),
    addLoan: (loan) => putLoan(seedLoan.parse(loan)),
    addFraudBan: (ban) => putBan(fraudBan.parse(ban)),
    addRejectingCenter: (c) => void rejectingCenters.add(centerCode.parse(c)),
  };
  return { ...running, control };
}

/** The platform refuses a transfer within one center, one that would carry an outstanding loan away, and any sent to
 *  a center seeded as rejecting. */
function decideTransfer(transfer: Transfer, rejectingCenters: ReadonlySet<string>): TransferResult {
  if (transfer.fromCenter === transfer.toCenter) return { status: "REJECTED", reason: "SAME_CENTER" };
  if (rejectingCenters.has(transfer.toCenter)) return { status: "REJECTED", reason: "RECEIVING_CENTER_REFUSED" };
  if (transfer.loanOutstanding) return { status: "REJECTED", reason: "LOAN_OUTSTANDING" };
  return { status: "ACCEPTED" };
}
