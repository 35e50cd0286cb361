/**
 * Statutory retirement age under China's 2025 gradual reform: for people born from the reform's first
 * birth month on, the retirement age rises by one month per `stepBirthMonths` months of birth (the first
 * cohort already gets +1), up to the target age.
 */
import { monthOf, monthsBetween } from "../calendar/calendar";
import type { RuleViolation } from "../rules/rule-violation";

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

/**
 * Women have two tracks (domain.md: 55 -> 58 and 50 -> 55): the original statutory retirement age the reform starts
 * from. It is recorded per person at enrolment: 55 unless the center says 50 (flexible workers default to 55).
 * Men have one track (60 -> 63) and record none.
 */
export const FEMALE_ORIGINAL_RETIREMENT_AGES = [55, 50] as const;
export type FemaleOriginalRetirementAge = (typeof FEMALE_ORIGINAL_RETIREMENT_AGES)[number];
export const DEFAULT_FEMALE_ORIGINAL_RETIREMENT_AGE: FemaleOriginalRetirementAge = 55;

/** The reform rules of every track, as in force on the date asked. */
export interface RetirementRules {
  male: RetirementRule;
  /** Women whose original retirement age is 55. */
  female: RetirementRule;
  /** Women whose original retirement age is 50. */
  female50: RetirementRule;
}

/** A recorded original age that does not fit the person's sex (a man records none; a woman 55 or 50). */
export function originalRetirementAgeProblem(sex: "M" | "F", originalAge: number | null | undefined): RuleViolation[] {
  if (originalAge === null || originalAge === undefined) return [];
  if (sex === "F" && (FEMALE_ORIGINAL_RETIREMENT_AGES as readonly number[]).includes(originalAge)) return [];
  const message =
    sex === "M" ? "男性只有一种原法定退休年龄（60周岁），无需填写" : "女性原法定退休年龄只能为55周岁或50周岁";
  return [{ code: "INVALID_ORIGINAL_RETIREMENT_AGE", field: "originalRetirementAge", message }];
}

/** The track a person's retirement age follows: men one; women 55 unless 50 is recorded. */
export function retirementRuleFor(
  sex: "M" | "F",
  originalAge: number | null | undefined,
  rules: RetirementRules,
): RetirementRule {
  if (sex === "M") return rules.male;
  return originalAge === 50 ? rules.female50 : rules.female;
}
