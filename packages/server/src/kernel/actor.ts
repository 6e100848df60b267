import { ALL_PERMISSIONS } from '@stacks/contract';

/**
 * Who is acting: a staff member (through a session or an API token) or the system itself
 * (the CLI, scheduled jobs, first-start seeding). Services take an Actor for the audit log.
 */
export type Actor = StaffActor | SystemActor;

export interface StaffActor {
  type: 'staff';
  id: string;
  username: string;
  /** Effective permissions: the union of the user's roles, narrowed by the token's list when acting by token. */
  permissions: ReadonlySet<string>;
  via: 'session' | 'token';
  tokenId?: string;
}

export interface SystemActor {
  type: 'system';
  /** What acted: `cli`, `seed`, a job name. */
  name: string;
}

/** True when the actor may do what `permission` names. The system may do everything. */
export function can(actor: Actor, permission: string): boolean {
  if (actor.type === 'system') return true;
  return actor.permissions.has(permission) || actor.permissions.has(ALL_PERMISSIONS);
}

/** The system actor for a CLI command or job. */
export function systemActor(name: string): SystemActor {
  return { type: 'system', name };
}
