// Outbound calls that carry ID numbers to another agency get an exchange record too: the consumer is the agency
// called, the actor the hub itself. The record is written before the call (if it cannot be written the call is not
// made and the caller's retry, e.g. the outbox, tries again later), so no ID number leaves without its record; it
// proves the data was handed over (or attempted). A port is wrapped once, with a table naming, for each method
// that carries ID numbers, where they are in the arguments and why they are sent: the loans issue adds
// credit and national checks by adding rows to these tables.
import { randomUUID } from "node:crypto";

import type { ConnectorCallContext } from "../../connectors/connector.types";
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

/** National platform calls that carry ID numbers (registrations, transfers out; checks come with the loans issue). */
export const NATIONAL_OUTBOUND: OutboundTable<NationalPlatformPort> = {
  registerAccount: { idNumbers: (a) => [String(first(a).idNumber)], purpose: "全国平台账户登记 account registration" },
  deregisterAccount: {
    idNumbers: (a) => [String(first(a).idNumber)],
    purpose: "全国平台账户注销 account deregistration",
  },
  sendTransfer: { idNumbers: (a) => [String(first(a).idNumber)], purpose: "异地转移接续 transfer out" },
};

export const FINANCE_BUREAU: OutboundAgency = { role: "FINANCE_BUREAU", org: "finance-bureau" };

/** Finance bureau calls that carry ID numbers: the graduate subsidy claims. */
export const FINANCE_OUTBOUND: OutboundTable<FinancePort> = {
  submitBatch: {
    idNumbers: (a) => ((first(a).claims as { idNumber: string }[] | undefined) ?? []).map((c) => c.idNumber),
    purpose: "毕业生缴存补贴申领 graduate subsidy claims",
  },
};
