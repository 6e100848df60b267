import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../app.ts';
import type { Actor } from '../kernel/actor.ts';
import { type DataField, type ReadResult, readMarcFile } from '../marc/index.ts';
import type { Branch } from '../modules/branches/index.ts';
import { summarize } from '../modules/catalog/index.ts';
import { PACKAGE_DIR } from '../version.ts';

/** The demo records shipped with the server (see demo/SOURCES.md). */
export const DEMO_RECORDS_DIR = join(PACKAGE_DIR, 'demo', 'records');

const ITEM_TYPE_OF_FORMAT: Record<string, string> = {
  music: 'CD',
  audiobook: 'CD',
  video: 'DVD',
  serial: 'MAG',
};

/**
 * Imports the demo records with items spread over the branches: every record gets a copy at one
 * branch, every third one a second copy at the other, with call numbers from 050/082 when the record
 * has them. Items are added as 952 fields, so the import itself creates them, in its batches.
 */
export async function seedDemoCatalog(
  app: App,
  actor: Actor,
  branches: Branch[],
): Promise<{ records: number; items: number }> {
  const files = readdirSync(DEMO_RECORDS_DIR).sort();
  let records = 0;
  let items = 0;
  let barcodes: string[] = [];
  const nextBarcode = async () => {
    if (barcodes.length === 0) barcodes = await app.services.processing.nextItemBarcodes(500);
    return barcodes.shift()!;
  };
  let index = 0;
  async function* withItems(source: AsyncIterable<ReadResult>): AsyncGenerator<ReadResult> {
    for await (const result of source) {
      if (result.record) {
        const summary = summarize(result.record);
        const copies = index % 3 === 0 ? 2 : 1;
        const fields: DataField[] = [];
        for (let c = 0; c < copies; c++) {
          const branch = branches[(index + c) % branches.length]!;
          const callNumber =
            summary.lcCallNumber ??
            summary.deweyCallNumber ??
            `${(ITEM_TYPE_OF_FORMAT[summary.format] ?? 'BOOK').slice(0, 3)} ${summary.titleSort.slice(0, 3).toUpperCase()}`;
          fields.push({
            tag: '952',
            ind1: ' ',
            ind2: ' ',
            subfields: [
              { code: 'a', value: branch.code },
              { code: 'c', value: 'STACKS' },
              { code: 'o', value: callNumber },
              { code: 'p', value: await nextBarcode() },
              { code: 'y', value: ITEM_TYPE_OF_FORMAT[summary.format] ?? 'BOOK' },
              { code: 't', value: String(c + 1) },
              // A few copies that went missing or were damaged, as any real catalog has.
              ...(index % 97 === 5
                ? [{ code: '1', value: '1' }]
                : index % 89 === 7
                  ? [{ code: '4', value: '1' }]
                  : []),
            ],
          });
        }
        result.record.fields.push(...fields);
        index++;
      }
      yield result;
    }
  }
  for (const file of files) {
    const { records: source } = await readMarcFile(join(DEMO_RECORDS_DIR, file));
    const report = await app.services.catalogImport.importRecords(actor, withItems(source), {
      onDuplicate: 'skip',
    });
    records += report.created;
    items += report.itemsCreated;
  }
  return { records, items };
}
