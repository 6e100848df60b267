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
  'patrons.read': 'Look up patrons and see their loans, holds and fines',
  'patrons.manage':
    'Register and change patrons, issue and replace cards, set and lift blocks, merge, import',
  'circulation.desk': 'Check out, check in and renew items; place and manage holds; receive transits',
  'circulation.override': 'Override a refused checkout or renewal, with a reason',
  'fines.collect': 'Take payments and add manual fees; record disputes',
  'fines.waive': 'Waive, write off and refund charges; resolve disputes',
  'policies.manage': 'Change patron categories, circulation rules and notice templates',
  'jobs.run': 'Run the daily jobs (fines, notices, holds, privacy) by hand',
} as const;

/** A permission name. */
export type Permission = keyof typeof PERMISSIONS;

/** The administrators' wildcard. */
export const ALL_PERMISSIONS = '*';

/** True for a known permission name or the wildcard. */
export function isPermission(name: string): name is Permission | typeof ALL_PERMISSIONS {
  return name === ALL_PERMISSIONS || Object.hasOwn(PERMISSIONS, name);
}
