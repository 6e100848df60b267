import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeStaffUser } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';

describe.each(testDialects())('branch routes on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let manager: string;
  let desk: string;
  beforeAll(async () => {
    s = await createTestServer(dialect, { clock: fixedClock('2026-12-21T15:00:00.000Z') });
    await makeStaffUser(s.app, 'manager', ['branches.manage']);
    await makeStaffUser(s.app, 'desk', []);
    manager = await s.login('manager');
    desk = await s.login('desk');
  });
  afterAll(async () => s.close());

  it('adds a library and a branch, which every staff member can read', async () => {
    const lib = await s.as(manager, {
      method: 'POST',
      url: '/api/libraries',
      payload: { code: 'CITY', name: 'City Library' },
    });
    expect(lib.statusCode).toBe(201);
    const res = await s.as(manager, {
      method: 'POST',
      url: '/api/branches',
      payload: {
        code: 'MAIN',
        name: 'Main',
        timeZone: 'Europe/Berlin',
        openingHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '10:00', closes: '18:00' })),
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'MAIN', libraryId: lib.json().id, timeZone: 'Europe/Berlin' });
    const list = await s.as(desk, { method: 'GET', url: '/api/branches' });
    expect(list.json().map((b: { code: string }) => b.code)).toEqual(['MAIN']);
    expect(
      (
        await s.as(desk, {
          method: 'POST',
          url: '/api/branches',
          payload: { code: 'X', name: 'X', timeZone: 'UTC' },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('explains bad opening hours and an unknown time zone', async () => {
    const [main] = (await s.as(manager, { method: 'GET', url: '/api/branches' })).json();
    const hours = await s.as(manager, {
      method: 'PUT',
      url: `/api/branches/${main.id}/opening-hours`,
      payload: { openingHours: [{ weekday: 2, opens: '12:00', closes: '11:00' }] },
    });
    expect(hours.statusCode).toBe(400);
    expect(hours.json().error).toMatchObject({
      code: 'INVALID_OPENING_HOURS',
      message: 'Tuesday: opens at 12:00 but closes at 11:00; closing must be later than opening',
    });
    const zone = await s.as(manager, {
      method: 'PATCH',
      url: `/api/branches/${main.id}`,
      payload: { timeZone: 'Europe/Atlantis' },
    });
    expect(zone.statusCode).toBe(400);
    expect(zone.json().error.code).toBe('INVALID_TIME_ZONE');
  });

  it('closes days and shows them in the calendar', async () => {
    const [main] = (await s.as(manager, { method: 'GET', url: '/api/branches' })).json();
    const closed = await s.as(manager, {
      method: 'POST',
      url: '/api/closed-days',
      payload: { branchId: null, date: '2026-12-24', reason: 'Christmas Eve' },
    });
    expect(closed.statusCode).toBe(201);
    const again = await s.as(manager, {
      method: 'POST',
      url: '/api/closed-days',
      payload: { branchId: null, date: '2026-12-24', reason: 'x' },
    });
    expect(again.statusCode).toBe(409);
    const cal = await s.as(desk, {
      method: 'GET',
      url: `/api/branches/${main.id}/calendar?from=2026-12-23&to=2026-12-26`,
    });
    expect(cal.statusCode).toBe(200);
    expect(cal.json().days.map((d: { date: string; isOpen: boolean }) => `${d.date} ${d.isOpen}`)).toEqual([
      '2026-12-23 true',
      '2026-12-24 false',
      '2026-12-25 true',
      '2026-12-26 false',
    ]);
    const del = await s.as(manager, { method: 'DELETE', url: `/api/closed-days/${closed.json().id}` });
    expect(del.statusCode).toBe(204);
    const days = await s.as(desk, { method: 'GET', url: '/api/closed-days' });
    expect(days.json()).toEqual([]);
  });
});
