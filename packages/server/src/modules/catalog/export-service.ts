import type { Database } from '../../db/database.ts';
import {
  type DataField,
  fromMarcJson,
  type MarcRecord,
  writeIso2709,
  writeMarcJsonArray,
  writeMarcXmlCollection,
} from '../../marc/index.ts';
import type { BranchService } from '../branches/index.ts';
import * as repo from './catalog-repository.ts';
import { parseQuery } from './search-query.ts';
import { recordsAfter, type SearchFilters } from './search-repository.ts';

/** Koha-style 952 item field for an item, so exported files carry their holdings and import again. */
function itemField(
  item: Awaited<ReturnType<typeof repo.findItemsOfRecords>>[number],
  branchCode: string,
): DataField {
  const subfields: { code: string; value: string }[] = [];
  const add = (code: string, value: string | null | undefined) => {
    if (value) subfields.push({ code, value });
  };
  add('a', branchCode);
  add('b', branchCode);
  add('c', item.location);
  add('o', item.call_number);
  add('p', item.barcode);
  add('y', item.item_type);
  add('t', item.copy_number);
  add('h', item.volume);
  if (item.price_minor !== null) add('g', (Number(item.price_minor) / 100).toFixed(2));
  add('z', item.public_note);
  add('x', item.staff_note);
  if (item.status === 'withdrawn') add('0', '1');
  if (item.status === 'lost') add('1', '1');
  if (item.status === 'damaged') add('4', '1');
  return { tag: '952', ind1: ' ', ind2: ' ', subfields };
}

/** The file formats an export can be written in. */
export const EXPORT_FORMATS = ['iso2709', 'marcxml', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Media type and file name ending of each export format. */
export const EXPORT_FILE_TYPES: Record<ExportFormat, { contentType: string; extension: string }> = {
  iso2709: { contentType: 'application/marc', extension: 'mrc' },
  marcxml: { contentType: 'application/marcxml+xml; charset=utf-8', extension: 'xml' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
};

/** True for a known export format name. */
export function isExportFormat(name: string): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name);
}

/**
 * The bytes of an export file, a piece at a time: ISO 2709 records one after another, a MARCXML
 * `<collection>`, or a MARC-in-JSON array. Used by `stacks export` and `GET /api/catalog/export`.
 */
export async function* writeExport(
  records: AsyncIterable<MarcRecord>,
  format: ExportFormat,
): AsyncGenerator<Uint8Array | string> {
  if (format === 'iso2709') for await (const record of records) yield writeIso2709(record);
  else if (format === 'marcxml') yield* writeMarcXmlCollection(records);
  else yield* writeMarcJsonArray(records);
}

/** Streaming exports of catalog records, with their items embedded. */
export function createExportService(deps: { database: Database; branches: BranchService }) {
  const { database } = deps;
  const db = database.db;
  return {
    /**
     * Every record matching `q` (all records when empty), in catalog order, with each item as a 952
     * field. Reads a page at a time, so an export of any size runs in constant memory.
     */
    async *exportRecords(q = '', filters: SearchFilters = {}, pageSize = 1000): AsyncGenerator<MarcRecord> {
      const query = parseQuery(q);
      const branchCodes = new Map((await deps.branches.listBranches()).map((b) => [b.id, b.code] as const));
      let after = 0;
      for (;;) {
        const rows = await recordsAfter(database, db, query, filters, after, pageSize);
        if (rows.length === 0) return;
        const items = await repo.findItemsOfRecords(
          db,
          rows.map((r) => r.id),
        );
        for (const row of rows) {
          const marc = fromMarcJson(JSON.parse(row.marc)).record!;
          const fields = [...marc.fields];
          for (const item of items)
            if (item.record_id === row.id)
              fields.push(itemField(item, branchCodes.get(item.branch_id) ?? ''));
          yield { leader: marc.leader, fields };
        }
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
