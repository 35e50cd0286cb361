import { z } from "zod";

import { parseAnswer } from "../answer.parser";
import { ConnectorResponseError } from "../connector.errors";
import type { NationalPersonCheck, NationalTransferResult } from "./national-platform.port";

export const NATIONAL_PLATFORM = "national-platform";

const centerCode = z.string().regex(/^\d{6}$/);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const personCheckSchema = z.object({
  idNumber: z.string().min(1),
  depositAccounts: z.array(
    z.object({
      centerCode,
      accountNumber: z.string().min(1),
      kind: z.enum(["FLEXIBLE", "EMPLOYER"]),
      status: z.enum(["ACTIVE", "SEALED", "CLOSED"]),
    }),
  ),
  loans: z.array(z.object({ centerCode, loanNumber: z.string().min(1), outstanding: z.boolean() })),
  fraudBanUntil: isoDate.nullable(),
});

const transferResultSchema = z.object({
  status: z.enum(["ACCEPTED", "REJECTED"]),
  reason: z.string().nullish(),
});

/** The acknowledgement flags of the write endpoints (`{ "registered": true }` and its siblings). */
export type AckFlag = "registered" | "deregistered" | "settled";

const ackSchemas: Record<AckFlag, z.ZodTypeAny> = {
  registered: z.object({ registered: z.literal(true) }),
  deregistered: z.object({ deregistered: z.literal(true) }),
  settled: z.object({ settled: z.literal(true) }),
};

/** A check answer about the person asked, and nobody else. */
export function toPersonCheck(raw: unknown, askedIdNumber: string): NationalPersonCheck {
  const check = parseAnswer(NATIONAL_PLATFORM, personCheckSchema, raw);
  if (check.idNumber.toUpperCase() !== askedIdNumber.toUpperCase()) {
    throw new ConnectorResponseError(NATIONAL_PLATFORM, `${NATIONAL_PLATFORM} answered about another person`);
  }
  return check;
}

export function toAck(raw: unknown, flag: AckFlag): void {
  parseAnswer(NATIONAL_PLATFORM, ackSchemas[flag], raw);
}

export function toTransferResult(raw: unknown): NationalTransferResult {
  const answer = parseAnswer(NATIONAL_PLATFORM, transferResultSchema, raw);
  return answer.reason == null ? { status: answer.status } : { status: answer.status, reason: answer.reason };
}
