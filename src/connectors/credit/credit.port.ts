/** The credit reference center 征信, in domain terms. */

import type { ConnectorCallContext, ConnectorHealth } from "../connector.types";

export type CreditLevel = "CLEAN" | "MINOR_OVERDUE" | "SERIOUS";

export interface CreditReport {
  idNumber: string;
  level: CreditLevel;
  /** On the dishonest-persons list 失信被执行人: no loan. */
  dishonestList: boolean;
  /** When the credit center produced the report (ISO 8601). */
  reportedAt: string;
}

export interface CreditPort {
  /** The report for an HPF loan application (purpose HPF_LOAN). */
  getReport(idNumber: string, ctx?: ConnectorCallContext): Promise<CreditReport>;
  health(): ConnectorHealth;
}
