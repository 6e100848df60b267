import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makeStaffUser, testActor } from '../../../test/factories.ts';

const hasTools = ['pdftoppm', 'zbarimg'].every(
  (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0,
);

const marc = (title: string) => ({
  leader: '00000nam a2200000 a 4500',
  fields: [
    { '008': '990101s2001    nyu           000 0 eng d' },
    { '020': { ind1: ' ', ind2: ' ', subfields: [{ a: '0596000278' }] } },
    { '245': { ind1: '1', ind2: '0', subfields: [{ a: title }] } },
  ],
});

describe.each(testDialects())('catalog routes on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let cataloger: string;
  let desk: string;
  let branchId: string;
  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'cataloger', ['catalog.edit']);
    await makeStaffUser(s.app, 'desk', []);
    cataloger = await s.login('cataloger');
    desk = await s.login('desk');
    branchId = (await makeBranch(s.app)).id;
    await s.app.services.catalog.createItemType(testActor, {
      code: 'BOOK',
      name: 'Book',
      isCirculating: true,
    });
  });
  afterAll(async () => s.close());

  it('adds a record from MARC-in-JSON, finds it anonymously, and serves it in every format', async () => {
    const created = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/records',
      payload: marc('Programming Perl'),
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect(created.json().summary).toMatchObject({ title: 'Programming Perl', isbns: ['9780596000271'] });

    const search = await s.http.inject({ method: 'GET', url: '/api/catalog/search?q=perl' });
    expect(search.statusCode).toBe(200);
    expect(search.json()).toMatchObject({ total: 1, hits: [{ id, title: 'Programming Perl' }] });
    expect(search.json().facets.format).toEqual([{ value: 'book', count: 1 }]);

    const xml = await s.http.inject({ method: 'GET', url: `/api/catalog/records/${id}?format=marcxml` });
    expect(xml.headers['content-type']).toContain('application/marcxml+xml');
    expect(xml.body).toContain('<subfield code="a">Programming Perl</subfield>');
    const text = await s.http.inject({ method: 'GET', url: `/api/catalog/records/${id}?format=text` });
    expect(text.body).toContain('=245  10$aProgramming Perl');
    const iso = await s.http.inject({ method: 'GET', url: `/api/catalog/records/${id}?format=iso2709` });
    expect(iso.rawPayload.at(-1)).toBe(0x1d);
    const byAccept = await s.http.inject({
      method: 'GET',
      url: `/api/catalog/records/${id}`,
      headers: { accept: 'application/marcxml+xml' },
    });
    expect(byAccept.body).toContain('<record');
    const marcAccept = await s.http.inject({
      method: 'GET',
      url: `/api/catalog/records/${id}`,
      headers: { accept: 'application/marc' },
    });
    expect(marcAccept.headers['content-type']).toBe('application/marc');
  });

  it('refuses edits without catalog.edit, a bad MARC record, and a stale version', async () => {
    expect(
      (await s.as(desk, { method: 'POST', url: '/api/catalog/records', payload: marc('X') })).statusCode,
    ).toBe(403);
    const bad = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/records',
      payload: { leader: 'short', fields: [] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^body\/leader/);
    const noTitle = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/records',
      payload: { leader: '00000nam a2200000 a 4500', fields: [] },
    });
    expect(noTitle.statusCode).toBe(400);
    expect(noTitle.json().error.code).toBe('INVALID_MARC');

    const { id } = (
      await s.as(cataloger, { method: 'POST', url: '/api/catalog/records', payload: marc('Versioned') })
    ).json();
    const ok = await s.as(cataloger, {
      method: 'PUT',
      url: `/api/catalog/records/${id}`,
      payload: { marc: marc('Versioned again'), expectedVersion: 1 },
    });
    expect(ok.json().version).toBe(2);
    const stale = await s.as(cataloger, {
      method: 'PUT',
      url: `/api/catalog/records/${id}`,
      payload: { marc: marc('Lost'), expectedVersion: 1 },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('RECORD_VERSION_CONFLICT');
  });

  it('adds items, finds one by barcode, and lists the shelf', async () => {
    const { id } = (
      await s.as(cataloger, { method: 'POST', url: '/api/catalog/records', payload: marc('With items') })
    ).json();
    const item = await s.as(cataloger, {
      method: 'POST',
      url: `/api/catalog/records/${id}/items`,
      payload: { barcode: '31234000000019', branchId, itemType: 'BOOK', callNumber: '005.133 WAL' },
    });
    expect(item.statusCode).toBe(201);
    expect(item.json()).toMatchObject({ status: 'in_processing', callNumberScheme: 'dewey' });
    const dup = await s.as(cataloger, {
      method: 'POST',
      url: `/api/catalog/records/${id}/items`,
      payload: { barcode: '31234000000019', branchId, itemType: 'BOOK' },
    });
    expect(dup.statusCode).toBe(409);
    const found = await s.as(desk, { method: 'GET', url: '/api/catalog/items?barcode=31234000000019' });
    expect(found.json().id).toBe(item.json().id);
    const released = await s.as(cataloger, {
      method: 'PATCH',
      url: `/api/catalog/items/${item.json().id}`,
      payload: { status: 'available' },
    });
    expect(released.json().status).toBe('available');
    const shelf = await s.as(desk, { method: 'GET', url: `/api/catalog/shelf-list?branchId=${branchId}` });
    expect(shelf.json().map((e: { barcode: string }) => e.barcode)).toEqual(['31234000000019']);
  });

  it('imports an uploaded MARC file in the background and reports its progress and problems', async () => {
    const upload = readFileSync(
      new URL('../../../../../testdata/marc/marc-perl/badldr.usmarc', import.meta.url),
    );
    const started = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/imports?fileName=badldr.usmarc&onDuplicate=add',
      payload: upload,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({
      status: 'running',
      fileName: 'badldr.usmarc',
      format: 'iso2709',
      sizeBytes: upload.length,
    });
    let job = started.json();
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await s.as(cataloger, { method: 'GET', url: `/api/catalog/imports/${job.id}` })).json();
    }
    expect(job).toMatchObject({ status: 'done', percent: 100, report: { read: 8, created: 6, failed: 2 } });
    expect(job.report.problems.some((p: { byteOffset: number }) => p.byteOffset === 472)).toBe(true);

    const notMarc = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/imports',
      payload: 'this is not a MARC file',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notMarc.statusCode).toBe(400);
    expect(notMarc.json().error.code).toBe('INVALID_MARC');
    const denied = await s.as(desk, {
      method: 'POST',
      url: '/api/catalog/imports',
      payload: upload,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('generates barcodes, releases processed items, and prints labels whose barcodes scan back', async () => {
    const { barcodes } = (
      await s.as(cataloger, { method: 'POST', url: '/api/catalog/barcodes', payload: { count: 3 } })
    ).json();
    expect(barcodes).toHaveLength(3);
    for (const barcode of barcodes) expect(barcode).toMatch(/^30001\d{9}$/);
    const { id } = (
      await s.as(cataloger, { method: 'POST', url: '/api/catalog/records', payload: marc('Labelled') })
    ).json();
    const itemIds: string[] = [];
    for (const [i, barcode] of barcodes.entries()) {
      const res = await s.as(cataloger, {
        method: 'POST',
        url: `/api/catalog/records/${id}/items`,
        payload: {
          barcode,
          branchId,
          itemType: 'BOOK',
          callNumber: 'QA76.73 .P22 W35 2000',
          volume: `v.${i + 1}`,
        },
      });
      itemIds.push(res.json().id);
    }
    const queue = (await s.as(desk, { method: 'GET', url: '/api/catalog/processing' })).json();
    expect(queue.map((q: { barcode: string }) => q.barcode)).toEqual(expect.arrayContaining(barcodes));
    const released = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/processing/release',
      payload: { itemIds },
    });
    expect(released.json()).toEqual({ released: 3 });
    expect(
      (
        await s.as(cataloger, {
          method: 'POST',
          url: '/api/catalog/processing/release',
          payload: { itemIds },
        })
      ).json(),
    ).toEqual({ released: 0 });

    const query = itemIds.map((i) => `item=${i}`).join('&');
    for (const kind of ['barcode', 'spine']) {
      const pdf = await s.as(desk, { method: 'GET', url: `/api/catalog/labels?kind=${kind}&${query}` });
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    }
    if (hasTools) {
      const pdf = await s.as(desk, { method: 'GET', url: `/api/catalog/labels?kind=barcode&${query}` });
      const dir = mkdtempSync(join(tmpdir(), 'stacks-labels-'));
      writeFileSync(join(dir, 'labels.pdf'), pdf.rawPayload);
      execFileSync('pdftoppm', ['-r', '300', '-png', join(dir, 'labels.pdf'), join(dir, 'page')]);
      const decoded = execFileSync('zbarimg', ['--raw', '-q', join(dir, 'page-1.png')], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(decoded.sort()).toEqual([...barcodes].sort());
      rmSync(dir, { recursive: true, force: true });
    }
    const unknown = await s.as(desk, {
      method: 'GET',
      url: '/api/catalog/labels?kind=spine&item=01900000-0000-7000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
  });
});
