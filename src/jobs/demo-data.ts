// Realistic demo data for `npm start` (HUB_DEMO_DATA=1, empty database only): a few hundred workers across
// Jincheng's six counties, two years of monthly, back-paid and lump-sum history, bank files with failures,
// and a few enrolments refused by the national duplicate check; withdrawals (one payout failed at the bank), exits
// and the last ended settlement year's interest; accounts that move (one converted to employer-based, one transferred
// in from another city, pre-pilot accounts of which one enrolled, one transferred out); one worker under a fraud ban.
// Everything goes through the real services.
import { inTransaction } from "../db/transaction";
import { AccountKind } from "../domain/accounts/account-vocabulary";
import { makeIdNumber } from "../domain/accounts/id-number";
import { addMonths, monthOf, monthRange, settlementYearOf } from "../domain/calendar/calendar";
import { Money } from "../domain/money/money";
import { BanKind } from "../domain/risk/fraud-ban.rule";
import { convertAccount } from "../services/accounts/convert-account";
import { enrollWorker } from "../services/accounts/enroll-worker";
import { importLegacyAccounts } from "../services/accounts/import-legacy-accounts";
import { receiveTransfer } from "../services/accounts/receive-transfer";
import { transferOut } from "../services/accounts/transfer-out";
import { importBankCollection } from "../services/deposits/import-bank-collection";
import { payLumpSum } from "../services/deposits/pay-lump-sum";
import { depositMonthIn } from "../services/deposits/record-deposit";
import { type HubServices, SYSTEM_ACTOR } from "../services/hub-services";
import { runSettlement } from "../services/interest/settle-interest";
import type { ParametersOn } from "../services/policy/policy-parameters.service";
import { recordFraudBan } from "../services/risk/record-fraud-ban";
import { exitAgreement } from "../services/withdrawals/exit-agreement";
import { importBankPayouts } from "../services/withdrawals/import-bank-payouts";
import { withdraw } from "../services/withdrawals/withdraw";

export const JINCHENG_COUNTIES = ["140502", "140521", "140522", "140524", "140525", "140581"] as const;
const SURNAMES = [
  "王",
  "李",
  "张",
  "刘",
  "陈",
  "杨",
  "赵",
  "黄",
  "周",
  "吴",
  "徐",
  "孙",
  "马",
  "郭",
  "原",
  "常",
  "段",
  "焦",
];
const GIVEN = [
  "伟",
  "芳",
  "娜",
  "敏",
  "静",
  "磊",
  "洋",
  "艳",
  "勇",
  "军",
  "杰",
  "娟",
  "涛",
  "明",
  "超",
  "霞",
  "平",
  "刚",
  "鑫",
  "宇",
];
const AMOUNTS = [
  "216.00",
  "300.00",
  "500.00",
  "800.00",
  "1000.00",
  "1200.00",
  "1500.00",
  "2000.00",
  "3000.00",
  "5804.00",
];
const FORMS = ["SELF_EMPLOYED", "PART_TIME", "NEW_FORM", "NEW_FORM"] as const;
const EDUCATION = ["NONE", "NONE", "VOCATIONAL", "BACHELOR", "BACHELOR", "MASTER"] as const;

/** A small deterministic PRNG (mulberry32), so the demo is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Persons the national simulator knows as depositors elsewhere (or banned): their enrolments are refused. */
export function demoDuplicatePersons(): {
  idNumber: string;
  name: string;
  centerCode: string | null;
  fraudBanUntil: string | null;
}[] {
  return [
    { idNumber: makeIdNumber("440305", "1990-03-12", 101), name: "郑晓东", centerCode: "440300", fraudBanUntil: null },
    { idNumber: makeIdNumber("110105", "1988-07-21", 202), name: "冯丽", centerCode: "110000", fraudBanUntil: null },
    { idNumber: makeIdNumber("140105", "1995-11-02", 303), name: "韩志强", centerCode: "140100", fraudBanUntil: null },
    {
      idNumber: makeIdNumber("140502", "1985-05-05", 404),
      name: "卫建国",
      centerCode: null,
      fraudBanUntil: "2028-06-30",
    },
  ];
}

/** The national simulator's seed (connectors.md shape) matching demoDuplicatePersons. */
export function demoNationalSeed(): object {
  const persons = demoDuplicatePersons();
  return {
    depositAccounts: persons
      .filter((p) => p.centerCode)
      .map((p, i) => ({
        idNumber: p.idNumber,
        centerCode: p.centerCode,
        accountNumber: `${p.centerCode}${String(9000001 + i)}`,
        kind: "FLEXIBLE",
        status: "ACTIVE",
      })),
    loans: [],
    fraudBans: persons.filter((p) => p.fraudBanUntil).map((p) => ({ idNumber: p.idNumber, until: p.fraudBanUntil })),
  };
}

