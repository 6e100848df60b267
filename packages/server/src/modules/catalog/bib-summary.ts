import { normalizeIsbn, normalizeIssn } from '../../isbn/index.ts';
import { type DataField, isControlField, isDataField, type MarcRecord } from '../../marc/record.ts';
import { cutText } from './search-text.ts';

/**
 * What the system needs from a bibliographic record, extracted from its MARC 21 fields: shown in
 * result lists, searched, faceted and used to find duplicates. The MARC record stays the source of
 * truth; this is recomputed whenever the record changes.
 */
export interface BibSummary {
  /** 001 control number. */
  controlNumber: string | null;
  /** 245 $a $b $n $p, ISBD punctuation trimmed. */
  title: string;
  /** The title without its leading article (245 second indicator = non-filing characters), folded for sorting. */
  titleSort: string;
  /** 245 $c statement of responsibility. */
  responsibility: string | null;
  /** 100/110/111 then 700/710/711, each as `$a $b $c $d $q`. */
  authors: string[];
  /** 6XX subject access fields, subdivisions joined with ` -- `. */
  subjects: string[];
  /** 490 $a and 830 $a series statements. */
  series: string[];
  /** 020 $a ISBNs normalised to ISBN-13 digits. */
  isbns: string[];
  /** 022 $a ISSNs, normalised `1234-5679`. */
  issns: string[];
  /** 010 $a Library of Congress Control Number, normalised. */
  lccn: string | null;
  /** OCLC numbers from 035 $a `(OCoLC)…` (and 001 when 003 is OCoLC), digits only. */
  oclcNumbers: string[];
  /** 035 $a system control numbers as written (duplicate detection). */
  systemNumbers: string[];
  /** 264 (second indicator 1) or 260 $b. */
  publisher: string | null;
  /** 008/07-10 Date 1, else the first four-digit year in 264/260 $c. */
  year: number | null;
  /** 008/35-37, else 041 $a: a MARC language code such as `eng`. */
  language: string | null;
  /** Material type from leader/06-07 and 008 form of item. */
  format: BibFormat;
  /** 250 $a. */
  edition: string | null;
  /** 5XX $a general notes and summaries. */
  notes: string[];
  /** Suggested call numbers: 050 (LC) and 082 (Dewey). */
  lcCallNumber: string | null;
  deweyCallNumber: string | null;
}

/** The material types a catalog facets on. */
export const BIB_FORMATS = {
  book: 'Book',
  ebook: 'E-book',
  serial: 'Journal or magazine',
  score: 'Music score',
  map: 'Map',
  video: 'Video',
  audiobook: 'Audiobook and spoken word',
  music: 'Music recording',
  image: 'Picture',
  software: 'Software or computer file',
  kit: 'Kit',
  mixed: 'Mixed materials',
  object: 'Object',
  manuscript: 'Manuscript',
  other: 'Other',
} as const;
export type BibFormat = keyof typeof BIB_FORMATS;

/**
 * Bounds on what a summary keeps of a record's text, in UTF-16 code units (the MARC keeps everything).
 * Summaries are shown in result lists, searched, sorted and faceted on, so every value is bounded:
 *
 * - free text (title, statement of responsibility, series, notes, publisher, edition) is cut to
 *   {@link MAX_TEXT_LENGTH};
 * - values sorted or faceted on (the sort title, authors, subjects, call numbers) are cut to
 *   {@link MAX_HEADING_LENGTH}: they go into database indexes, and PostgreSQL refuses an index entry
 *   over 2,704 bytes; 200 code units make at most 1,800 bytes even decomposed for a sort key, and it is
 *   the longest facet value a search filter takes;
 * - identifiers longer than {@link MAX_IDENTIFIER_LENGTH} are left out, not cut: a cut identifier
 *   could match another record's.
 */
export const MAX_TEXT_LENGTH = 4000;
export const MAX_HEADING_LENGTH = 200;
export const MAX_IDENTIFIER_LENGTH = 200;

/** Characters ISBD punctuation and spacing leave at the end of a subfield. */
const TRAILING = new Set([' ', '/', ':', ';', ',', '=', '.']);

