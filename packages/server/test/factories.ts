import type { App } from '../src/app.ts';
import { systemActor } from '../src/kernel/actor.ts';
import type { Branch } from '../src/modules/branches/index.ts';
import type { NewPatron, Patron } from '../src/modules/patrons/index.ts';
import type { StaffUser } from '../src/modules/staff/index.ts';

const TEST = systemActor('test');

/** A password good enough for the policy, used by every test account. */
export const TEST_PASSWORD = 'a long test passphrase';

/** Adds a staff account holding a new role with exactly `permissions`. */
export async function makeStaffUser(app: App, username: string, permissions: string[]): Promise<StaffUser> {
  const role = await app.services.staff.createRole(TEST, { name: `role for ${username}`, permissions });
  return app.services.staff.createUser(TEST, {
    username,
    displayName: username,
    password: TEST_PASSWORD,
    roleIds: [role.id],
  });
}

/** Adds a library (when there is none) and a branch open 09:00–17:00 Monday to Friday. */
export async function makeBranch(app: App, code = 'MAIN', timeZone = 'America/New_York'): Promise<Branch> {
  const libraries = await app.services.branches.listLibraries();
  const library =
    libraries[0] ?? (await app.services.branches.createLibrary(TEST, { code: 'TEST', name: 'Test Library' }));
  return app.services.branches.createBranch(TEST, {
    libraryId: library.id,
    code,
    name: `${code} branch`,
    timeZone,
    openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '09:00', closes: '17:00' })),
  });
}

let patronCount = 0;

/**
 * Registers a patron (default: category ADULT, created when missing with a loan limit of 20, a fine
 * limit of 10.00 and 12 months' enrolment; the first branch, made when there is none; a unique name).
 * Duplicates are allowed, so tests may register look-alikes on purpose.
 */
export async function makePatron(app: App, overrides: Partial<NewPatron> = {}): Promise<Patron> {
  const patrons = app.services.patrons;
  const categoryCode = overrides.categoryCode ?? 'ADULT';
  if (!(await patrons.listCategories()).some((c) => c.code === categoryCode)) {
    await patrons.createCategory(TEST, {
      code: categoryCode,
      name: `${categoryCode} patrons`,
      loanLimit: 20,
      fineLimitMinor: 1000,
      enrolmentMonths: 12,
    });
  }
  const homeBranchId =
    overrides.homeBranchId ??
    (await app.services.branches.listBranches())[0]?.id ??
    (await makeBranch(app)).id;
  patronCount++;
  return patrons.register(TEST, {
    firstName: `Pat${patronCount}`,
    lastName: 'Tester',
    allowDuplicate: true,
    ...overrides,
    categoryCode,
    homeBranchId,
  });
}

export { TEST as testActor };
