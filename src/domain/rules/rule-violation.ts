/** A broken rule: a stable code, the input field it concerns, and a message for fund-center staff. */
export interface RuleViolation {
  code: string;
  field?: string;
  message: string;
}
