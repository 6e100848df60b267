/**
 * Every permission a role can hold. Deny by default: a route names the permission it needs and a
 * staff member without it gets 403. Administrators hold `*`, which includes permissions added later.
 * Reading branches and one's own account needs only a session.
 */
export const PERMISSIONS = {
  'staff.read': 'See staff accounts and roles',
  'staff.manage': 'Add and change staff accounts, reset passwords, edit roles',
  'branches.manage': 'Add and change branches, opening hours and closed days',
  'tokens.manage': 'Create and revoke API tokens for integrations',
  'audit.read': 'Read the audit log',
  'catalog.edit': 'Add, change and delete bibliographic records and items; import records',
} as const;

/** A permission name. */
export type Permission = keyof typeof PERMISSIONS;

/** The administrators' wildcard. */
export const ALL_PERMISSIONS = '*';

/** True for a known permission name or the wildcard. */
export function isPermission(name: string): name is Permission | typeof ALL_PERMISSIONS {
  return name === ALL_PERMISSIONS || Object.hasOwn(PERMISSIONS, name);
}
