import { z } from "zod";

import { parseAnswer } from "../answer.parser";
import { ConnectorResponseError } from "../connector.errors";
import type { FinanceBatch, FinanceBatchStatus } from "./finance.port";

export const FINANCE = "finance";

const batchStatus = z.enum(["RECEIVED", "PAID", "PARTIALLY_PAID", "REJECTED"]);

const submitAnswerSchema = z.object({ batchNo: z.string().min(1), status: batchStatus });

const claimResultSchema = z
  .object({
    claimNo: z.string().min(1),
    status: z.enum(["PAID", "REJECTED"]),
    reason: z
      .string()
      .nullish()
      .transform((value) => value ?? null),
    paidOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullish()
      .transform((value) => value ?? null),
  })
  .refine((result) => result.status !== "PAID" || result.paidOn !== null, {
    message: "a PAID claim needs paidOn",
    path: ["paidOn"],
  });

const batchSchema = z.object({
  batchNo: z.string().min(1),
  status: batchStatus,
  results: z
    .array(claimResultSchema)
    .refine((results) => new Set(results.map((r) => r.claimNo)).size === results.length, "duplicate claimNo"),
});

export function toSubmitAnswer(raw: unknown, batchNo: string): { batchNo: string; status: FinanceBatchStatus } {
  return sameBatch(parseAnswer(FINANCE, submitAnswerSchema, raw), batchNo);
}

export function toFinanceBatch(raw: unknown, batchNo: string): FinanceBatch {
  return sameBatch(parseAnswer(FINANCE, batchSchema, raw), batchNo);
}

function sameBatch<B extends { batchNo: string }>(answer: B, batchNo: string): B {
  if (answer.batchNo !== batchNo) {
    throw new ConnectorResponseError(FINANCE, `${FINANCE} answered about another batch`);
  }
  return answer;
}
