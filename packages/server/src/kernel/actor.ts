import { ALL_PERMISSIONS } from '@stacks/contract';

/**
 * Who is acting: a staff member (through a session or an API token), a patron in the public catalog
 * (card and PIN, acting on their own account only), or the system itself (the CLI, scheduled jobs,
 * first-start seeding). Services take an Actor for the audit log.
 */
export type Actor = StaffActor | PatronActor | SystemActor;

export interface StaffActor {
  type: 'staff';
  id: string;
  username: string;
  /** Effective permissions: the union of the user's roles, narrowed by the token's list when acting by token. */
  permissions: ReadonlySet<string>;
  via: 'session' | 'token';
  tokenId?: string;
}

/** A patron signed in to the public catalog: may act on their own account, never on anyone else's. */
export interface PatronActor {
  type: 'patron';
  patronId: string;
}

export interface SystemActor {
  type: 'system';
  /** What acted: `cli`, `seed`, a job name. */
  name: string;
}

/** True when the actor may do what `permission` names. The system may do everything. */
export function can(actor: Actor, permission: string): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'patron') return false;
  return actor.permissions.has(permission) || actor.permissions.has(ALL_PERMISSIONS);
}

/**
 * How the actor is written in audit rows and `created_by` columns: `staff`/`token` with the user id,
 * `patron` with the patron id, `system` with what acted.
 */
export function actorRef(actor: Actor): { type: 'staff' | 'token' | 'patron' | 'system'; id: string } {
  switch (actor.type) {
    case 'staff':
      return { type: actor.via === 'token' ? 'token' : 'staff', id: actor.id };
    case 'patron':
      return { type: 'patron', id: actor.patronId };
    case 'system':
      return { type: 'system', id: actor.name };
  }
}

/** The actor as one string for `created_by` columns, e.g. `staff:0193…` or `system:fines-accrual`. */
export function actorLabel(actor: Actor): string {
  const ref = actorRef(actor);
  return `${ref.type}:${ref.id}`;
}

/** The system actor for a CLI command or job. */
export function systemActor(name: string): SystemActor {
  return { type: 'system', name };
}
