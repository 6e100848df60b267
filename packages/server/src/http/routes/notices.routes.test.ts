import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makeStaffUser } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { fixedClock } from '../../kernel/clock.ts';
import type { Branch } from '../../modules/branches/index.ts';
import { insertTestPatron, type TestPatron } from '../../modules/notices/notices.test-support.ts';

describe.each(testDialects())('notice routes on %s', (dialect) => {
  const clock = fixedClock('2026-12-08T15:00:00.000Z');
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let policies: string;
  let desk: string;
  let reader: string;
  let nobody: string;
  let print: TestPatron;
  let email: TestPatron;
  let main: Branch;
  let east: Branch;
  beforeAll(async () => {
    s = await createTestServer(dialect, { clock });
    await makeStaffUser(s.app, 'policies', ['policies.manage']);
    await makeStaffUser(s.app, 'desk', ['circulation.desk', 'patrons.read']);
    await makeStaffUser(s.app, 'reader', ['patrons.read']);
    await makeStaffUser(s.app, 'nobody', []);
    policies = await s.login('policies');
    desk = await s.login('desk');
    reader = await s.login('reader');
    nobody = await s.login('nobody');
    main = await makeBranch(s.app, 'MAIN');
    east = await makeBranch(s.app, 'EAST');
    print = await insertTestPatron(s.app, {
      firstName: 'Paul',
      lastName: 'Paper',
      noticeChannel: 'print',
      address: '12 Elm Street',
      branchId: main.id,
    });
    email = await insertTestPatron(s.app, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.org',
      branchId: main.id,
    });
    for (const patron of [print, email]) {
      await s.app.database.db.transaction().execute((trx) =>
        s.app.services.notices.enqueue(trx, clock.now(), {
          patron,
          kind: 'courtesy',
          dedupeKey: `courtesy:${patron.id}`,
          data: { items: [{ title: 'Kindred', dueDate: '2026-12-10' }] },
        }),
      );
    }
  });
  afterAll(async () => s.close());

  it('lists notices for staff who may read patrons, with filters', async () => {
    const all = await s.as(reader, { method: 'GET', url: '/api/notices' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toHaveLength(2);
    const mine = await s.as(reader, {
      method: 'GET',
      url: `/api/notices?patronId=${email.id}&status=pending`,
    });
    expect(mine.json()).toMatchObject([{ patronId: email.id, channel: 'email', kind: 'courtesy' }]);
    expect((await s.as(reader, { method: 'GET', url: '/api/notices?status=lost' })).statusCode).toBe(400);
    expect((await s.as(nobody, { method: 'GET', url: '/api/notices' })).statusCode).toBe(403);
  });

  it('prints the print batch as a PDF for the desk, then has nothing left to print', async () => {
    expect((await s.as(reader, { method: 'POST', url: '/api/notices/print-batch' })).statusCode).toBe(403);
    const other = await s.as(desk, { method: 'POST', url: `/api/notices/print-batch?branchId=${east.id}` });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.code).toBe('NOTHING_TO_PRINT');
    const res = await s.as(desk, { method: 'POST', url: `/api/notices/print-batch?branchId=${main.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const [printed] = (
      await s.as(reader, { method: 'GET', url: `/api/notices?patronId=${print.id}` })
    ).json();
    expect(printed.status).toBe('printed');
    const again = await s.as(desk, { method: 'POST', url: '/api/notices/print-batch' });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('NOTHING_TO_PRINT');
  });

  it('refuses to retry a notice that has not failed', async () => {
    const [pending] = (
      await s.as(reader, { method: 'GET', url: `/api/notices?patronId=${email.id}` })
    ).json();
    const res = await s.as(desk, { method: 'POST', url: `/api/notices/${pending.id}/retry` });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('NOTICE_NOT_RETRYABLE');
  });

  it('shows, saves, previews and deletes templates for staff who manage policies', async () => {
    expect((await s.as(desk, { method: 'GET', url: '/api/notice-templates' })).statusCode).toBe(403);
    const list = await s.as(policies, { method: 'GET', url: '/api/notice-templates' });
    expect(list.statusCode).toBe(200);
    expect(list.json().filter((x: { kind: string }) => x.kind === 'overdue1')).toMatchObject([
      {
        language: 'en',
        source: 'built-in',
        placeholders: { lists: { items: expect.arrayContaining(['daysOverdue']) } },
      },
      { language: 'es', source: 'built-in' },
    ]);

    const put = await s.as(policies, {
      method: 'PUT',
      url: '/api/notice-templates/courtesy/en',
      payload: {
        subject: 'Due soon, {{firstName}}',
        body: '{{#items}}\n* {{title}} by {{dueDate}}\n{{/items}}',
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ kind: 'courtesy', language: 'en', source: 'custom' });
    const got = await s.as(policies, { method: 'GET', url: '/api/notice-templates/courtesy/en' });
    expect(got.json().subject).toBe('Due soon, {{firstName}}');

    const preview = await s.as(policies, {
      method: 'POST',
      url: '/api/notice-templates/preview',
      payload: { kind: 'courtesy', language: 'en' },
    });
    expect(preview.json()).toEqual({
      subject: 'Due soon, Ada',
      body: '* The Left Hand of Darkness by 2026-12-01\n* Cien años de soledad by 2026-12-03\n',
    });

    const del = await s.as(policies, { method: 'DELETE', url: '/api/notice-templates/courtesy/en' });
    expect(del.statusCode).toBe(204);
    const gone = await s.as(policies, { method: 'DELETE', url: '/api/notice-templates/courtesy/en' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('NOTICE_TEMPLATE_NOT_FOUND');
  });

  it('refuses a bad template with INVALID_TEMPLATE naming the placeholder, and writes nothing', async () => {
    const before = await rowCounts(s.app.database.db);
    const res = await s.as(policies, {
      method: 'PUT',
      url: '/api/notice-templates/overdue1/es',
      payload: { subject: 'Aviso', body: 'Hola {{nombre}}' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_TEMPLATE',
      details: { placeholder: '{{nombre}}' },
    });
    expect(res.json().error.message).toContain('{{nombre}}');
    const unbalanced = await s.as(policies, {
      method: 'POST',
      url: '/api/notice-templates/preview',
      payload: { kind: 'overdue1', body: '{{#items}}{{title}}' },
    });
    expect(unbalanced.statusCode).toBe(400);
    expect(unbalanced.json().error.message).toContain('{{#items}} is never closed');
    const kind = await s.as(policies, { method: 'GET', url: '/api/notice-templates/birthday/en' });
    expect(kind.statusCode).toBe(400);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });
});
