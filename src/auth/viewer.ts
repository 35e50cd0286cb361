// Who is calling, as proven by the token. Agency roles must also say why (purpose).
import { Role } from "./role";

export interface Viewer {
  sub: string;
  role: Role;
  org: string;
  purpose: string | null;
}

export const AGENCY_ROLES: ReadonlySet<Role> = new Set([Role.TAX_BUREAU, Role.HOUSING_BUREAU, Role.FINANCE_BUREAU]);
export const CENTER_ROLES: ReadonlySet<Role> = new Set([Role.CENTER_OPERATOR, Role.CENTER_ADMIN]);

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (Object.values(Role) as string[]).includes(value);
}
