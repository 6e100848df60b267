import { createHash } from 'node:crypto';
import type { BibIdentifierRow } from '../../db/schema.ts';
import { type MarcRecord, toMarcJsonText } from '../../marc/index.ts';
import { type BibSummary, summarize } from './bib-summary.ts';
import { HOLDINGS_TAGS } from './holdings.ts';
import type { SearchDocument } from './search-repository.ts';
import { analyze } from './search-text.ts';

/**
 * What a record's rows are made of, worked out from its MARC: pure (no database), so an import can do
 * it in a worker thread (see `import-worker.ts`).
 */

/** The search document of a summary: what each indexed field holds, analysed. */
export function searchDocument(s: BibSummary): SearchDocument {
  return {
    title: analyze(s.title),
    author: analyze([...s.authors, s.responsibility ?? ''].join(' ')),
    subject: analyze(s.subjects.join(' ')),
    series: analyze(s.series.join(' ')),
    other: [
      analyze([...s.notes, s.publisher ?? '', s.edition ?? ''].join(' ')),
      ...s.isbns,
      ...s.issns.map((i) => i.replace('-', '')),
      s.lccn ?? '',
      ...s.oclcNumbers,
      analyze(s.controlNumber ?? ''),
    ]
      .filter(Boolean)
      .join(' '),
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