function clean(text: string): string {
  // Only the start of a long value can end up in the summary: the rest is not worked on. Trailing
  // punctuation is taken off in a loop: a regular expression anchored at the end retries from every
  // position of a long run of punctuation, which takes time in the square of its length.
  const spaced = cutText(text, 2 * MAX_TEXT_LENGTH).replace(/\s+/g, ' ');
  let end = spaced.length;
  while (end > 0 && TRAILING.has(spaced[end - 1]!)) end--;
  return spaced.slice(0, end).trim();
}

/** `value` when it is short enough to be an identifier (see {@link MAX_IDENTIFIER_LENGTH}), else null. */
function identifier(value: string | null | undefined): string | null {
  return value && value.length <= MAX_IDENTIFIER_LENGTH ? value : null;
}

function subfieldText(field: DataField, codes: string, separator = ' '): string {
  return clean(
    field.subfields
      .filter((s) => codes.includes(s.code))
      .map((s) => s.value.trim())
      .filter(Boolean)
      .join(separator),
  );
}

function controlValue(record: MarcRecord, tag: string): string | null {
  const field = record.fields.find((f) => f.tag === tag && isControlField(f));
  return field && isControlField(field) ? field.value : null;
}

function dataFields(record: MarcRecord, ...tags: string[]): DataField[] {
  return record.fields.filter((f): f is DataField => isDataField(f) && tags.includes(f.tag));
}

function unique(values: (string | null | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** Leader/06 type of record, leader/07 bibliographic level and 008 form of item to a material type. */
export function bibFormat(leader: string, field008: string | null): BibFormat {
  const type = leader[6] ?? ' ';
  const level = leader[7] ?? ' ';
  const formOfItem = (pos: number) => field008?.[pos] ?? ' ';
  switch (type) {
    case 'a':
      if (level === 's' || level === 'i') return 'serial';
      return ['o', 'q', 's'].includes(formOfItem(23)) ? 'ebook' : 'book';
    case 't':
      return 'manuscript';
    case 'c':
    case 'd':
      return 'score';
    case 'e':
    case 'f':
      return 'map';
    case 'g':
      return 'video';
    case 'i':
      return 'audiobook';
    case 'j':
      return 'music';
    case 'k':
      return 'image';
    case 'm':
      return 'software';
    case 'o':
      return 'kit';
    case 'p':
      return 'mixed';
    case 'r':
      return 'object';
    default:
      return 'other';
  }
}

/** Title without the leading article the cataloger marked as non-filing (245 second indicator). */
function sortableTitle(title: string, nonFiling: string): string {
  const skip = /^[0-9]$/.test(nonFiling) ? Number(nonFiling) : 0;
  const key = title
    .slice(skip)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}]+/u, '');
  return cutText(key, MAX_HEADING_LENGTH);
}

function normalizeLccn(text: string): string | null {
  // LCCN normalisation (LC, "LCCN structure"): drop blanks and anything after a slash; a hyphen
  // separates the year from a serial number that is padded to six digits.
  let value = text.replace(/\s+/g, '').split('/')[0]!.toLowerCase();
  const hyphen = value.indexOf('-');
  if (hyphen >= 0) value = value.slice(0, hyphen) + value.slice(hyphen + 1).padStart(6, '0');
  return value === '' ? null : value;
}

function oclcNumber(text: string): string | null {
  const match = /^\s*\(OCoLC\)\s*(?:ocm|ocn|on)?0*(\d+)/i.exec(text);
  return match ? match[1]! : null;
}

