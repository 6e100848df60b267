import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/create-test-app.ts';
import { testDialects } from '../../../test/dialects.ts';
import { makeBranch, makePatron, testActor } from '../../../test/factories.ts';
import { rowCounts } from '../../../test/row-counts.ts';
import { parseCsv } from '../../csv/index.ts';
import { fixedClock } from '../../kernel/clock.ts';
import { PATRON_CSV_COLUMNS, type PatronService } from './index.ts';

const HEADER = 'first_name,last_name,birth_date,email,category,home_branch,card_barcode,notes';

async function collect(rows: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of rows) out += chunk;
  return out;
}

describe.each(testDialects())('patron CSV import and export on %s', (dialect) => {
  const clock = fixedClock('2026-03-14T15:00:00.000Z');
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let patrons: PatronService;

  beforeAll(async () => {
    t = await createTestApp(dialect, { clock });
    patrons = t.app.services.patrons;
    await makeBranch(t.app, 'MAIN', 'America/Chicago');
    await makeBranch(t.app, 'EAST', 'America/New_York');
    await patrons.createCategory(testActor, {
      code: 'ADULT',
      name: 'Adults',
      loanLimit: 20,
      enrolmentMonths: 12,
    });
  });
  afterAll(async () => t.close());

  const lastAudit = async (action: string) =>
    (await t.app.services.audit.list({ entityType: 'patron', limit: 500 })).find((e) => e.action === action);

  it('imports good rows and reports each bad one with its row, column and reason', async () => {
    const csv = [
      HEADER,
      'Ada,Lovelace,1990-12-10,ada@example.org,ADULT,MAIN,CSV-0001,',
      'Bad,Email,,not-an-address,ADULT,MAIN,,',
      '"Doe, Jr.",Jo,1980-01-01,,ADULT,EAST,CSV-0002,"Prefers ""large"" print"',
      'No,Branch,,,ADULT,WEST,,',
      'No,Category,,,KIDS,MAIN,,',
      ',Nameless,,,ADULT,MAIN,,',
      'Too,Few,fields',
      'Future,Born,2099-01-01,,ADULT,MAIN,,',
      'Grace,Hopper,,,ADULT,MAIN,,',
    ].join('\r\n');
    const report = await patrons.importCsv(testActor, csv, { batchSize: 3 });
    expect(report).toMatchObject({ dryRun: false, rows: 9, created: 3, failed: 6, skipped: 0, warnings: [] });
    expect(report.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'email', 'INVALID_EMAIL'],
      [5, 'home_branch', 'BRANCH_NOT_FOUND'],
      [6, 'category', 'CATEGORY_NOT_FOUND'],
      [7, 'first_name', 'INVALID_CSV'],
      [8, null, 'INVALID_CSV'],
      [9, 'birth_date', 'INVALID_BIRTH_DATE'],
    ]);
    expect(report.errors[0]!.message).toBe(
      '"not-an-address" is not an e-mail address such as jo@example.org',
    );
    expect(report.errors[4]!.message).toBe('The row has 3 fields; the header has 8');
    const jo = await patrons.getByCard('CSV-0002');
    expect(jo).toMatchObject({
      firstName: 'Doe, Jr.',
      notes: 'Prefers "large" print',
      expiresOn: '2027-03-14',
    });
    expect((await patrons.getByCard('CSV-0001')).noticeChannel).toBe('email');
    const entry = await lastAudit('patron.imported');
    expect(entry!.changes).toEqual({ rows: 9, created: 3, updated: 0, skipped: 0, failed: 6 });
  });

  it('skips rows whose card is registered, or updates those patrons from the non-empty cells', async () => {
    const csv = [
      'card_barcode,first_name,last_name,email,phone,category,home_branch',
      'CSV-0001,Ada,Lovelace,,555-0101,ADULT,MAIN',
      'CSV-0002,"Doe, Jr.",Jo,,,ADULT,EAST',
    ].join('\n');
    const skipped = await patrons.importCsv(testActor, csv);
    expect(skipped).toMatchObject({ skipped: 2, created: 0, updated: 0, failed: 0 });
    expect((await patrons.getByCard('CSV-0001')).phone).toBeNull();

    const updated = await patrons.importCsv(testActor, csv, { onExisting: 'update' });
    expect(updated).toMatchObject({ updated: 1, unchanged: 1, failed: 0 });
    expect(await patrons.getByCard('CSV-0001')).toMatchObject({
      phone: '555-0101',
      email: 'ada@example.org',
    });
  });

  it('imports a possible duplicate with a warning instead of refusing it', async () => {
    const csv = `${HEADER}\r\nADA,LOVELACE,1990-12-10,,ADULT,MAIN,,\r\n`;
    const report = await patrons.importCsv(testActor, csv);
    expect(report).toMatchObject({ created: 1, failed: 0 });
    expect(report.warnings).toEqual([
      {
        row: 2,
        line: 2,
        column: null,
        code: 'PATRON_POSSIBLE_DUPLICATE',
        message: 'May be the same person as patron Ada Lovelace (card CSV-0001)',
      },
    ]);
  });

  it('redoes a batch row by row when the database refuses one row, and imports the others', async () => {
    const db = t.app.database.db;
    // A trigger stands in for a refusal no check foresaw (a constraint, another process's write).
    if (dialect === 'sqlite') {
      await sql`create trigger refuse_explode before insert on patrons when new.first_name = 'Explode'
        begin select raise(abort, 'refused by the test trigger'); end`.execute(db);
    } else {
      await sql`create function refuse_explode() returns trigger language plpgsql as $$
        begin if new.first_name = 'Explode' then raise exception 'refused by the test trigger'; end if; return new; end $$`.execute(
        db,
      );
      await sql`create trigger refuse_explode before insert on patrons for each row execute function refuse_explode()`.execute(
        db,
      );
    }
    try {
      const csv = `${HEADER}\r\nBefore,Boom,,,ADULT,MAIN,,\r\nExplode,Here,,,ADULT,MAIN,,\r\nAfter,Boom,,,ADULT,MAIN,,\r\n`;
      const report = await patrons.importCsv(testActor, csv, { batchSize: 10 });
      expect(report).toMatchObject({ created: 2, failed: 1 });
      expect(report.errors).toEqual([
        {
          row: 3,
          line: 3,
          column: null,
          code: 'ROW_REFUSED',
          message: expect.stringContaining('refused by the test trigger'),
        },
      ]);
      expect((await patrons.search({ q: 'boom' })).total).toBe(2);
    } finally {
      await sql`drop trigger refuse_explode${dialect === 'postgres' ? sql` on patrons` : sql``}`.execute(db);
      if (dialect === 'postgres') await sql`drop function refuse_explode()`.execute(db);
    }
  });

  it('checks everything in a dry run and writes nothing', async () => {
    const csv = `${HEADER}\r\nDry,Run,,,ADULT,MAIN,DRY-1,\r\nBad,Row,,x,ADULT,MAIN,,\r\n`;
    const before = await rowCounts(t.app.database.db);
    const report = await patrons.importCsv(testActor, csv, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, created: 1, failed: 1 });
    expect(await rowCounts(t.app.database.db)).toEqual(before);
  });

  it('refuses a card that was replaced', async () => {
    const p = await makePatron(t.app, { cardBarcode: 'OLD-CARD' });
    await patrons.replaceCard(testActor, p.id, {});
    const report = await patrons.importCsv(testActor, `${HEADER}\r\nA,B,,,ADULT,MAIN,OLD-CARD,\r\n`, {
      onExisting: 'update',
    });
    expect(report.errors).toMatchObject([{ row: 2, column: 'card_barcode', code: 'PATRON_CARD_REPLACED' }]);
  });

  it.each([
    ['', /empty/],
    ['first_name,last_name,category\r\n', /Missing column: home_branch/],
    ['first_name,last_name,category,home_branch,shoe_size\r\n', /Unknown column: "shoe_size"/],
    ['first_name,last_name,category,home_branch,email,EMAIL\r\n', /Column email appears twice/],
    ['first_name,last_name,category,home_branch\r\n"Ada,Lovelace,ADULT,MAIN\r\n', /not valid CSV: line 2/],
  ])('refuses an unusable file %j with INVALID_CSV and writes nothing', async (csv, message) => {
    const before = await rowCounts(t.app.database.db);
    await expect(patrons.importCsv(testActor, csv)).rejects.toMatchObject({
      code: 'INVALID_CSV',
      message: expect.stringMatching(message),
    });
    expect(await rowCounts(t.app.database.db)).toEqual(before);
  });

  it('exports active patrons in the import columns, without PINs, and the export imports back as-is', async () => {
    await makePatron(t.app, {
      firstName: 'Zoë',
      lastName: 'Quote "Q"',
      address: '1 Main St\nApt 2, Springfield',
      pin: '2468',
    });
    const deleted = await makePatron(t.app, { firstName: 'Gone' });
    await patrons.deletePatron(testActor, deleted.id);
    const progress: number[] = [];
    const text = await collect(patrons.exportCsv(testActor, { onProgress: (done) => progress.push(done) }));
    const records = parseCsv(text).map((r) => r.fields);
    expect(records[0]).toEqual([...PATRON_CSV_COLUMNS]);
    const active = await patrons.countActivePatrons();
    expect(records.length - 1).toBe(active);
    expect(progress.at(-1)).toBe(active);
    const zoe = records.find((r) => r[1] === 'Zoë')!;
    expect(zoe[2]).toBe('Quote "Q"');
    expect(zoe[6]).toBe('1 Main St\nApt 2, Springfield');
    // makePatron's default branch is the first by name.
    expect(zoe[8]).toBe('EAST');
    expect(text).not.toMatch(/scrypt|Gone/);

    const again = await patrons.importCsv(testActor, text);
    expect(again).toMatchObject({ rows: active, skipped: active, failed: 0 });
    const updated = await patrons.importCsv(testActor, text, { onExisting: 'update' });
    expect(updated).toMatchObject({ unchanged: active, failed: 0 });
    const entry = await lastAudit('patron.exported_csv');
    expect(entry!.changes).toEqual({ patrons: active });
  });
});
