import { z } from "zod";

import { parseAnswer } from "../answer.parser";
import { ConnectorResponseError } from "../connector.errors";
import type { CreditReport } from "./credit.port";

export const CREDIT = "credit";

const reportSchema = z.object({
  idNumber: z.string().min(1),
  level: z.enum(["CLEAN", "MINOR_OVERDUE", "SERIOUS"]),
  dishonestList: z.boolean(),
  reportedAt: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not a timestamp"),
});

/** A report about the person asked, and nobody else. */
export function toCreditReport(raw: unknown, askedIdNumber: string): CreditReport {
  const report = parseAnswer(CREDIT, reportSchema, raw);
  if (report.idNumber.toUpperCase() !== askedIdNumber.toUpperCase()) {
    throw new ConnectorResponseError(CREDIT, `${CREDIT} answered about another person`);
  }
  return report;
}