/** Extracts the summary of a bibliographic record. */
export function summarize(record: MarcRecord): BibSummary {
  const f008 = controlValue(record, '008');
  const f245 = dataFields(record, '245')[0];
  const title = f245 ? cutText(subfieldText(f245, 'abnp'), MAX_TEXT_LENGTH) : '';
  const date1 = f008?.slice(7, 11) ?? '';
  const pubFields = [
    ...dataFields(record, '264').filter((f) => f.ind2 === '1'),
    ...dataFields(record, '260'),
  ];
  const yearFromText = pubFields
    .map((f) => /\b(1\d{3}|20\d{2})\b/.exec(subfieldText(f, 'c'))?.[1])
    .find(Boolean);
  const year = /^\d{4}$/.test(date1) ? Number(date1) : yearFromText ? Number(yearFromText) : null;
  const lang008 = f008?.slice(35, 38) ?? '';
  const lang041 = dataFields(record, '041')[0]
    ?.subfields.find((s) => s.code === 'a')
    ?.value.slice(0, 3);
  const language =
    /^[a-z]{3}$/.test(lang008) && lang008 !== 'zxx'
      ? lang008
      : lang041 && /^[a-z]{3}$/.test(lang041)
        ? lang041
        : null;
  const systemNumbers = unique(
    dataFields(record, '035').map((f) => identifier(f.subfields.find((s) => s.code === 'a')?.value.trim())),
  );
  const oclcFrom001 =
    controlValue(record, '003') === 'OCoLC'
      ? controlValue(record, '001')?.replace(/^\D+/, '').replace(/^0+/, '')
      : null;
  const lc = dataFields(record, '050')[0];
  const deweyA = dataFields(record, '082')[0]
    ?.subfields.find((s) => s.code === 'a')
    ?.value.replace(/\//g, '')
    .trim();
  return {
    controlNumber: identifier(controlValue(record, '001')?.trim()),
    title,
    titleSort: f245 ? sortableTitle(title, f245.ind2) : '',
    responsibility: f245 ? cutText(subfieldText(f245, 'c'), MAX_TEXT_LENGTH) || null : null,
    authors: unique(
      dataFields(record, '100', '110', '111', '700', '710', '711').map((f) =>
        cutText(subfieldText(f, 'abcdq'), MAX_HEADING_LENGTH),
      ),
    ),
    subjects: unique(
      dataFields(record, '600', '610', '611', '630', '648', '650', '651', '655').map((f) => {
        const main = subfieldText(f, 'abcdtq');
        const subdivisions = f.subfields.filter((s) => 'vxyz'.includes(s.code)).map((s) => clean(s.value));
        return cutText([main, ...subdivisions].filter(Boolean).join(' -- '), MAX_HEADING_LENGTH);
      }),
    ),
    series: unique(
      dataFields(record, '490', '830').map((f) => cutText(subfieldText(f, 'a'), MAX_TEXT_LENGTH)),
    ),
    isbns: unique(
      dataFields(record, '020').map((f) =>
        normalizeIsbn(f.subfields.find((s) => s.code === 'a')?.value ?? ''),
      ),
    ),
    issns: unique(
      dataFields(record, '022').map((f) =>
        normalizeIssn(f.subfields.find((s) => s.code === 'a')?.value ?? ''),
      ),
    ),
    lccn: identifier(
      normalizeLccn(dataFields(record, '010')[0]?.subfields.find((s) => s.code === 'a')?.value ?? ''),
    ),
    oclcNumbers: unique([...systemNumbers.map(oclcNumber), identifier(oclcFrom001)]),
    systemNumbers,
    publisher:
      cutText(pubFields.map((f) => subfieldText(f, 'b')).find(Boolean) ?? '', MAX_TEXT_LENGTH) || null,
    year,
    language,
    format: bibFormat(record.leader, f008),
    edition:
      cutText(
        dataFields(record, '250')
          .map((f) => subfieldText(f, 'a'))
          .find(Boolean) ?? '',
        MAX_TEXT_LENGTH,
      ) || null,
    notes: unique(
      record.fields
        .filter((f): f is DataField => isDataField(f) && f.tag[0] === '5')
        .map((f) => cutText(subfieldText(f, 'a'), MAX_TEXT_LENGTH)),
    ).slice(0, 20),
    lcCallNumber: lc ? cutText(subfieldText(lc, 'ab'), MAX_HEADING_LENGTH) || null : null,
    deweyCallNumber: deweyA === undefined ? null : cutText(deweyA, MAX_HEADING_LENGTH),
  };
}
