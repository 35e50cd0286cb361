// Outbound calls that carry ID numbers to another agency get an exchange record too. The record is written before the
// call (if it cannot be written the call is not made and the caller's retry, e.g. the outbox, tries again later), so
// no ID number leaves without its record; it proves the data was handed over (or attempted). A port is wrapped once,
// with a table naming, for each method that carries ID numbers, where they are in the arguments and why they are sent.
//
// Who the record names (docs/decisions/017): a call made for someone's request (a center operator's loanQuota pulls
// the credit report, an enrolment checks the national platform) names that requester (role, org, sub: the one who had
// the person's data handed over or pulled) and the agency called in its purpose, so the worker's myDataAccess lists it
// ("the center pulled my credit report, when and why"). A call the hub makes on its own (the outbox's registrations,
// jobs) names the agency called and the hub (`system:hub`), as before; those whose role the contract's Role enum
// cannot name (the national platform) are stored, chained and verified but not listed (decision 008's contract gap).
import { randomUUID } from "node:crypto";

import type { ConnectorCallContext } from "../../connectors/connector.types";
import type { CreditPort } from "../../connectors/credit/credit.port";
import type { FinancePort } from "../../connectors/finance/finance.port";
import type { NationalPlatformPort } from "../../connectors/national-platform/national-platform.port";
import type { Actor } from "../hub-services";
import type { ExchangeLogWriter } from "./exchange-log.writer";
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

/** The call context of a call made for `actor`'s request: its request id, and its requester when the request's
 *  exchange scope names a consumer other than the hub itself (a job's or the outbox's calls name the hub). */
export function callFor(actor: Actor): ConnectorCallContext {
  const consumer = actor.exchange?.consumer;
  const requester =
    consumer && consumer.sub !== OUTBOUND_ACTOR
      ? { role: consumer.role, org: consumer.org, sub: consumer.sub }
      : undefined;
  return requester ? { requestId: actor.requestId, requester } : { requestId: actor.requestId };
}

/** The call context, when the call was given one (its last argument). */
function callContextOf(args: unknown[]): ConnectorCallContext | undefined {
  const ctx = args.at(-1) as ConnectorCallContext | undefined;
  return ctx && typeof ctx === "object" ? ctx : undefined;
}

function requestIdOf(ctx: ConnectorCallContext | undefined): string {
  return typeof ctx?.requestId === "string" ? ctx.requestId : `outbound-${randomUUID()}`;
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
        const ctx = callContextOf(args);
        const by = ctx?.requester;
        await recorder.exchangeLog.append({
          at: new Date(),
          consumerRole: by?.role ?? agency.role,
          consumerOrg: by?.org ?? agency.org,
          consumerSub: by?.sub ?? OUTBOUND_ACTOR,
          operation: name as string,
          purpose: by ? `${call.purpose} → ${agency.org}` : call.purpose,
          requestId: requestIdOf(ctx),
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

const idArgument = (a: unknown[]) => [String(a[0])];
const idField = (a: unknown[]) => [String(first(a).idNumber)];

/** National platform calls that carry ID numbers: every one of them (checks, registrations, loans, transfers). */
export const NATIONAL_OUTBOUND: OutboundTable<NationalPlatformPort> = {
  checkPerson: { idNumbers: idArgument, purpose: "全国平台一人一户及惩戒核查 national duplicate and ban check" },
  registerAccount: { idNumbers: idField, purpose: "全国平台账户登记 account registration" },
  deregisterAccount: { idNumbers: idField, purpose: "全国平台账户注销 account deregistration" },
  registerLoan: { idNumbers: idField, purpose: "全国平台贷款登记 loan registration" },
  settleLoan: { idNumbers: idField, purpose: "全国平台贷款结清 loan settlement" },
  sendTransfer: { idNumbers: idField, purpose: "全国平台异地转移接续 transfer between centers" },
};

export const CREDIT_REFERENCE: OutboundAgency = { role: "CREDIT_REFERENCE", org: "credit-reference-center" };

/** Credit reference calls that carry ID numbers: the credit report for a loan quota or application. */
export const CREDIT_OUTBOUND: OutboundTable<CreditPort> = {
  getReport: { idNumbers: idArgument, purpose: "征信报告查询（住房公积金贷款） credit report for an HPF loan" },
};

export const FINANCE_BUREAU: OutboundAgency = { role: "FINANCE_BUREAU", org: "finance-bureau" };

/** Finance bureau calls that carry ID numbers: the graduate subsidy claims and the fiscal claims (interest subsidy,
 *  risk compensation). */
export const FINANCE_OUTBOUND: OutboundTable<FinancePort> = {
  submitBatch: {
    idNumbers: (a) => ((first(a).claims as { idNumber: string }[] | undefined) ?? []).map((c) => c.idNumber),
    purpose: "毕业生缴存补贴申领 graduate subsidy claims",
  },
  submitFiscalClaim: {
    idNumbers: (a) => ((first(a).items as { idNumber: string }[] | undefined) ?? []).map((c) => c.idNumber),
    purpose: "财政资金申领（利息补贴、风险补偿） fiscal claims",
  },
};
