/**
 * Who may enrol as a flexible depositor (缴存范围), checked on the enrolment date.
 * Returns every violation at once so that staff can fix the whole form in one pass.
 * National-platform duplicate checks are I/O and live in the enrolment service, not here.
 */
import { ageInMonthsOn, compareDates, isValidDate } from "../calendar/calendar";
import { checkMonthlyAmount } from "../deposits/deposit.rule";
import type { MoneyValue } from "../money/money";
import type { RuleViolation } from "../rules/rule-violation";
import type { ParsedIdNumber } from "./id-number";
import {
  originalRetirementAgeProblem,
  retirementAgeMonths,
  type RetirementRule,
  retirementRuleFor,
} from "./retirement-age.rule";

export interface EnrolmentPolicy {
  minAgeMonths: number;
  retirementMale: RetirementRule;
  /** Women whose original retirement age is 55 (the default). */
  retirementFemale: RetirementRule;
  /** Women whose original retirement age is 50. */
  retirementFemale50: RetirementRule;
  countyCodes: string[];
  monthlyMin: MoneyValue;
  monthlyMax: MoneyValue;
}

export interface EnrolmentFacts {
  person: ParsedIdNumber;
  countyCode: string;
  commitmentAccepted: boolean;
  enrolledOn: string;
  monthlyAmount: MoneyValue;
  depositDay: number;
  channel: "BANK_COLLECTION" | "ACTIVE_PAYMENT";
  bankAccount?: string | null;
  education?: string | null;
  graduationDate?: string | null;
  /** A woman's original retirement age (55 or 50) as given or recorded; absent: 55. Men: none. */
  originalRetirementAge?: number | null;
}

const FIRST_DEPOSIT_DAY = 1;
const LAST_DEPOSIT_DAY = 28;
const BANK_ACCOUNT_PATTERN = /^\d{12,30}$/;

function formatAge(months: number): string {
  const remainder = months % 12;
  return remainder === 0 ? `${months / 12}周岁` : `${Math.floor(months / 12)}周岁${remainder}个月`;
}

function checkAge(facts: EnrolmentFacts, policy: EnrolmentPolicy): RuleViolation[] {
  const { birthDate, sex } = facts.person;
  const age = ageInMonthsOn(birthDate, facts.enrolledOn);
  if (age < policy.minAgeMonths) {
    const message = `年龄未满法定就业年龄（${formatAge(policy.minAgeMonths)}）`;
    return [{ code: "BELOW_WORKING_AGE", field: "idNumber", message }];
  }
  const rule = retirementRuleFor(sex, facts.originalRetirementAge, {
    male: policy.retirementMale,
    female: policy.retirementFemale,
    female50: policy.retirementFemale50,
  });
  const retirementAge = retirementAgeMonths(birthDate, rule);
  if (age >= retirementAge) {
    const message = `已达到法定退休年龄（${formatAge(retirementAge)}）`;
    return [{ code: "AT_OR_ABOVE_RETIREMENT_AGE", field: "idNumber", message }];
  }
  return [];
}

export function checkDepositDay(depositDay: number): RuleViolation[] {
  if (Number.isInteger(depositDay) && depositDay >= FIRST_DEPOSIT_DAY && depositDay <= LAST_DEPOSIT_DAY) return [];
  const message = `缴存日须为每月${FIRST_DEPOSIT_DAY}日至${LAST_DEPOSIT_DAY}日之间的整数`;
  return [{ code: "INVALID_DEPOSIT_DAY", field: "depositDay", message }];
}

export function checkBankAccount(facts: Pick<EnrolmentFacts, "channel" | "bankAccount">): RuleViolation[] {
  const account = facts.bankAccount;
  if (account == null || account.trim() === "") {
    return facts.channel === "BANK_COLLECTION"
      ? [{ code: "BANK_ACCOUNT_REQUIRED", field: "bankAccount", message: "银行托收方式须填写银行账号" }]
      : [];
  }
  return BANK_ACCOUNT_PATTERN.test(account)
    ? []
    : [{ code: "INVALID_BANK_ACCOUNT", field: "bankAccount", message: "银行账号须为12至30位数字" }];
}

function checkGraduationDate(facts: EnrolmentFacts): RuleViolation[] {
  const graduationDate = facts.graduationDate;
  if (graduationDate == null || graduationDate === "") return [];
  if (!isValidDate(graduationDate)) {
    return [
      { code: "INVALID_GRADUATION_DATE", field: "graduationDate", message: "毕业日期格式无效（应为YYYY-MM-DD）" },
    ];
  }
  return compareDates(graduationDate, facts.enrolledOn) > 0
    ? [{ code: "GRADUATION_DATE_IN_FUTURE", field: "graduationDate", message: "毕业日期不能晚于登记日期" }]
    : [];
}

export function checkEnrolment(facts: EnrolmentFacts, policy: EnrolmentPolicy): RuleViolation[] {
  const violations: RuleViolation[] = [
    ...originalRetirementAgeProblem(facts.person.sex, facts.originalRetirementAge),
    ...checkAge(facts, policy),
  ];
  if (!policy.countyCodes.includes(facts.countyCode)) {
    violations.push({ code: "COUNTY_NOT_IN_JINCHENG", field: "countyCode", message: "就业地不在晋城市试点范围内" });
  }
  if (!facts.commitmentAccepted) {
    violations.push({
      code: "COMMITMENT_REQUIRED",
      field: "commitmentAccepted",
      message: "须签署灵活就业及民事行为能力书面承诺",
    });
  }
  violations.push(...checkMonthlyAmount(facts.monthlyAmount, policy, "monthlyAmount"));
  violations.push(...checkDepositDay(facts.depositDay));
  violations.push(...checkBankAccount(facts));
  violations.push(...checkGraduationDate(facts));
  return violations;
}
