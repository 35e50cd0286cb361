// The contract's enums, registered once for type-graphql.
import { registerEnumType } from "type-graphql";

export enum Role {
  CENTER_OPERATOR = "CENTER_OPERATOR",
  CENTER_ADMIN = "CENTER_ADMIN",
  WORKER = "WORKER",
  TAX_BUREAU = "TAX_BUREAU",
  HOUSING_BUREAU = "HOUSING_BUREAU",
  FINANCE_BUREAU = "FINANCE_BUREAU",
  LEADERSHIP = "LEADERSHIP",
  AUDITOR = "AUDITOR",
}
export enum EmploymentForm {
  SELF_EMPLOYED = "SELF_EMPLOYED",
  PART_TIME = "PART_TIME",
  NEW_FORM = "NEW_FORM",
}
export enum Education {
  NONE = "NONE",
  VOCATIONAL = "VOCATIONAL",
  BACHELOR = "BACHELOR",
  MASTER = "MASTER",
  DOCTOR = "DOCTOR",
}
export enum DepositMode {
  MONTHLY = "MONTHLY",
  LUMP_SUM = "LUMP_SUM",
}
export enum PaymentChannel {
  BANK_COLLECTION = "BANK_COLLECTION",
  ACTIVE_PAYMENT = "ACTIVE_PAYMENT",
}
export enum AccountKind {
  FLEXIBLE = "FLEXIBLE",
  EMPLOYER = "EMPLOYER",
}
export enum AccountStatus {
  ACTIVE = "ACTIVE",
  SEALED = "SEALED",
  CLOSED = "CLOSED",
  FROZEN = "FROZEN",
}

registerEnumType(Role, { name: "Role", description: "Who calls the hub. 调用方角色。" });
registerEnumType(EmploymentForm, { name: "EmploymentForm", description: "个体经营 / 非全日制 / 新业态" });
registerEnumType(Education, { name: "Education", description: "Highest education; VOCATIONAL = 大专." });
registerEnumType(DepositMode, { name: "DepositMode", description: "按月缴存 / 趸缴" });
registerEnumType(PaymentChannel, { name: "PaymentChannel", description: "银行托收 / 主动缴款" });
registerEnumType(AccountKind, { name: "AccountKind", description: "灵活就业账户 / 单位缴存账户" });
registerEnumType(AccountStatus, { name: "AccountStatus", description: "正常 / 封存 / 销户 / 冻结" });
