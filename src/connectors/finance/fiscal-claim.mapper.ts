import { z } from "zod";

import { parseAnswer } from "../answer.parser";
import { ConnectorResponseError } from "../connector.errors";
import { FINANCE } from "./finance.mapper";
import type { FiscalClaim, FiscalClaimStatus } from "./finance.port";

const claimStatus = z.enum(["RECEIVED", "PAID", "REJECTED"]);

const submitAnswerSchema = z.object({ claimNo: z.string().min(1), status: claimStatus });

const claimSchema = z
  .object({
    claimNo: z.string().min(1),
    status: claimStatus,
    paidOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullish()
      .transform((value) => value ?? null),
  })
  .refine((claim) => claim.status !== "PAID" || claim.paidOn !== null, {
    message: "a PAID claim needs paidOn",
    path: ["paidOn"],
  });

export function toFiscalClaimSubmitAnswer(
  raw: unknown,
  claimNo: string,
): { claimNo: string; status: FiscalClaimStatus } {
  return sameClaim(parseAnswer(FINANCE, submitAnswerSchema, raw), claimNo);
}

export function toFiscalClaim(raw: unknown, claimNo: string): FiscalClaim {
  return sameClaim(parseAnswer(FINANCE, claimSchema, raw), claimNo);
}

function sameClaim<C extends { claimNo: string }>(answer: C, claimNo: string): C {
  if (answer.claimNo !== claimNo) throw new ConnectorResponseError(FINANCE, `${FINANCE} answered about another claim`);
  return answer;
}