interface DemoWorker {
  accountNumber: string;
  enrolledOn: string;
  depositDay: number;
  amount: string;
  mode: "MONTHLY" | "LUMP_SUM";
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
}

export interface DemoSummary {
  workers: number;
  refused: number;
  bankRows: number;
  activePayments: number;
  lumpSums: number;
  withdrawals: number;
  exits: number;
  /** The settlement year whose interest the demo settled. */
  interestYear: number;
  /** Accounts that move: converted to employer-based, transferred in, pre-pilot (legacy) accounts, transferred out. */
  converted: number;
  transferredIn: number;
  legacyAccounts: number;
  transferredOut: number;
  /** Workers with a fraud ban in force today (recorded by the center). */
  bans: number;
}

export async function loadDemoData(hub: HubServices, today: string, workerCount = 300): Promise<DemoSummary> {
  const random = prng(20231130);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const firstMonth = addMonths(monthOf(today), -24);
  const workers: DemoWorker[] = [];
  let refused = 0;
  for (let i = 0; i < workerCount; i++) {
    const county = JINCHENG_COUNTIES[i % JINCHENG_COUNTIES.length]!;
    const birth = `${1972 + Math.floor(random() * 32)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
    const enrolMonth = addMonths(firstMonth, Math.floor(random() * 24));
    const enrolledOn = `${enrolMonth}-${pad(1 + Math.floor(random() * 28))}`;
    if (enrolledOn > today) continue;
    const education = pick(EDUCATION);
    const mode = random() < 0.2 ? "LUMP_SUM" : "MONTHLY";
    const channel = mode === "MONTHLY" && random() < 0.6 ? "BANK_COLLECTION" : "ACTIVE_PAYMENT";
    const depositDay = 1 + Math.floor(random() * 28);
    const amount = pick(AMOUNTS);
    const outcome = await enrollWorker(hub, SYSTEM_ACTOR, {
      idNumber: makeIdNumber(county, birth, 100 + i),
      name: pick(SURNAMES) + pick(GIVEN) + (random() < 0.5 ? pick(GIVEN) : ""),
      phone: `139${String(10000000 + i * 7919).slice(0, 8)}`,
      countyCode: county,
      employmentForm: pick(FORMS),
      education,
      graduationDate: education === "NONE" ? null : `${Math.min(2026, Number(birth.slice(0, 4)) + 22)}-06-30`,
      commitmentAccepted: true,
      monthlyAmount: new Money(amount),
      depositDay,
      mode,
      channel,
      bankAccount: channel === "BANK_COLLECTION" ? `6222${String(100000000000 + i * 104729).slice(0, 12)}` : null,
      enrolledOn,
      idempotencyKey: `demo-enrol-${i}`,
    });
    if ("ok" in outcome)
      workers.push({ accountNumber: outcome.ok.accountNumber, enrolledOn, depositDay, amount, mode, channel });
  }
  for (const [i, person] of demoDuplicatePersons().entries()) {
    const outcome = await enrollWorker(hub, SYSTEM_ACTOR, {
      idNumber: person.idNumber,
      name: person.name,
      countyCode: JINCHENG_COUNTIES[i]!,
      employmentForm: "NEW_FORM",
      commitmentAccepted: true,
      monthlyAmount: new Money("500.00"),
      depositDay: 10,
      mode: "MONTHLY",
      channel: "ACTIVE_PAYMENT",
      enrolledOn: addMonths(monthOf(today), -i - 1) + "-15",
      idempotencyKey: `demo-dup-${i}`,
    });
    if (!("ok" in outcome)) refused++;
  }

  // Monthly history: bank collection in one file per month (with a few failed debits), active payments month by month.
  const bankLines = ["paymentRef,accountNumber,period,amount,paidOn,result,reason"];
  let activePayments = 0;
  let lumpSums = 0;
  for (const [w, worker] of workers.entries()) {
    if (worker.mode === "LUMP_SUM") {
      for (const year of [settlementYearOf(worker.enrolledOn), settlementYearOf(worker.enrolledOn) + 1]) {
        const paidOn = year === settlementYearOf(worker.enrolledOn) ? worker.enrolledOn : `${year}-07-0${1 + (w % 9)}`;
        if (paidOn > today) continue;
        const months = monthRange(
          monthOf(worker.enrolledOn) > `${year}-07` ? monthOf(worker.enrolledOn) : `${year}-07`,
          `${year + 1}-06`,
        ).length;
        const result = await payLumpSum(hub, SYSTEM_ACTOR, {
          accountNumber: worker.accountNumber,
          settlementYear: year,
          amount: new Money(worker.amount).times(months),
          channel: "ACTIVE_PAYMENT",
          paymentRef: `LS${worker.accountNumber}${year}`,
          paidOn,
          idempotencyKey: `demo-lump-${worker.accountNumber}-${year}`,
        });
        if ("ok" in result) lumpSums++;
      }
      continue;
    }
    const months = monthRange(monthOf(worker.enrolledOn), monthOf(today)).filter(
      (m) => `${m}-${pad(worker.depositDay)}` <= today,
    );
    if (worker.channel === "BANK_COLLECTION") {
      for (const [k, period] of months.entries()) {
        const failed = random() < 0.04;
        bankLines.push(
          `BK${period.replace("-", "")}${worker.accountNumber.slice(-6)}${k},${worker.accountNumber},${period},${worker.amount},${period}-${pad(worker.depositDay)},${failed ? "FAILED,余额不足" : "SUCCESS,"}`,
        );
      }
      continue;
    }
    const payments: { period: string; paidOn: string }[] = [];
    for (const period of months) {
      if (random() < 0.08) continue; // a missed month: the worker did not pay
      const late =
        random() < 0.1 &&
        settlementYearOf(period) === settlementYearOf(addMonths(period, 1)) &&
        addMonths(period, 1) <= monthOf(today);
      const paidOn = late ? `${addMonths(period, 1)}-${pad(worker.depositDay)}` : `${period}-${pad(worker.depositDay)}`;
      if (paidOn <= today) payments.push({ period, paidOn });
    }
    const params = new Map<string, ParametersOn>();
    for (const p of payments) params.set(p.paidOn, await hub.policy.on(p.paidOn)); // read before the transaction opens
    await inTransaction(hub.prisma, async (tx) => {
      for (const { period, paidOn } of payments) {
        const outcome = await depositMonthIn(tx, hub.ledger, params.get(paidOn)!, {
          accountNumber: worker.accountNumber,
          period,
          amount: new Money(worker.amount),
          channel: "ACTIVE_PAYMENT",
          paymentRef: `AP${worker.accountNumber}${period}`,
          paidOn,
        });
        if ("ok" in outcome) activePayments++;
      }
    });
  }
  const bank = await importBankCollection(hub, bankLines);
  const money = await demoMoneyOut(hub, today, workers);
  const moves = await demoAccountsThatMove(hub, today, workers);
  const bans = await demoBan(hub, today, workers);
  return {
    workers: workers.length,
    refused,
    bankRows: bank.accepted,
    activePayments,
    lumpSums,
    ...money,
    ...moves,
    bans,
  };
}

/** Accounts that move, all on `today`: one converted to employer-based, one transfer in from Shenzhen (440300) for a
 *  person new here, three pre-pilot accounts (the first one's owner enrols on it), one transfer out to Shenzhen. */
async function demoAccountsThatMove(
  hub: HubServices,
  today: string,
  workers: DemoWorker[],
): Promise<{ converted: number; transferredIn: number; legacyAccounts: number; transferredOut: number }> {
  // Workers the money-out demo left alone (neither a withdrawal nor an exit).
  const untouched = workers.filter((_, i) => i % 10 !== 3 && i % 37 !== 5);
  let converted = 0;
  let transferredOut = 0;
  if (untouched[0]) {
    const outcome = await convertAccount(hub, SYSTEM_ACTOR, {
      accountNumber: untouched[0].accountNumber,
      to: AccountKind.EMPLOYER,
      employerName: "晋城市某建筑工程有限公司",
      effectiveOn: today,
      idempotencyKey: `demo-convert-${untouched[0].accountNumber}`,
    });
    if ("ok" in outcome) converted++;
  }
  const yymmdd = today.slice(2).replaceAll("-", "");
  const received = await receiveTransfer(hub, SYSTEM_ACTOR, {
    contactLetterNo: `440300${yymmdd}0001`,
    fromCenter: "440300",
    idNumber: makeIdNumber("140581", "1986-08-08", 951),
    name: "程远",
    countyCode: "140581",
    principal: new Money("23456.78"),
    interest: new Money("123.45"),
    openedMonth: "2019-04",
    paidUpTo: addMonths(monthOf(today), -1),
    lastSixMonthsContinuous: true,
    paidMonths: 40,
    loanCount: 0,
    loanOutstanding: false,
    fraudFlag: false,
    receivedOn: today,
    idempotencyKey: "demo-transfer-in-0001",
  });
  const legacyPeople = [
    { id: makeIdNumber("140525", "1978-03-15", 961), name: "李建国", county: "140525", balance: "18234.56" },
    { id: makeIdNumber("140502", "1983-11-02", 963), name: "王秀英", county: "140502", balance: "9650.00" },
    { id: makeIdNumber("140521", "1990-06-21", 965), name: "段志强", county: "140521", balance: "0.00" },
  ];
  const legacyCsv = [
    "accountNumber,idNumber,name,countyCode,openedMonth,paidUpTo,paidMonths,balance,status",
    ...legacyPeople.map(
      (p, i) =>
        `140500900000000${i + 1},${p.id},${p.name},${p.county},2019-03,2023-05,${51 - i * 7},${p.balance},SEALED`,
    ),
  ].join("\n");
  const legacy = await importLegacyAccounts(hub, SYSTEM_ACTOR, "demo-legacy-0001", legacyCsv, { migratedOn: today });
  await enrollWorker(hub, SYSTEM_ACTOR, {
    idNumber: legacyPeople[0]!.id,
    name: legacyPeople[0]!.name,
    countyCode: legacyPeople[0]!.county,
    employmentForm: "SELF_EMPLOYED",
    commitmentAccepted: true,
    monthlyAmount: new Money("800.00"),
    depositDay: 15,
    mode: "MONTHLY",
    channel: "ACTIVE_PAYMENT",
    enrolledOn: today,
    idempotencyKey: "demo-legacy-enrol-0001",
  });
  if (untouched[1]) {
    const outcome = await transferOut(hub, SYSTEM_ACTOR, {
      accountNumber: untouched[1].accountNumber,
      toCenter: "440300",
      requestedOn: today,
      idempotencyKey: `demo-transfer-out-${untouched[1].accountNumber}`,
    });
    if ("ok" in outcome) transferredOut++;
  }
  return {
    converted,
    transferredIn: "ok" in received ? 1 : 0,
    legacyAccounts: legacy.result.accepted,
    transferredOut,
  };
}

/** One worker under a withdrawal-fraud ban decided two months ago (in force for 3 years): withdraw says BANNED. */
async function demoBan(hub: HubServices, today: string, workers: DemoWorker[]): Promise<number> {
  const banned = workers[7]; // not among the withdrawals (i % 10 === 3) or exits (i % 37 === 5)
  if (!banned) return 0;
  const account = await hub.prisma.account.findUnique({
    where: { accountNumber: banned.accountNumber },
    select: { person: { select: { idNumber: true } } },
  });
  const outcome = await recordFraudBan(hub, SYSTEM_ACTOR, {
    idNumber: account!.person.idNumber,
    kind: BanKind.WITHDRAWAL_FRAUD,
    decidedOn: `${addMonths(monthOf(today), -2)}-10`,
    reason: "以虚假租房合同骗取提取住房公积金（演示数据）",
    idempotencyKey: `demo-ban-${banned.accountNumber}`,
  });
  return "ok" in outcome ? 1 : 0;
}

/** Money out: the last ended settlement year's interest, then some withdrawals (one payout failed at the bank) and exits. */
async function demoMoneyOut(
  hub: HubServices,
  today: string,
  workers: DemoWorker[],
): Promise<{ withdrawals: number; exits: number; interestYear: number }> {
  const interestYear = settlementYearOf(today) - 1;
  await runSettlement(hub, interestYear, today);
  const requestedOn = `${monthOf(today)}-01`;
  const payoutLines = ["payoutRef,accountNumber,amount,paidOn,result,reason"];
  let withdrawals = 0;
  let exits = 0;
  for (const [i, worker] of workers.entries()) {
    if (i % 10 === 3) {
      const outcome = await withdraw(hub, SYSTEM_ACTOR, {
        accountNumber: worker.accountNumber,
        amount: new Money("200.00"),
        requestedOn,
        idempotencyKey: `demo-withdraw-${worker.accountNumber}`,
      });
      if ("ok" in outcome && outcome.ok.entry) {
        withdrawals++;
        const failed = withdrawals === 1;
        payoutLines.push(
          `${outcome.ok.entry.paymentRef},${worker.accountNumber},200.00,${requestedOn},${failed ? "FAILED,户名不符" : "SUCCESS,"}`,
        );
      }
    } else if (i % 37 === 5) {
      const outcome = await exitAgreement(hub, SYSTEM_ACTOR, {
        accountNumber: worker.accountNumber,
        requestedOn: today,
        idempotencyKey: `demo-exit-${worker.accountNumber}`,
      });
      if ("ok" in outcome) exits++;
    }
  }
  await importBankPayouts(hub, SYSTEM_ACTOR, "demo-payouts-0001", payoutLines.join("\n"));
  return { withdrawals, exits, interestYear };
}
