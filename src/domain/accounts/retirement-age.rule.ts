/**
 * Statutory retirement age under China's 2025 gradual reform: for people born from the reform's first
 * birth month on, the retirement age rises by one month per `stepBirthMonths` months of birth (the first
 * cohort already gets +1), up to the target age.
 */
import { monthOf, monthsBetween } from "../calendar/calendar";

export interface RetirementRule {
  baseAgeMonths: number;
  targetAgeMonths: number;
  reformStartBirthMonth: string;
  stepBirthMonths: number;
}

/** Retirement age in completed months of age for someone born on `birthDate`. */
export function retirementAgeMonths(birthDate: string, rule: RetirementRule): number {
  if (!Number.isInteger(rule.stepBirthMonths) || rule.stepBirthMonths < 1) {
    throw new RangeError(`stepBirthMonths must be a positive integer: ${rule.stepBirthMonths}`);
  }
  const cohortIndex = monthsBetween(rule.reformStartBirthMonth, monthOf(birthDate));
  if (cohortIndex < 0) return rule.baseAgeMonths;
  const delay = Math.floor(cohortIndex / rule.stepBirthMonths) + 1;
  return Math.min(rule.baseAgeMonths + delay, rule.targetAgeMonths);
}
