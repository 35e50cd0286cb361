// Row scope and field masking for accounts: a WORKER sees only their own account (anything else looks
// missing); the full ID number goes only to center staff and the owner.
import { Role } from "../../auth/role";
import { CENTER_ROLES, type Viewer } from "../../auth/viewer";
import { maskIdNumber } from "../../domain/accounts/id-number";
import type { AccountView } from "../../services/accounts/account-view";

export function mayRead(viewer: Viewer, accountNumber: string): boolean {
  if (CENTER_ROLES.has(viewer.role)) return true;
  return viewer.role === Role.WORKER && viewer.sub === accountNumber;
}

export function present(view: AccountView | null, viewer: Viewer): AccountView | null {
  if (!view || !mayRead(viewer, view.accountNumber)) return null;
  const full = CENTER_ROLES.has(viewer.role) || viewer.sub === view.accountNumber;
  return full ? view : { ...view, idNumber: maskIdNumber(view.idNumber) };
}
