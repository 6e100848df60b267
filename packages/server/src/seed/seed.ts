import type { App } from '../app.ts';
import { systemActor } from '../kernel/actor.ts';
import { AppError, isAppError } from '../kernel/app-error.ts';
import type { OpeningPeriod } from '../modules/branches/index.ts';
import { generatePassword, passwordProblem } from '../modules/staff/index.ts';
import { seedDemoCatalog } from './demo-catalog.ts';
import { type DemoPatronLogin, seedDemoCirculation } from './demo-circulation.ts';

const SEED = systemActor('seed');

/** The administrator role's name; it holds `*`. */
export const ADMINISTRATOR_ROLE = 'Administrator';

/** What `ensureAdministrator` did. */
export interface AdministratorOutcome {
  created: boolean;
  username: string;
  /** The password, when it was generated here and must be shown once. */
  generatedPassword?: string;
}

/**
 * Makes sure the library can be administered: on an empty database, creates the Administrator role
 * and the account `admin`, with `admin_password` from the configuration or a generated password
 * (returned so the caller prints it once; it is stored only as a hash). Safe when two processes
 * start at once: the loser of the race finds the winner's account.
 */
export async function ensureAdministrator(app: App): Promise<AdministratorOutcome> {
  const { staff } = app.services;
  if ((await staff.countUsers()) > 0) return { created: false, username: 'admin' };
  const role = await ensureRole(app, ADMINISTRATOR_ROLE, 'Everything, including permissions added later', [
    '*',
  ]);
  const configured = app.config.admin_password;
  const problem = configured === undefined ? null : passwordProblem(configured, 'admin');
  if (problem) throw new AppError('WEAK_PASSWORD', `STACKS_ADMIN_PASSWORD: ${problem}`);
  const password = configured ?? generatePassword();
  try {
    await staff.createUser(SEED, {
      username: 'admin',
      displayName: 'Administrator',
      password,
      roleIds: [role],
    });
  } catch (error) {
    if (isAppError(error, 'USERNAME_TAKEN')) return { created: false, username: 'admin' };
    throw error;
  }
  return configured === undefined
    ? { created: true, username: 'admin', generatedPassword: password }
    : { created: true, username: 'admin' };
}

async function ensureRole(
  app: App,
  name: string,
  description: string,
  permissions: string[],
): Promise<string> {
  const existing = await app.services.staff.findRoleByName(name);
  if (existing) return existing.id;
  try {
    return (await app.services.staff.createRole(SEED, { name, description, permissions })).id;
  } catch (error) {
    if (isAppError(error, 'ROLE_NAME_TAKEN')) return (await app.services.staff.findRoleByName(name))!.id;
    throw error;
  }
}

const weekdays = (opens: string, closes: string, days: number[]): OpeningPeriod[] =>
  days.map((weekday) => ({ weekday, opens, closes }));

/**
 * The demo library: one library with two branches in different time zones, their opening hours and
 * closed days, the usual staff roles and item types. Runs once: it does nothing when a library exists already.
 * Returns whether it seeded.
 */
export async function seedDemoLibrary(app: App): Promise<DemoPatronLogin | null> {
  const { branches } = app.services;
  if ((await branches.listLibraries()).length > 0) return null;
  let library: { id: string };
  try {
    library = await branches.createLibrary(SEED, { code: 'DEMO', name: 'Stacks Demo Library' });
  } catch (error) {
    if (isAppError(error, 'LIBRARY_CODE_TAKEN')) return null;
    throw error;
  }
  const central = await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'CENTRAL',
    name: 'Central Library',
    timeZone: 'America/New_York',
    address: '1 Library Square, Springfield',
    email: 'central@library.example',
    phone: '+1 555 0100',
    openingHours: [
      ...weekdays('09:00', '20:00', [1, 2, 3, 4]),
      ...weekdays('09:00', '18:00', [5]),
      ...weekdays('10:00', '17:00', [6]),
    ],
  });
  await branches.createBranch(SEED, {
    libraryId: library.id,
    code: 'LAKESIDE',
    name: 'Lakeside Branch',
    timeZone: 'America/Chicago',
    address: '200 Shore Road, Lakeside',
    email: 'lakeside@library.example',
    phone: '+1 555 0200',
    openingHours: [
      ...weekdays('10:00', '13:00', [2, 3, 4, 5]),
      ...weekdays('14:00', '19:00', [2, 3, 4, 5]),
      ...weekdays('10:00', '14:00', [6]),
    ],
  });
  for (const [date, reason] of [
    ['2026-12-25', 'Christmas Day'],
    ['2027-01-01', 'New Year’s Day'],
    ['2027-05-31', 'Memorial Day'],
    ['2027-07-05', 'Independence Day (observed)'],
  ] as const) {
    await branches.addClosedDay(SEED, { branchId: null, date, reason });
  }
  await branches.addClosedDay(SEED, {
    branchId: central.id,
    date: '2027-02-15',
    reason: 'Staff training day',
  });

  await ensureRole(
    app,
    'Branch manager',
    'Runs a branch: hours, closed days, staff accounts and the audit log',
    [
      'staff.read',
      'branches.manage',
      'audit.read',
      'patrons.read',
      'patrons.manage',
      'circulation.desk',
      'circulation.override',
      'fines.collect',
      'fines.waive',
      'policies.manage',
      'jobs.run',
    ],
  );
  await ensureRole(
    app,
    'Circulation desk',
    'Front-desk staff: check out, check in, renew, holds, patrons, taking payments',
    ['patrons.read', 'patrons.manage', 'circulation.desk', 'fines.collect'],
  );
  await ensureRole(app, 'Cataloger', 'Catalogs and processes new materials: records and items', [
    'catalog.edit',
  ]);
  for (const [code, name, isCirculating] of [
    ['BOOK', 'Book', true],
    ['DVD', 'DVD', true],
    ['MAG', 'Magazine', true],
    ['CD', 'Music CD', true],
    ['REF', 'Reference (library use only)', false],
  ] as const) {
    await app.services.catalog.createItemType(SEED, { code, name, isCirculating });
  }
  const all = await branches.listBranches();
  await seedDemoCatalog(app, SEED, all);
  return seedDemoCirculation(app, [central, all.find((b) => b.code === 'LAKESIDE')!]);
}

/** First-start seeding: the administrator always, the demo library when the configuration asks for it. */
export async function seedOnFirstStart(
  app: App,
): Promise<{ admin: AdministratorOutcome; demo: DemoPatronLogin | null }> {
  const admin = await ensureAdministrator(app);
  const demo = admin.created && app.config.seed_demo ? await seedDemoLibrary(app) : null;
  if (admin.created && !app.config.seed_demo && (await app.services.branches.listLibraries()).length === 0) {
    await app.services.branches.createLibrary(SEED, { code: 'LIB', name: 'Library' });
  }
  return { admin, demo };
}
