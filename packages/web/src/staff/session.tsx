import { createContext, useContext } from 'react';
import type { Branch, Me } from './types.ts';

/** Where the chosen desk branch is remembered on this computer. */
export const BRANCH_KEY = 'stacks.staff.branch';

/** The signed-in staff member, the branches, and the branch this desk works for. */
export interface Session {
  me: Me;
  branches: Branch[];
  branch: Branch;
  /** Whether the staff member holds a permission (administrators hold `*`). */
  can(permission: string): boolean;
  branchName(id: string): string;
}

export const SessionContext = createContext<Session | null>(null);

/** The session; only pages shown after login and branch choice use it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether `me` holds `permission` (or the administrators' wildcard). */
export function holds(me: Me, permission: string): boolean {
  return me.permissions.includes('*') || me.permissions.includes(permission);
}
