import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { countAuditRows } from '../audit/index.ts';

describe.each(testDialects())('branches and calendar on %s', (dialect) => {
  // Monday 30 November 2026, 14:00 UTC: 09:00 in New York.
  const clock = fixedClock('2026-11-30T14:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp(dialect, { clock });
  });
  afterAll(async () => t.close());
  const branches = () => t.app.services.branches;

  it('adds a branch with its hours and audits it', async () => {
    const branch = await makeBranch(t.app, 'MAIN');
    expect(branch).toMatchObject({ code: 'MAIN', timeZone: 'America/New_York' });
    expect(branch.openingHours).toHaveLength(5);
    const audit = await t.app.services.audit.list({ entityType: 'branch', entityId: branch.id, limit: 5 });
    expect(audit.map((a) => a.action)).toEqual(['branch.created']);
  });

  it.each([
    [{ code: 'MAIN' }, 'BRANCH_CODE_TAKEN'],
    [{ timeZone: 'Mars/Base' }, 'INVALID_TIME_ZONE'],
    [{ openingHours: [{ weekday: 1, opens: '18:00', closes: '09:00' }] }, 'INVALID_OPENING_HOURS'],
    [{ libraryId: '01900000-0000-7000-8000-000000000000' }, 'LIBRARY_NOT_FOUND'],
  ])('refuses %o with %s and writes nothing', async (input, code) => {
    const before = await countAuditRows(t.app.database.db);
    const count = (await branches().listBranches()).length;
    await expect(
      branches().createBranch(testActor, { code: 'NEW', name: 'New', timeZone: 'UTC', ...input }),
    ).rejects.toMatchObject({ code });
    expect((await branches().listBranches()).length).toBe(count);
    expect(await countAuditRows(t.app.database.db)).toBe(before);
  });

  it('keeps one closed day per branch and date, library-wide days included', async () => {
    const main = (await branches().findBranchByCode('MAIN'))!;
    await branches().addClosedDay(testActor, { branchId: null, date: '2026-12-25', reason: 'Christmas Day' });
    await expect(
      branches().addClosedDay(testActor, { branchId: null, date: '2026-12-25', reason: 'again' }),
    ).rejects.toMatchObject({
      code: 'CLOSED_DAY_EXISTS',
    });
    await branches().addClosedDay(testActor, {
      branchId: main.id,
      date: '2026-12-24',
      reason: 'Staff party',
    });
    await expect(
      branches().addClosedDay(testActor, { branchId: main.id, date: '2026-12-24', reason: 'again' }),
    ).rejects.toMatchObject({
      code: 'CLOSED_DAY_EXISTS',
    });
    await expect(
      branches().addClosedDay(testActor, { branchId: main.id, date: '2026-02-30', reason: 'no such day' }),
    ).rejects.toMatchObject({
      code: 'INVALID_DATE',
    });
    const days = await branches().listClosedDays({ branchId: main.id, from: '2026-12-01', to: '2026-12-31' });
    expect(days.map((d) => [d.date, d.reason])).toEqual([
      ['2026-12-24', 'Staff party'],
      ['2026-12-25', 'Christmas Day'],
    ]);
  });

  it('answers the calendar in the branch’s own time zone, closed days and weekends shut', async () => {
    const main = (await branches().findBranchByCode('MAIN'))!;
    const { days } = await branches().calendar(main.id, {});
    expect(days).toHaveLength(14);
    expect(days[0]).toMatchObject({
      date: '2026-11-30',
      isOpen: true,
      periods: [{ opens: '09:00', closes: '17:00' }],
    });
    const around = await branches().calendar(main.id, { from: '2026-12-23', to: '2026-12-28' });
    expect(around.days.map((d) => [d.date, d.isOpen, d.closedReason])).toEqual([
      ['2026-12-23', true, null],
      ['2026-12-24', false, 'Staff party'],
      ['2026-12-25', false, 'Christmas Day'],
      ['2026-12-26', false, 'closed on Saturdays'],
      ['2026-12-27', false, 'closed on Sundays'],
      ['2026-12-28', true, null],
    ]);
    await expect(
      branches().calendar(main.id, { from: '2026-12-28', to: '2026-12-01' }),
    ).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });

  it('replaces opening hours and records the change', async () => {
    const main = (await branches().findBranchByCode('MAIN'))!;
    const updated = await branches().setOpeningHours(testActor, main.id, [
      { weekday: 6, opens: '10:00', closes: '14:00' },
      { weekday: 1, opens: '13:00', closes: '20:00' },
      { weekday: 1, opens: '09:00', closes: '12:00' },
    ]);
    expect(updated.openingHours).toEqual([
      { weekday: 1, opens: '09:00', closes: '12:00' },
      { weekday: 1, opens: '13:00', closes: '20:00' },
      { weekday: 6, opens: '10:00', closes: '14:00' },
    ]);
    const [entry] = await t.app.services.audit.list({ entityType: 'branch', entityId: main.id, limit: 1 });
    expect(entry?.action).toBe('branch.opening_hours_set');
  });

  it('renames a branch and refuses a code another branch has', async () => {
    await makeBranch(t.app, 'EAST', 'America/Chicago');
    const main = (await branches().findBranchByCode('MAIN'))!;
    expect((await branches().updateBranch(testActor, main.id, { name: 'Main Library' })).name).toBe(
      'Main Library',
    );
    await expect(branches().updateBranch(testActor, main.id, { code: 'EAST' })).rejects.toMatchObject({
      code: 'BRANCH_CODE_TAKEN',
    });
    expect((await branches().getBranch(main.id)).code).toBe('MAIN');
  });
});
