import { createHash } from 'node:crypto';
import type { BibIdentifierRow } from '../../db/schema.ts';
import {
  ISO2709_MAX_FIELD_BYTES,
  ISO2709_MAX_RECORD_BYTES,
  iso2709Size,
  type MarcRecord,
  toMarcJsonText,
} from '../../marc/index.ts';
import { type BibSummary, summarize } from './bib-summary.ts';
import { HOLDINGS_TAGS } from './holdings.ts';
import type { SearchDocument } from './search-repository.ts';
import { analyze, MAX_ANALYZED_LENGTH } from './search-text.ts';

/**
 * What a record's rows are made of, worked out from its MARC: pure (no database), so an import can do
 * it in a worker thread (see `import-worker.ts`).
 */

/**
 * The most of the `other` field indexed: its analysed notes and its identifiers, of which a record can
 * hold any number (whole words only).
 */
const MAX_OTHER_LENGTH = 2 * MAX_ANALYZED_LENGTH;

/** Analysed text cut to at most `max` characters between two words. */
function cutWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max);
  return text.slice(0, Math.max(space, 0));
}

/** The search document of a summary: what each indexed field holds, analysed (each field bounded). */
export function searchDocument(s: BibSummary): SearchDocument {
  return {
    title: analyze(s.title),
    author: analyze([...s.authors, s.responsibility ?? ''].join(' ')),
    subject: analyze(s.subjects.join(' ')),
    series: analyze(s.series.join(' ')),
    other: cutWords(
      [
        analyze([...s.notes, s.publisher ?? '', s.edition ?? ''].join(' ')),
        ...s.isbns,
        ...s.issns.map((i) => i.replace('-', '')),
        s.lccn ?? '',
        ...s.oclcNumbers,
        analyze(s.controlNumber ?? ''),
      ]
        .filter(Boolean)
        .join(' '),
      MAX_OTHER_LENGTH,
    ),
  };
}

/** The identifiers a record can be matched by when it arrives again. */
export function identifiersOf(summary: BibSummary, marc: MarcRecord): Omit<BibIdentifierRow, 'record_id'>[] {
  const ids: Omit<BibIdentifierRow, 'record_id'>[] = [];
  for (const value of summary.isbns) ids.push({ kind: 'isbn', value });
  for (const value of summary.issns) ids.push({ kind: 'issn', value });
  for (const value of summary.oclcNumbers) ids.push({ kind: 'oclc', value });
  for (const value of summary.systemNumbers) ids.push({ kind: 'system', value });
  if (summary.lccn) ids.push({ kind: 'lccn', value: summary.lccn });
  if (summary.controlNumber) ids.push({ kind: 'control', value: summary.controlNumber });
  ids.push({ kind: 'hash', value: contentHash(marc) });
  return ids;
}

/**
 * A fingerprint of the record's content, to recognise a record imported before: the leader (without
 * lengths and base address) and every field but 005 (date of last transaction) and the holdings tags.
 */
export function contentHash(marc: MarcRecord): string {
  // One string hashed at once (the same bytes as updating field by field, far fewer calls).
  let text = `${marc.leader.slice(5, 12)}${marc.leader.slice(17)}\u001e`;
  for (const f of marc.fields) {
    if (f.tag === '005' || HOLDINGS_TAGS.has(f.tag)) continue;
    if ('subfields' in f) {
      text += `${f.tag}${f.ind1}${f.ind2}`;
      for (const sf of f.subfields) text += `\u001f${sf.code}${sf.value}`;
      text += '\u001e';
    } else {
      text += `${f.tag}${f.value}\u001e`;
    }
  }
  return createHash('sha1').update(text).digest('hex');
}

/**
 * A record ready to write: its summary, identifiers, MARC-in-JSON text and search document already
 * worked out (plain data: an import prepares records in a worker thread and sends them over).
 */
export interface PreparedRecord {
  summary: BibSummary;
  identifiers: Omit<BibIdentifierRow, 'record_id'>[];
  marcJson: string;
  doc: SearchDocument;
}

/** Works out what a record's rows need. */
export function prepareRecord(marc: MarcRecord): PreparedRecord {
  const summary = summarize(marc);
  return {
    summary,
    identifiers: identifiersOf(summary, marc),
    marcJson: toMarcJsonText(marc),
    doc: searchDocument(summary),
  };
}

/**
 * What of a record passes what ISO 2709 can hold (a field of 9,999 bytes, a record of 99,999), in
 * words and figures, or null. Create and update refuse such a record; an import keeps it and reports
 * it; ISO 2709 exports cut the field or leave fields out, and report that.
 */
export function iso2709Excess(
  marc: MarcRecord,
): { message: string; field: string | null; bytes: number; limit: number } | null {
  const { recordBytes, largestField } = iso2709Size(marc);
  const n = (x: number) => x.toLocaleString('en-US');
  if (largestField !== null && largestField.bytes > ISO2709_MAX_FIELD_BYTES)
    return {
      message: `field ${largestField.tag} is ${n(largestField.bytes)} bytes, more than the ${n(ISO2709_MAX_FIELD_BYTES)} an ISO 2709 field can hold`,
      field: largestField.tag,
      bytes: largestField.bytes,
      limit: ISO2709_MAX_FIELD_BYTES,
    };
  if (recordBytes > ISO2709_MAX_RECORD_BYTES)
    return {
      message: `the record is ${n(recordBytes)} bytes, more than the ${n(ISO2709_MAX_RECORD_BYTES)} an ISO 2709 record can hold`,
      field: null,
      bytes: recordBytes,
      limit: ISO2709_MAX_RECORD_BYTES,
    };
  return null;
}
