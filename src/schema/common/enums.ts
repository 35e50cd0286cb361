// The contract's enums, registered once for type-graphql. They are owned by auth (Role) and the domain.
import { registerEnumType } from "type-graphql";

import { Role } from "../../auth/role";
import {
  AccountKind,
  AccountStatus,
  DepositMode,
  Education,
  EmploymentForm,
  PaymentChannel,
  Relation,
} from "../../domain/accounts/account-vocabulary";
import { BanKind } from "../../domain/risk/fraud-ban.rule";

export { AccountKind, AccountStatus, BanKind, DepositMode, Education, EmploymentForm, PaymentChannel, Relation, Role };

registerEnumType(Role, { name: "Role", description: "Who calls the hub. 调用方角色。" });
registerEnumType(EmploymentForm, { name: "EmploymentForm", description: "个体经营 / 非全日制 / 新业态" });
registerEnumType(Education, { name: "Education", description: "Highest education; VOCATIONAL = 大专." });
registerEnumType(DepositMode, { name: "DepositMode", description: "按月缴存 / 趸缴" });
registerEnumType(PaymentChannel, { name: "PaymentChannel", description: "银行托收 / 主动缴款" });
registerEnumType(AccountKind, { name: "AccountKind", description: "灵活就业账户 / 单位缴存账户" });
registerEnumType(AccountStatus, { name: "AccountStatus", description: "正常 / 封存 / 销户 / 冻结" });
registerEnumType(Relation, { name: "Relation", description: "配偶 / 父母 / 子女（受让人之于转让人）" });
registerEnumType(BanKind, { name: "BanKind", description: "骗提 / 骗贷惩戒 (3 and 5 years by default)" });
