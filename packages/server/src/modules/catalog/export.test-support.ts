import type { Database } from '../../db/database.ts';
import { systemActor } from '../../kernel/actor.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { MarcRecord } from '../../marc/index.ts';
import { writeNewRecords } from './catalog-service.ts';
import { prepareRecord } from './record-prepare.ts';

/** Test support for exports: a damaged record as other systems' files leave them. */

export const LEADER = '00000nam a2200000 a 4500';

/** Every kind of damage found in files from other systems, in one record (control number `dmg-1`). */
export const DAMAGED: MarcRecord = {
  leader: LEADER,
  fields: [
    { tag: '001', value: 'dmg-1' },
    { tag: 'FMT', value: 'BK' },
    { tag: '008', value: '990101s2001    nyu           000 0 eng d' },
    { tag: '42', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'lost its leading zero' }] },
    { tag: '0°1', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'damaged tag' }] },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Damaged record' },
        { code: 'é', value: 'odd code' },
      ],
    },
    { tag: '650', ind1: 'é', ind2: '0', subfields: [{ code: 'a', value: 'Odd indicator' }] },
    // over the 9,999 bytes an ISO 2709 field holds: the edge refuses it now, older records may have it
    { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'n'.repeat(12_000) }] },
  ],
};

/** A sound record with a title, as a MarcRecord. */
export function goodRecord(title: string): MarcRecord {
  return {
    leader: LEADER,
    fields: [
      { tag: '008', value: '990101s2001    nyu           000 0 eng d' },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: title }] },
    ],
  };
}

/**
 * Stores a record as it is, past the checks of create and update: as an import from another system
 * or an older version of Stacks may have left it. Returns its id.
 */
export async function storeAsIs(
  app: { database: Database; clock: Clock },
  marc: MarcRecord,
): Promise<string> {
  const database = app.database;
  const [written] = await database.db
    .transaction()
    .execute((trx) =>
      writeNewRecords(database, trx, app.clock.now(), systemActor('test'), [prepareRecord(marc)]),
    );
  return written!.id;
}

/** Every chunk of an export as one buffer. */
export function bytesOf(chunks: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}
