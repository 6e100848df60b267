import type { Database } from '../../db/database.ts';
import {
  controlValue,
  type DataField,
  fromMarcJson,
  MARCXML_COLLECTION_FOOTER,
  MARCXML_COLLECTION_HEADER,
  type MarcProblem,
  type MarcProblemCode,
  type MarcRecord,
  toMarcJson,
  toMarcXml,
  writeIso2709,
} from '../../marc/index.ts';
import type { BranchService } from '../branches/index.ts';
import * as repo from './catalog-repository.ts';
import { parseQuery } from './search-query.ts';
import { recordsAfter, type SearchFilters, searchRecords } from './search-repository.ts';

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

/** One catalog record on its way to an export file: its MARC, or null when the stored MARC cannot be read. */
export interface ExportEntry {
  id: string;
  record: MarcRecord | null;
  /** Why `record` is null. */
  error?: string;
}

/** One repair (or skip) an export made, with what names the record in the catalog. */
export interface ExportProblem {
  /** 0-based position of the record in the export. */
  recordIndex: number;
  recordId: string;
  /** The record's control number (001), if it has one. */
  controlNumber: string | null;
  /** The field's tag as the catalog holds it, when the problem is in one field. */
  tag: string | null;
  severity: 'error' | 'warning';
  code: MarcProblemCode | 'RECORD_SKIPPED';
  message: string;
}

/** What an export wrote and what it had to repair or leave out. */
export interface ExportReport {
  format: ExportFormat;
  /** Records read from the catalog. */
  records: number;
  /** Records in the file. */
  written: number;
  /** Records in the file with at least one repair (each in `problems`). */
  repaired: number;
  /** Records left out of the file (each in `problems`). */
  skipped: number;
  problems: ExportProblem[];
  /** Problems left out of `problems` once it reached its cap. */
  problemsOmitted: number;
}

/** Problems an export report lists; past this many it only counts them. */
export const MAX_EXPORT_PROBLEMS = 10_000;

/** An empty report, for {@link writeExport} to fill. */
export function newExportReport(format: ExportFormat): ExportReport {
  return { format, records: 0, written: 0, repaired: 0, skipped: 0, problems: [], problemsOmitted: 0 };
}

/**
 * The bytes of an export file, a piece at a time: ISO 2709 records one after another, a MARCXML
 * `<collection>`, or a MARC-in-JSON array. Used by `stacks export`, `GET /api/catalog/export` and
 * export jobs.
 *
 * One record never stops an export: the writers repair what a format cannot carry (see
 * `writeIso2709` and `toMarcXml`; MARC-in-JSON carries any value as it is), and a record that still
 * cannot be written is left out. Each repair and skip goes to `report`, with the record's position, id
 * and control number. Only a failure of `entries` itself (the database) ends the export early, by
 * throwing: the caller must then not pass the bytes so far off as a complete file.
 */
export async function* writeExport(
  entries: AsyncIterable<ExportEntry>,
  format: ExportFormat,
  report: ExportReport = newExportReport(format),
): AsyncGenerator<Uint8Array | string> {
  const add = (problem: ExportProblem) => {
    if (report.problems.length < MAX_EXPORT_PROBLEMS) report.problems.push(problem);
    else report.problemsOmitted++;
  };
  if (format === 'marcxml') yield MARCXML_COLLECTION_HEADER;
  let first = true;
  for await (const entry of entries) {
    const recordIndex = report.records++;
    const controlNumber = (entry.record && controlValue(entry.record, '001')) ?? null;
    const found: MarcProblem[] = [];
    const onProblem = (p: MarcProblem) => found.push(p);
    let chunk: Uint8Array | string | null = null;
    let failure = entry.error ?? 'the stored record could not be read';
    if (entry.record) {
      try {
        if (format === 'iso2709') chunk = writeIso2709(entry.record, { onProblem });
        else if (format === 'marcxml')
          chunk = `${toMarcXml(entry.record, { onProblem, hasNamespace: false, recordIndex })}\n`;
        else chunk = `${first ? '[\n' : ',\n'}${JSON.stringify(toMarcJson(entry.record))}`;
      } catch (error) {
        chunk = null;
        failure = (error as Error).message;
      }
    }
    const where = { recordIndex, recordId: entry.id, controlNumber };
    if (chunk === null) {
      report.skipped++;
      add({
        ...where,
        tag: null,
        severity: 'error',
        code: 'RECORD_SKIPPED',
        message: `record left out: ${failure}`,
      });
      continue;
    }
    report.written++;
    if (found.length > 0) report.repaired++;
    for (const p of found)
      add({ ...where, tag: p.tag ?? null, severity: p.severity, code: p.code, message: p.message });
    first = false;
    yield chunk;
  }
  if (format === 'marcxml') yield MARCXML_COLLECTION_FOOTER;
  else if (format === 'json') yield first ? '[]\n' : '\n]\n';
}

/** Streaming exports of catalog records, with their items embedded. */
export function createExportService(deps: { database: Database; branches: BranchService }) {
  const { database } = deps;
  const db = database.db;
  return {
    /** How many records match `q` (every record when empty): what an export of it will read. */
    async countRecords(q = ''): Promise<number> {
      const query = parseQuery(q);
      if (query === null) return repo.countRecords(db);
      const page = await searchRecords(database, db, {
        query,
        filters: {},
        sort: 'relevance',
        limit: 1,
        offset: 0,
        facetLimit: 1,
      });
      return page.total;
    },

    /**
     * Every record matching `q` (all records when empty), in catalog order, with each item as a 952
     * field. Reads a page at a time, so an export of any size runs in constant memory.
     */
    async *exportRecords(q = '', filters: SearchFilters = {}, pageSize = 1000): AsyncGenerator<ExportEntry> {
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
          let marc: MarcRecord | null = null;
          try {
            marc = fromMarcJson(JSON.parse(row.marc)).record;
          } catch (error) {
            yield {
              id: row.id,
              record: null,
              error: `its stored MARC-in-JSON is not JSON (${(error as Error).message})`,
            };
            continue;
          }
          if (marc === null) {
            yield { id: row.id, record: null, error: 'its stored MARC-in-JSON is not a record' };
            continue;
          }
          const fields = [...marc.fields];
          for (const item of items)
            if (item.record_id === row.id)
              fields.push(itemField(item, branchCodes.get(item.branch_id) ?? ''));
          yield { id: row.id, record: { leader: marc.leader, fields } };
        }
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
