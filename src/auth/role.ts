// Who calls the hub (the token's `role` claim). The GraphQL layer registers this enum; it does not own it.
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
