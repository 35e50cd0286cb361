/**
 * Conversion 缴存灵活转换: one personal account changes kind, never the account. FLEXIBLE -> EMPLOYER when the person
 * takes a job (an ACTIVE flexible account; the employer is named; the agreement is suspended); EMPLOYER -> FLEXIBLE
 * when they leave it (an ACTIVE or SEALED employer-based account; a new written commitment, i.e. a new agreement).
 */
import { compareDates } from "../calendar/calendar";
import type { RuleViolation } from "../rules/rule-violation";
import { AccountKind, AccountStatus } from "./account-vocabulary";

export interface ConversionFacts {
  kind: string;
  status: string;
  openedOn: string;
  /** The date the latest agreement was signed or ended, if any: a conversion cannot precede it. */
  lastAgreementEvent: string | null;
}

export interface ConversionRequest {
  to: AccountKind;
  employerName?: string | null;
  commitmentAccepted?: boolean | null;
  effectiveOn: string;
}

export const MAX_EMPLOYER_NAME = 100;

export function checkConversion(f: ConversionFacts, r: ConversionRequest): RuleViolation[] {
  if (f.kind === r.to) {
    const message = r.to === AccountKind.EMPLOYER ? "账户已是单位缴存账户" : "账户已是灵活就业缴存账户";
    return [{ code: "ALREADY_THIS_KIND", field: "to", message }];
  }
  const violations: RuleViolation[] = [];
  if (r.to === AccountKind.EMPLOYER) {
    if (f.status !== AccountStatus.ACTIVE)
      violations.push({ code: "ACCOUNT_NOT_ACTIVE", field: "accountNumber", message: "账户不是正常状态，不能转换" });
    const name = r.employerName?.trim() ?? "";
    if (name.length === 0 || name.length > MAX_EMPLOYER_NAME)
      violations.push({
        code: "EMPLOYER_NAME_REQUIRED",
        field: "employerName",
        message: `转为单位缴存须填写单位名称（不超过 ${MAX_EMPLOYER_NAME} 个字符）`,
      });
  } else {
    if (f.status !== AccountStatus.ACTIVE && f.status !== AccountStatus.SEALED)
      violations.push({ code: "ACCOUNT_NOT_ACTIVE", field: "accountNumber", message: "账户已销户或冻结，不能转换" });
    if (r.commitmentAccepted !== true)
      violations.push({
        code: "COMMITMENT_REQUIRED",
        field: "commitmentAccepted",
        message: "转为灵活就业缴存须签署书面承诺",
      });
  }
  const earliest =
    f.lastAgreementEvent && compareDates(f.lastAgreementEvent, f.openedOn) > 0 ? f.lastAgreementEvent : f.openedOn;
  if (compareDates(r.effectiveOn, earliest) < 0)
    violations.push({
      code: "EFFECTIVE_TOO_EARLY",
      field: "effectiveOn",
      message: `转换日期不能早于 ${earliest}（开户或上次协议变更日期）`,
    });
  return violations;
}
