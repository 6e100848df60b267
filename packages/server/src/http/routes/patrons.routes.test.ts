import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makePatron, makeStaffUser } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { fixedClock } from '../../kernel/clock.ts';

describe.each(testDialects())('patron routes on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let reader: string;
  let clerk: string;
  let policy: string;
  let branchId: string;

  beforeAll(async () => {
    s = await createTestServer(dialect, { clock: fixedClock('2026-03-14T15:00:00.000Z') });
    branchId = (await makeBranch(s.app)).id;
    await makeStaffUser(s.app, 'reader', ['patrons.read']);
    await makeStaffUser(s.app, 'clerk', ['patrons.read', 'patrons.manage']);
    await makeStaffUser(s.app, 'policy', ['patrons.read', 'policies.manage']);
    reader = await s.login('reader');
    clerk = await s.login('clerk');
    policy = await s.login('policy');
  });
  afterAll(async () => s.close());

  const register = (cookie: string, payload: Record<string, unknown>) =>
    s.as(cookie, {
      method: 'POST',
      url: '/api/patrons',
      payload: { categoryCode: 'ADULT', homeBranchId: branchId, ...payload },
    });

  it('manages categories with policies.manage; patrons.read may only list them', async () => {
    const created = await s.as(policy, {
      method: 'POST',
      url: '/api/patron-categories',
      payload: { code: 'ADULT', name: 'Adults', loanLimit: 20, fineLimitMinor: 1000, enrolmentMonths: 12 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: 'ADULT', loanLimit: 20, ageMin: null });
    const denied = await s.as(clerk, {
      method: 'POST',
      url: '/api/patron-categories',
      payload: { code: 'X', name: 'X', loanLimit: 1, enrolmentMonths: 1 },
    });
    expect(denied.statusCode).toBe(403);
    expect((await s.as(reader, { method: 'GET', url: '/api/patron-categories' })).json()).toHaveLength(1);
    const bad = await s.as(policy, {
      method: 'POST',
      url: '/api/patron-categories',
      payload: { code: 'KIDS', name: 'Kids', loanLimit: 5, enrolmentMonths: 12, ageMin: 13, ageMax: 12 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_CATEGORY' });
    const schema = await s.as(policy, {
      method: 'POST',
      url: '/api/patron-categories',
      payload: { code: 'KIDS', name: 'Kids', loanLimit: -1, enrolmentMonths: 12 },
    });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().error.code).toBe('VALIDATION_FAILED');
    const patched = await s.as(policy, {
      method: 'PATCH',
      url: '/api/patron-categories/ADULT',
      payload: { loanLimit: 25 },
    });
    expect(patched.json()).toMatchObject({ loanLimit: 25 });
    await s.as(policy, {
      method: 'POST',
      url: '/api/patron-categories',
      payload: { code: 'TEMP', name: 'Temporary', loanLimit: 1, enrolmentMonths: 1 },
    });
    expect((await s.as(policy, { method: 'DELETE', url: '/api/patron-categories/TEMP' })).statusCode).toBe(
      204,
    );
    expect((await s.as(policy, { method: 'DELETE', url: '/api/patron-categories/TEMP' })).statusCode).toBe(
      404,
    );
  });

  it('registers a patron (never showing a PIN) and refuses a possible duplicate with 409 and the candidates', async () => {
    const res = await register(clerk, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      birthDate: '1990-12-10',
      email: 'ada@example.org',
      pin: '2468',
    });
    expect(res.statusCode).toBe(201);
    const ada = res.json();
    expect(ada).toMatchObject({
      firstName: 'Ada',
      hasPin: true,
      noticeChannel: 'email',
      expiresOn: '2027-03-14',
    });
    expect(res.body).not.toMatch(/pin_?hash|scrypt|2468/i);
    expect((await register(reader, { firstName: 'No', lastName: 'Permission' })).statusCode).toBe(403);

    const before = await rowCounts(s.app.database.db);
    const dup = await register(clerk, { firstName: 'ADA', lastName: 'LOVELACE', birthDate: '1990-12-10' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({
      code: 'PATRON_POSSIBLE_DUPLICATE',
      details: { candidates: [{ id: ada.id, name: 'Ada Lovelace', cardBarcode: ada.cardBarcode }] },
    });
    const check = await s.as(reader, {
      method: 'POST',
      url: '/api/patrons/duplicates',
      payload: { firstName: 'ada', lastName: 'lovelace', email: 'ADA@example.org' },
    });
    expect(check.json().candidates.map((c: { id: string }) => c.id)).toEqual([ada.id]);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
    const anyway = await register(clerk, {
      firstName: 'ADA',
      lastName: 'LOVELACE',
      birthDate: '1990-12-10',
      allowDuplicate: true,
    });
    expect(anyway.statusCode).toBe(201);
  });

  it.each([
    [{ firstName: 'A', lastName: 'B', email: 'nope' }, 400, 'INVALID_EMAIL'],
    [{ firstName: 'A', lastName: 'B', birthDate: '10/12/1990' }, 400, 'VALIDATION_FAILED'],
    [{ firstName: 'A', lastName: 'B', pin: '12' }, 400, 'VALIDATION_FAILED'],
    [{ firstName: 'A', lastName: 'B', shoeSize: 44 }, 400, 'VALIDATION_FAILED'],
    [{ firstName: 'A', lastName: 'B', categoryCode: 'NONE' }, 404, 'CATEGORY_NOT_FOUND'],
    [{ firstName: 'A', lastName: 'B', birthDate: '2030-01-01' }, 400, 'INVALID_BIRTH_DATE'],
  ])('refuses %o with %i %s and writes nothing', async (payload, status, code) => {
    const before = await rowCounts(s.app.database.db);
    const res = await register(clerk, payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(await rowCounts(s.app.database.db)).toEqual(before);
  });

  it('finds, changes and renews patrons, and sets a PIN', async () => {
    const p = await makePatron(s.app, { firstName: 'Grace', lastName: 'Hopper', phone: '555-0199' });
    const found = await s.as(reader, { method: 'GET', url: '/api/patrons?q=hopper%20gr&pageSize=5' });
    expect(found.json()).toMatchObject({ total: 1, page: 1, pageSize: 5, patrons: [{ id: p.id }] });
    const byCard = await s.as(reader, { method: 'GET', url: `/api/patrons/by-card/${p.cardBarcode}` });
    expect(byCard.json().id).toBe(p.id);
    expect((await s.as(reader, { method: 'GET', url: `/api/patrons/${p.id}` })).json().phone).toBe(
      '555-0199',
    );
    const patched = await s.as(clerk, {
      method: 'PATCH',
      url: `/api/patrons/${p.id}`,
      payload: { language: 'es' },
    });
    expect(patched.json()).toMatchObject({ language: 'es' });
    expect(
      (await s.as(reader, { method: 'PATCH', url: `/api/patrons/${p.id}`, payload: { language: 'fr' } }))
        .statusCode,
    ).toBe(403);
    const renewed = await s.as(clerk, { method: 'POST', url: `/api/patrons/${p.id}/renew` });
    // A new patron's membership already runs one period from today: renewing reaches no further.
    expect(renewed.json().expiresOn).toBe('2027-03-14');
    const pin = await s.as(clerk, {
      method: 'PUT',
      url: `/api/patrons/${p.id}/pin`,
      payload: { pin: '13579' },
    });
    expect(pin.statusCode).toBe(204);
    expect((await s.as(reader, { method: 'GET', url: `/api/patrons/${p.id}` })).json().hasPin).toBe(true);
    const missing = await s.as(reader, {
      method: 'GET',
      url: '/api/patrons/01900000-0000-7000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('PATRON_NOT_FOUND');
  });

  it('blocks and lifts, replaces a card (the old one answers 422), and prints the card', async () => {
    const p = await makePatron(s.app);
    const block = await s.as(clerk, {
      method: 'POST',
      url: `/api/patrons/${p.id}/blocks`,
      payload: { reason: 'Returned a damaged book' },
    });
    expect(block.statusCode).toBe(201);
    const lifted = await s.as(clerk, {
      method: 'DELETE',
      url: `/api/patrons/${p.id}/blocks/${block.json().id}`,
    });
    expect(lifted.json().liftedAt).toBe('2026-03-14T15:00:00.000Z');
    const again = await s.as(clerk, {
      method: 'DELETE',
      url: `/api/patrons/${p.id}/blocks/${block.json().id}`,
    });
    expect(again.statusCode).toBe(422);
    const blocks = await s.as(reader, {
      method: 'GET',
      url: `/api/patrons/${p.id}/blocks?includeLifted=false`,
    });
    expect(blocks.json()).toEqual([]);

    const replaced = await s.as(clerk, {
      method: 'POST',
      url: `/api/patrons/${p.id}/cards/replace`,
      payload: { reason: 'lost', cardBarcode: 'NEW-CARD-9' },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      patron: { cardBarcode: 'NEW-CARD-9' },
      card: { status: 'active' },
    });
    const old = await s.as(reader, { method: 'GET', url: `/api/patrons/by-card/${p.cardBarcode}` });
    expect(old.statusCode).toBe(422);
    expect(old.json().error).toMatchObject({
      code: 'PATRON_CARD_REPLACED',
      message: "This card was replaced on 2026-03-14; ask for the patron's current card",
    });
    const cards = await s.as(reader, { method: 'GET', url: `/api/patrons/${p.id}/cards` });
    expect(cards.json().map((c: { status: string }) => c.status)).toEqual(['active', 'replaced']);
    const charged: { amountMinor: number }[] = [];
    s.app.services.patrons.registerHooks({
      chargeFee: async (_trx, _now, _actor, fee) => void charged.push(fee),
    });
    const fee = await s.as(clerk, {
      method: 'POST',
      url: `/api/patrons/${p.id}/cards/replace`,
      payload: { feeMinor: 200 },
    });
    expect(fee.statusCode).toBe(200);
    expect(charged).toMatchObject([{ amountMinor: 200, kind: 'card_replacement' }]);

    const pdf = await s.as(clerk, { method: 'GET', url: `/api/patrons/${p.id}/card.pdf` });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('merges duplicates, exports a patron’s data, and deletes a patron', async () => {
    const keep = await makePatron(s.app, { email: 'keep@example.org' });
    const dup = await makePatron(s.app);
    const merged = await s.as(clerk, {
      method: 'POST',
      url: '/api/patrons/merge',
      payload: { keepId: keep.id, mergeId: dup.id },
    });
    expect(merged.statusCode).toBe(200);
    const same = await s.as(clerk, {
      method: 'POST',
      url: '/api/patrons/merge',
      payload: { keepId: keep.id, mergeId: keep.id },
    });
    expect(same.statusCode).toBe(422);
    expect((await s.as(reader, { method: 'GET', url: `/api/patrons/${dup.id}` })).json()).toMatchObject({
      status: 'merged',
      mergedIntoId: keep.id,
    });

    const exported = await s.as(clerk, { method: 'GET', url: `/api/patrons/${keep.id}/export` });
    expect(exported.statusCode).toBe(200);
    expect(exported.json()).toMatchObject({ patron: { id: keep.id, email: 'keep@example.org' } });
    expect(exported.json().cards).toHaveLength(2);
    expect((await s.as(reader, { method: 'GET', url: `/api/patrons/${keep.id}/export` })).statusCode).toBe(
      403,
    );

    const deleted = await s.as(clerk, { method: 'DELETE', url: `/api/patrons/${keep.id}` });
    expect(deleted.statusCode).toBe(204);
    expect((await s.as(reader, { method: 'GET', url: `/api/patrons/${keep.id}` })).json()).toMatchObject({
      status: 'deleted',
      firstName: 'Deleted',
      email: null,
    });
    const search = await s.as(reader, { method: 'GET', url: '/api/patrons?q=Deleted&status=all' });
    expect(search.json().patrons.map((p: { id: string }) => p.id)).toContain(keep.id);
  });

  it('imports CSV sent as text/csv, with a dry run, and exports CSV', async () => {
    const csv =
      'first_name,last_name,category,home_branch,card_barcode\r\nCsv,One,ADULT,MAIN,CSV-API-1\r\nCsv,Two,NONE,MAIN,\r\n';
    const dry = await s.as(clerk, {
      method: 'POST',
      url: '/api/patrons/import?dryRun=true',
      payload: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, created: 1, failed: 1 });
    expect((await s.as(reader, { method: 'GET', url: '/api/patrons/by-card/CSV-API-1' })).statusCode).toBe(
      404,
    );
    const real = await s.as(clerk, {
      method: 'POST',
      url: '/api/patrons/import',
      payload: csv,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(real.json()).toMatchObject({
      dryRun: false,
      created: 1,
      failed: 1,
      errors: [{ row: 3, column: 'category', code: 'CATEGORY_NOT_FOUND' }],
    });
    const json = await s.as(clerk, { method: 'POST', url: '/api/patrons/import', payload: { rows: [] } });
    expect(json.statusCode).toBe(400);
    const header = await s.as(clerk, {
      method: 'POST',
      url: '/api/patrons/import',
      payload: 'name\r\nx\r\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(header.statusCode).toBe(400);
    expect(header.json().error.code).toBe('INVALID_CSV');
    expect(
      (
        await s.as(reader, {
          method: 'POST',
          url: '/api/patrons/import',
          payload: csv,
          headers: { 'content-type': 'text/csv' },
        })
      ).statusCode,
    ).toBe(403);

    const out = await s.as(clerk, { method: 'GET', url: '/api/patrons/export.csv' });
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(out.body.startsWith('card_barcode,first_name,last_name,')).toBe(true);
    expect(out.body).toContain('CSV-API-1,Csv,One');
    expect(out.body).not.toContain('scrypt');
  });

  it('documents every patron route in the OpenAPI document', async () => {
    const doc = (await s.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of [
      '/api/patron-categories/{code}',
      '/api/patrons/{id}/card.pdf',
      '/api/patrons/import',
      '/api/patron/me',
    ])
      expect(doc.paths, path).toHaveProperty([path]);
    expect(doc.paths['/api/patron/me'].get.security).toEqual([{ patronSession: [] }]);
    expect(doc.paths['/api/patron/login'].post.security).toEqual([]);
  });
});
