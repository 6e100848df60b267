import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../../../test/create-test-server.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makeStaffUser } from '../../../test/factories.ts';

/** One ISO 2709 record from raw field texts (latin1: one character per byte), MARC-8. */
function iso(fields: [string, string][]): Buffer {
  let directory = '';
  let data = '';
  for (const [tag, text] of fields) {
    directory += tag + String(text.length + 1).padStart(4, '0') + String(data.length).padStart(5, '0');
    data += `${text}\x1e`;
  }
  directory += '\x1e';
  const base = 24 + directory.length;
  const length = base + data.length + 1;
  const leader = `${String(length).padStart(5, '0')}nam  22${String(base).padStart(5, '0')} a 4500`;
  return Buffer.from(`${leader}${directory}${data}\x1d`, 'latin1');
}

describe.each(testDialects())('an imported record’s original, over HTTP, on %s', (dialect) => {
  let s: Awaited<ReturnType<typeof createTestServer>>;
  let cataloger: string;
  let desk: string;

  beforeAll(async () => {
    s = await createTestServer(dialect);
    await makeStaffUser(s.app, 'cataloger', ['catalog.edit']);
    await makeStaffUser(s.app, 'desk', []);
    cataloger = await s.login('cataloger');
    desk = await s.login('desk');
    await makeBranch(s.app);
  });
  afterAll(async () => s.close());

  async function upload(fileName: string, body: Buffer | string) {
    const started = await s.as(cataloger, {
      method: 'POST',
      url: `/api/catalog/imports?fileName=${fileName}&onDuplicate=add`,
      payload: body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(started.statusCode).toBe(202);
    let job = started.json();
    for (let i = 0; i < 200 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await s.as(cataloger, { method: 'GET', url: `/api/catalog/imports/${job.id}` })).json();
    }
    expect(job.status).toBe('done');
    return job;
  }

  async function idOf(title: string): Promise<string> {
    const search = await s.http.inject({
      method: 'GET',
      url: `/api/catalog/search?q=${encodeURIComponent(title)}`,
    });
    return search.json().hits[0].id;
  }

  it('serves the bytes an upload imported, as an attachment, to any staff member', async () => {
    const first = iso([['245', '00\x1faAn original upload']]);
    const second = iso([
      ['245', '00\x1faSecond upload record with a \xbf byte'],
      ['852', '  \x1fbMAIN\x1fhShelved somewhere'],
    ]);
    const job = await upload('originals.mrc', Buffer.concat([first, second]));

    // the report places each problem at its own byte and names its field
    expect(job.report.problems).toContainEqual({
      recordIndex: 1,
      byteOffset: first.length + second.indexOf(0xbf),
      recordOffset: first.length,
      severity: 'error',
      code: 'INVALID_MARC8',
      tag: '245',
      message: expect.stringContaining('0xBF'),
    });
    expect(job.report.problems).toContainEqual(
      expect.objectContaining({ recordIndex: 1, recordOffset: first.length, code: null, tag: '852' }),
    );

    const id = await idOf('Second upload record');
    const res = await s.as(desk, { method: 'GET', url: `/api/catalog/records/${id}/source` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/marc');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.original.mrc"`);
    expect(res.rawPayload).toEqual(second);
    expect((await s.app.services.catalogImport.recordSource(id)).importId).toBe(job.id);
  });

  it('never lets a MARCXML original run in the browser', async () => {
    const record =
      '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>' +
      '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Scripted original</subfield></datafield>' +
      '<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script></record>';
    await upload('scripted.xml', `<collection>${record}</collection>`);
    const id = await idOf('Scripted original');
    const res = await s.as(desk, { method: 'GET', url: `/api/catalog/records/${id}/source` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(record);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.original.xml"`);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for a record without an original and 401 without a session', async () => {
    const made = await s.as(cataloger, {
      method: 'POST',
      url: '/api/catalog/records',
      payload: {
        leader: '00000nam a2200000 a 4500',
        fields: [{ '245': { ind1: '0', ind2: '0', subfields: [{ a: 'Catalogued by hand' }] } }],
      },
    });
    const missing = await s.as(desk, { method: 'GET', url: `/api/catalog/records/${made.json().id}/source` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('RECORD_SOURCE_NOT_FOUND');
    const anonymous = await s.http.inject({
      method: 'GET',
      url: `/api/catalog/records/${made.json().id}/source`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
