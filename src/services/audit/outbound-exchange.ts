// Outbound calls that carry ID numbers to another agency get an exchange record too: the consumer is the agency
// called, the actor the hub itself. The record is written before the call (if it cannot be written the call is not
// made and the caller's retry, e.g. the outbox, tries again later), so no ID number leaves without its record; it
// proves the data was handed over (or attempted). A port is wrapped once, with a table naming, for each method
// that carries ID numbers, where they are in the arguments and why they are sent: the loans issue adds
// credit and national checks by adding rows to these tables.
import { randomUUID } from "node:crypto";

import type { ConnectorCallContext } from "../../connectors/connector.types";
import type { CreditPort } from "../../connectors/credit/credit.port";
import type { FinancePort } from "../../connectors/finance/finance.port";
import type { NationalPlatformPort } from "../../connectors/national-platform/national-platform.port";
import type { ExchangeLogWriter } from "./exchange-log.writer";
import { currentExchangeScope } from "./exchange-scope";
import type { SubjectKeyer } from "./subject-key";

/** The hub's own identity as the sender of outbound calls. */
export const OUTBOUND_ACTOR = "system:hub";

export interface OutboundAgency {
  /** Stored as the record's consumer role (e.g. FINANCE_BUREAU, NATIONAL_PLATFORM). */
  role: string;
  org: string;
}

export interface OutboundCall {
  /** The ID numbers the call carries, found in its arguments. */
  idNumbers: (args: unknown[]) => Iterable<string>;
  purpose: string;
}

export type OutboundTable<P> = Partial<Record<keyof P & string, OutboundCall>>;

export interface OutboundRecorder {
  exchangeLog: Pick<ExchangeLogWriter, "append">;
  subjectKey: SubjectKeyer;
}

function requestIdOf(args: unknown[]): string {
  const ctx = args.at(-1) as ConnectorCallContext | undefined;
  const given = ctx && typeof ctx === "object" && typeof ctx.requestId === "string" ? ctx.requestId : undefined;
  return given ?? currentExchangeScope()?.requestId ?? `outbound-${randomUUID()}`;
}

/** The port, with every method of `table` writing its exchange record before it calls the agency. */
export function recordingOutbound<P extends object>(
  port: P,
  agency: OutboundAgency,
  table: OutboundTable<P>,
  recorder: OutboundRecorder,
): P {
  return new Proxy(port, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      const call = typeof name === "string" ? table[name as keyof P & string] : undefined;
      if (typeof value !== "function") return value;
      if (!call) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const ids = [...new Set([...call.idNumbers(args)].map((id) => id.toUpperCase()))];
        await recorder.exchangeLog.append({
          at: new Date(),
          consumerRole: agency.role,
          consumerOrg: agency.org,
          consumerSub: OUTBOUND_ACTOR,
          operation: name as string,
          purpose: call.purpose,
          requestId: requestIdOf(args),
          subjectKeys: ids.map(recorder.subjectKey),
          subjectCount: ids.length,
          resultSize: ids.length,
          outcome: "OK",
        });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const first = (args: unknown[]) => args[0] as Record<string, unknown>;

export const NATIONAL_PLATFORM: OutboundAgency = { role: "NATIONAL_PLATFORM", org: "national-hpf-platform" };

/** National platform calls that carry ID numbers: person checks, account and loan registrations. */
export const NATIONAL_OUTBOUND: OutboundTable<NationalPlatformPort> = {
  checkPerson: { idNumbers: (a) => [String(a[0])], purpose: "全国平台一人多户、一人多贷核查 national duplicate check" },
  registerLoan: { idNumbers: (a) => [String(first(a).idNumber)], purpose: "全国平台贷款登记 loan registration" },
  settleLoan: { idNumbers: (a) => [String(first(a).idNumber)], purpose: "全国平台贷款结清 loan settlement" },
  registerAccount: { idNumbers: (a) => [String(first(a).idNumber)], purpose: "全国平台账户登记 account registration" },
  deregisterAccount: {
    idNumbers: (a) => [String(first(a).idNumber)],
    purpose: "全国平台账户注销 account deregistration",
  },
};

/**
 * A credit report pulled for a loan quota or application. The reader of the person's credit data is the fund center
 * itself (the credit reference center is the source), so the record names the center as the consumer: a role the
 * contract's Role enum has, so the worker's myDataAccess lists it ("the center pulled my credit report, when, why").
 */
export const CREDIT_CENTER: OutboundAgency = { role: "CENTER_OPERATOR", org: "140500" };

/** The credit reference center: a report pulled for a loan quota or application carries the person's ID number. */
export const CREDIT_OUTBOUND: OutboundTable<CreditPort> = {
  getReport: {
    idNumbers: (a) => [String(a[0])],
    purpose: "向征信中心查询个人信用报告（住房公积金贷款）credit report for an HPF loan",
  },
};

export const FINANCE_BUREAU: OutboundAgency = { role: "FINANCE_BUREAU", org: "finance-bureau" };

/** Finance bureau calls that carry ID numbers: the graduate subsidy claims and the fiscal claims. */
export const FINANCE_OUTBOUND: OutboundTable<FinancePort> = {
  submitFiscalClaim: {
    idNumbers: (a) => ((first(a).items as { idNumber: string }[] | undefined) ?? []).map((i) => i.idNumber),
    purpose: "财政利息补贴、风险补偿金申领 fiscal claims",
  },
  submitBatch: {
    idNumbers: (a) => ((first(a).claims as { idNumber: string }[] | undefined) ?? []).map((c) => c.idNumber),
    purpose: "毕业生缴存补贴申领 graduate subsidy claims",
  },
};
