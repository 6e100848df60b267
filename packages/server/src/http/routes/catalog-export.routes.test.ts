import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makeStaffUser, testActor } from '../../../test/factories.ts';
import { fixedClock } from '../../kernel/clock.ts';
import {
  firstValue,
  getDataFields,
  getSubfields,
  type MarcRecord,
  parseIso2709,
  parseMarcJson,
  parseMarcXml,
  type ReadResult,
} from '../../marc/index.ts';

const marc = (title: string, subject: string) => ({
  leader: '00000nam a2200000 a 4500',
  fields: [
    { '008': '990101s2001    nyu           000 0 eng d' },
    { '245': { ind1: '1', ind2: '0', subfields: [{ a: title }] } },
    { '650': { ind1: ' ', ind2: '0', subfields: [{ a: subject }] } },
  ],
});

const records = (results: ReadResult[]): MarcRecord[] => {
  for (const r of results) expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return results.map((r) => r.record!);
};
const titles = (rs: MarcRecord[]) => rs.map((r) => firstValue(r, '245', 'a')).sort();

describe.each(testDialects())('catalog export route on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let cataloger: string;
  let desk: string;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    s = await createTestServer(dialect, { clock: fixedClock('2026-03-14T12:00:00Z') });
    await makeStaffUser(s.app, 'cataloger', ['catalog.edit']);
    await makeStaffUser(s.app, 'desk', []);
    cataloger = await s.login('cataloger');
    desk = await s.login('desk');
    const branch = await makeBranch(s.app);
    await s.app.services.catalog.createItemType(testActor, {
      code: 'BOOK',
      name: 'Book',
      isCirculating: true,
    });
    for (const [title, subject] of [
      ['Jazz Harmony', 'Jazz'],
      ['The Jazz Age', 'Jazz'],
      ['Gardening Basics', 'Gardening'],
    ] as const) {
      const res = await s.as(cataloger, {
        method: 'POST',
        url: '/api/catalog/records',
        payload: marc(title, subject),
      });
      expect(res.statusCode).toBe(201);
      ids.set(title, res.json().id);
    }
    const item = await s.as(cataloger, {
      method: 'POST',
      url: `/api/catalog/records/${ids.get('Jazz Harmony')}/items`,
      payload: { barcode: '31234000000019', branchId: branch.id, itemType: 'BOOK', callNumber: '781.65 JAZ' },
    });
    expect(item.statusCode).toBe(201);
  });
  afterAll(async () => s.close());

  it('needs a session and catalog.edit', async () => {
    const anonymous = await s.http.inject({ method: 'GET', url: '/api/catalog/export?format=json' });
    expect(anonymous.statusCode).toBe(401);
    const denied = await s.as(desk, { method: 'GET', url: '/api/catalog/export?format=json' });
    expect(denied.statusCode).toBe(403);
  });

  it('refuses an unknown or missing format with a 400', async () => {
    const bad = await s.as(cataloger, { method: 'GET', url: '/api/catalog/export?format=pdf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/format/);
    const missing = await s.as(cataloger, { method: 'GET', url: '/api/catalog/export' });
    expect(missing.statusCode).toBe(400);
  });

  it('exports a search as ISO 2709 with its items', async () => {
    const res = await s.as(cataloger, {
      method: 'GET',
      url: '/api/catalog/export?format=iso2709&q=subject:jazz',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/marc');
    expect(res.headers['content-disposition']).toBe('attachment; filename="catalog-2026-03-14.mrc"');
    const rs = records(parseIso2709(res.rawPayload));
    expect(titles(rs)).toEqual(['Jazz Harmony', 'The Jazz Age']);
    const withItem = rs.find((r) => firstValue(r, '245', 'a') === 'Jazz Harmony')!;
    const item = getDataFields(withItem, '952');
    expect(item).toHaveLength(1);
    expect(getSubfields(item[0]!, 'p')).toEqual(['31234000000019']);
    expect(getSubfields(item[0]!, 'o')).toEqual(['781.65 JAZ']);
  });

  it('exports a search as a MARCXML collection', async () => {
    const res = await s.as(cataloger, {
      method: 'GET',
      url: `/api/catalog/export?format=marcxml&q=${encodeURIComponent('title:gardening')}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/marcxml+xml');
    expect(res.headers['content-disposition']).toBe('attachment; filename="catalog-2026-03-14.xml"');
    expect(res.body).toContain('<collection');
    const rs = records(parseMarcXml(res.body));
    expect(titles(rs)).toEqual(['Gardening Basics']);
    expect(getDataFields(rs[0]!, '952')).toEqual([]);
  });

  it('exports a search as a MARC-in-JSON array', async () => {
    const res = await s.as(cataloger, { method: 'GET', url: '/api/catalog/export?format=json&q=jazz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toBe('attachment; filename="catalog-2026-03-14.json"');
    expect(Array.isArray(res.json())).toBe(true);
    expect(titles(records(parseMarcJson(res.body)))).toEqual(['Jazz Harmony', 'The Jazz Age']);
  });

  it('exports every record when the query is empty or absent, and an empty file when nothing matches', async () => {
    for (const url of ['/api/catalog/export?format=json', '/api/catalog/export?format=json&q=']) {
      const res = await s.as(cataloger, { method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(titles(records(parseMarcJson(res.body)))).toEqual([
        'Gardening Basics',
        'Jazz Harmony',
        'The Jazz Age',
      ]);
    }
    const all = await s.as(cataloger, { method: 'GET', url: '/api/catalog/export?format=iso2709' });
    expect(records(parseIso2709(all.rawPayload))).toHaveLength(ids.size);
    const none = await s.as(cataloger, { method: 'GET', url: '/api/catalog/export?format=json&q=zzyzx' });
    expect(none.json()).toEqual([]);
    const noneXml = await s.as(cataloger, {
      method: 'GET',
      url: '/api/catalog/export?format=marcxml&q=zzyzx',
    });
    expect(parseMarcXml(noneXml.body)).toEqual([]);
  });
});
