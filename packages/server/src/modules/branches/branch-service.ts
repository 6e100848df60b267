import type { Executor } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { BranchRow, ClosedDayRow } from '../../db/schema.ts';
import type { Actor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { addDays, daysBetween, isLocalDate, isValidTimeZone, localDateOf } from '../../kernel/time-zone.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './branch-repository.ts';
import {
  type CalendarDay,
  type ClosedDay,
  calendarDays,
  type OpeningPeriod,
  openingHoursProblems,
} from './calendar.ts';
import type { BranchErrorCode } from './errors.ts';

/** A library in the system (a consortium has several); branches belong to one. */
export interface Library {
  id: string;
  code: string;
  name: string;
}

/** A branch with its weekly opening hours. */
export interface Branch {
  id: string;
  libraryId: string;
  code: string;
  name: string;
  timeZone: string;
  address: string | null;
  email: string | null;
  phone: string | null;
  openingHours: OpeningPeriod[];
  createdAt: string;
  updatedAt: string;
}

export interface NewBranch {
  libraryId?: string;
  code: string;
  name: string;
  timeZone: string;
  address?: string | null;
  email?: string | null;
  phone?: string | null;
  openingHours?: OpeningPeriod[];
}

export type BranchChanges = Partial<Omit<NewBranch, 'libraryId' | 'openingHours'>>;

const MAX_CALENDAR_DAYS = 400;

function fail(code: BranchErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

function toBranch(row: BranchRow, hours: OpeningPeriod[]): Branch {
  return {
    id: row.id,
    libraryId: row.library_id,
    code: row.code,
    name: row.name,
    timeZone: row.time_zone,
    address: row.address,
    email: row.email,
    phone: row.phone,
    openingHours: hours,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toClosedDay(row: ClosedDayRow): ClosedDay {
  return { id: row.id, branchId: row.branch_id, date: row.date, reason: row.reason };
}

function checkHours(hours: OpeningPeriod[]): void {
  const problems = openingHoursProblems(hours);
  if (problems.length > 0) fail('INVALID_OPENING_HOURS', problems.join('; '), { problems });
}

function checkTimeZone(zone: string): void {
  if (!isValidTimeZone(zone))
    fail('INVALID_TIME_ZONE', `"${zone}" is not an IANA time zone such as America/Chicago`, {
      timeZone: zone,
    });
}

/** Libraries, branches, opening hours, closed days and the calendar that due dates are computed from. */
export function createBranchService(deps: { db: Executor; clock: Clock }) {
  const { db, clock } = deps;

  async function loadBranch(trx: Executor, id: string): Promise<Branch> {
    const row = await repo.findBranchById(trx, id);
    if (!row) fail('BRANCH_NOT_FOUND', `No branch has the id ${id}`, { branchId: id });
    const hours = await repo.findOpeningHours(trx, [id]);
    return toBranch(
      row,
      hours.map(({ weekday, opens, closes }) => ({ weekday, opens, closes })),
    );
  }

  return {
    async listLibraries(): Promise<Library[]> {
      return (await repo.findLibraries(db)).map(({ id, code, name }) => ({ id, code, name }));
    },

    /** Adds a library (one per member of a consortium). */
    async createLibrary(actor: Actor, input: { code: string; name: string }): Promise<Library> {
      const now = clock.now();
      const row = {
        id: newId(now.getTime()),
        code: input.code,
        name: input.name,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertLibrary(trx, row);
          await recordAudit(trx, now, actor, {
            action: 'library.created',
            entityType: 'library',
            entityId: row.id,
            changes: input,
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('LIBRARY_CODE_TAKEN', `A library with the code ${input.code} exists already`, {
            code: input.code,
          });
        throw error;
      }
      return { id: row.id, code: row.code, name: row.name };
    },

    async listBranches(): Promise<Branch[]> {
      const rows = await repo.findBranches(db);
      const hours = await repo.findOpeningHours(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((row) =>
        toBranch(
          row,
          hours
            .filter((h) => h.branch_id === row.id)
            .map(({ weekday, opens, closes }) => ({ weekday, opens, closes })),
        ),
      );
    },

    getBranch: (id: string) => loadBranch(db, id),

    async findBranchByCode(code: string): Promise<Branch | undefined> {
      const row = await repo.findBranchByCode(db, code);
      return row ? loadBranch(db, row.id) : undefined;
    },

    /** Adds a branch with its time zone and (optionally) its weekly hours. */
    async createBranch(actor: Actor, input: NewBranch): Promise<Branch> {
      checkTimeZone(input.timeZone);
      const hours = input.openingHours ?? [];
      checkHours(hours);
      const now = clock.now();
      const id = newId(now.getTime());
      try {
        await db.transaction().execute(async (trx) => {
          let libraryId = input.libraryId;
          if (libraryId === undefined) {
            const libraries = await repo.findLibraries(trx);
            if (libraries.length !== 1)
              fail('LIBRARY_NOT_FOUND', 'Say which library the branch belongs to (libraryId)');
            libraryId = libraries[0]!.id;
          } else if (!(await repo.findLibraryById(trx, libraryId))) {
            fail('LIBRARY_NOT_FOUND', `No library has the id ${libraryId}`, { libraryId });
          }
          await repo.insertBranch(trx, {
            id,
            library_id: libraryId,
            code: input.code,
            name: input.name,
            time_zone: input.timeZone,
            address: input.address ?? null,
            email: input.email ?? null,
            phone: input.phone ?? null,
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          });
          await repo.replaceOpeningHours(
            trx,
            id,
            hours.map((h) => ({ branch_id: id, ...h })),
          );
          await recordAudit(trx, now, actor, {
            action: 'branch.created',
            entityType: 'branch',
            entityId: id,
            changes: { ...input },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('BRANCH_CODE_TAKEN', `A branch with the code ${input.code} exists already`, {
            code: input.code,
          });
        throw error;
      }
      return loadBranch(db, id);
    },

    /** Changes a branch's name, code, time zone or contact details. */
    async updateBranch(actor: Actor, id: string, changes: BranchChanges): Promise<Branch> {
      if (changes.timeZone !== undefined) checkTimeZone(changes.timeZone);
      const now = clock.now();
      try {
        await db.transaction().execute(async (trx) => {
          const before = await loadBranch(trx, id);
          const row: Partial<BranchRow> = { updated_at: now.toISOString() };
          if (changes.code !== undefined) row.code = changes.code;
          if (changes.name !== undefined) row.name = changes.name;
          if (changes.timeZone !== undefined) row.time_zone = changes.timeZone;
          if (changes.address !== undefined) row.address = changes.address;
          if (changes.email !== undefined) row.email = changes.email;
          if (changes.phone !== undefined) row.phone = changes.phone;
          await repo.updateBranchRow(trx, id, row);
          const diff: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(changes)) {
            if (value !== undefined && before[key as keyof Branch] !== value)
              diff[key] = { from: before[key as keyof Branch], to: value };
          }
          await recordAudit(trx, now, actor, {
            action: 'branch.updated',
            entityType: 'branch',
            entityId: id,
            changes: diff,
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('BRANCH_CODE_TAKEN', `A branch with the code ${changes.code} exists already`, {
            code: changes.code,
          });
        throw error;
      }
      return loadBranch(db, id);
    },

    /** Replaces the branch's weekly opening hours. */
    async setOpeningHours(actor: Actor, id: string, hours: OpeningPeriod[]): Promise<Branch> {
      checkHours(hours);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await loadBranch(trx, id);
        await repo.replaceOpeningHours(
          trx,
          id,
          hours.map((h) => ({ branch_id: id, ...h })),
        );
        await repo.updateBranchRow(trx, id, { updated_at: now.toISOString() });
        await recordAudit(trx, now, actor, {
          action: 'branch.opening_hours_set',
          entityType: 'branch',
          entityId: id,
          changes: { from: before.openingHours, to: hours },
        });
      });
      return loadBranch(db, id);
    },

    /** Closed days within a span: a branch's own and the library-wide ones (or only library-wide ones). */
    async listClosedDays(q: { branchId?: string | null; from?: string; to?: string }): Promise<ClosedDay[]> {
      for (const date of [q.from, q.to])
        if (date !== undefined && !isLocalDate(date))
          fail('INVALID_DATE', `${date} is not a date (YYYY-MM-DD)`);
      if (q.branchId) await loadBranch(db, q.branchId);
      return (await repo.findClosedDays(db, q)).map(toClosedDay);
    },

    /** Closes a branch (or, without a branch, every branch) on a date, with a reason shown to staff and patrons. */
    async addClosedDay(
      actor: Actor,
      input: { branchId: string | null; date: string; reason: string },
    ): Promise<ClosedDay> {
      if (!isLocalDate(input.date)) fail('INVALID_DATE', `${input.date} is not a date (YYYY-MM-DD)`);
      const now = clock.now();
      const row: ClosedDayRow = {
        id: newId(now.getTime()),
        branch_id: input.branchId,
        date: input.date,
        reason: input.reason,
        created_at: now.toISOString(),
      };
      try {
        await db.transaction().execute(async (trx) => {
          if (input.branchId !== null) await loadBranch(trx, input.branchId);
          await repo.insertClosedDay(trx, row);
          await recordAudit(trx, now, actor, {
            action: 'closed_day.added',
            entityType: 'closed_day',
            entityId: row.id,
            changes: { ...input },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          fail(
            'CLOSED_DAY_EXISTS',
            `${input.date} is already a closed day${input.branchId ? ' for that branch' : ' for all branches'}`,
            {
              date: input.date,
            },
          );
        }
        throw error;
      }
      return toClosedDay(row);
    },

    /** Opens a closed day again. */
    async removeClosedDay(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await repo.findClosedDayById(trx, id);
        if (!row) fail('CLOSED_DAY_NOT_FOUND', `No closed day has the id ${id}`, { closedDayId: id });
        await repo.deleteClosedDay(trx, id);
        await recordAudit(trx, now, actor, {
          action: 'closed_day.removed',
          entityType: 'closed_day',
          entityId: id,
          changes: { ...toClosedDay(row) },
        });
      });
    },

    /**
     * The branch's calendar from `from` to `to` (at most 400 days): each day open or closed, with its
     * opening periods. Defaults to the coming 14 days in the branch's own time zone.
     */
    async calendar(
      branchId: string,
      range: { from?: string; to?: string },
    ): Promise<{ branch: Branch; days: CalendarDay[] }> {
      const branch = await loadBranch(db, branchId);
      const today = localToday(clock, branch.timeZone);
      const from = range.from ?? today;
      const to = range.to ?? addDays(from, 13);
      for (const date of [from, to])
        if (!isLocalDate(date)) fail('INVALID_DATE', `${date} is not a date (YYYY-MM-DD)`);
      if (to < from) fail('INVALID_DATE', `the span ends (${to}) before it starts (${from})`);
      if (daysBetween(from, to) >= MAX_CALENDAR_DAYS)
        fail('INVALID_DATE', `ask for at most ${MAX_CALENDAR_DAYS} days at a time`);
      const closed = (await repo.findClosedDays(db, { branchId, from, to })).map(toClosedDay);
      return { branch, days: calendarDays(from, to, branch.openingHours, closed) };
    },
  };
}

function localToday(clock: Clock, zone: string): string {
  return localDateOf(clock.now(), zone);
}

export type BranchService = ReturnType<typeof createBranchService>;
