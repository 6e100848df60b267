/**
 * Acceptance: MARC-8 records come out as the same UTF-8 text that `yaz-marcdump -f MARC-8 -t UTF-8` gives.
 *
 * The golden files in fixtures/ hold yaz's output for every field with MARC-8 escapes or 8-bit bytes, so
 * these tests need no yaz. When yaz-marcdump is on the PATH, a second suite compares every field live;
 * `MARC8_WRITE_FIXTURES=1` makes that suite rewrite the golden files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMarc8 } from './decode-marc8.ts';

const CORPUS_DIR = fileURLToPath(new URL('../../../../testdata/marc/', import.meta.url));
const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** MARC-8 files of the corpus (see testdata/marc/SOURCES.md; mislabelled files left out). */
const CORPUS = [
  'evergreen/hebrew.marc',
  'evergreen/jazz_1k.mrc',
  'evergreen/lul_fre_500.mrc',
  'evergreen/oss.marc',
  'marc-perl/cjk1.marc',
  'marc-perl/cjk3.marc',
  'marc-perl/cyrillic.marc',
  'marc-perl/hebrew2.marc',
  'marc-perl/camel.usmarc',
  'marc4j/bad_leaders_10_11.mrc',
  'marc4j/brkrtest.mrc',
  'marc4j/chinese_mangled_multibyte.mrc',
  'marc4j/cyrillic_capital_e.mrc',
  'marc4j/greekmissingcharsetchange.mrc',
  'marc4j/incomplete_esc_seq.mrc',
  'marc4j/selectedRecs.mrc',
  'pymarc/bad_eacc_encoding.dat',
  'pymarc/bad_marc8_escape.dat',
  'pymarc/marc.dat',
  'yaz/marc7.marc',
  'yaz/marc8.marc',
  'yaz/marc9.marc',
  'yaz/marc10.marc',
  'yaz/marc12.marc',
] as const;

/**
 * Fields where yaz is arguably wrong, with the reason. Everything else must match yaz exactly, or differ
 * only by our U+FFFD where yaz silently drops an undecodable byte.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  // ESC t / ESC space / ESC e / ESC r are corrupted bytes, not escape sequences; yaz throws away the
  // whole subfield, we drop the ESC only and keep the text.
  'pymarc/bad_marc8_escape.dat#0/12': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/13': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/14': 'yaz drops the rest of the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/21': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/23': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/24': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/25': 'yaz drops the subfield at an invalid escape',
  'pymarc/bad_marc8_escape.dat#0/26': 'yaz drops the subfield at an invalid escape',
  // A subfield delimiter directly followed by an escape sequence (a cut-off 520): yaz takes the escape
  // sequence and the next character as the subfield code, this test's splitter takes the ESC byte.
  'yaz/marc12.marc#0/32': 'subfield code is an escape sequence',
};

// ---------------------------------------------------------------------------------------------------
// Minimal ISO 2709 reading, for this test only (the real reader lives elsewhere).

/** A subfield as [code, text]; a control field is one subfield with code ''. */
type Subfields = [string, string][];

interface RawField {
  tag: string;
  data: Uint8Array;
}

function splitRecords(file: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < file.length; i++) {
    if (file[i] === 0x1d) {
      records.push(file.subarray(start, i + 1));
      start = i + 1;
    }
  }
  return records;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

function rawFields(record: Uint8Array): RawField[] {
  const base = Number(ascii(record, 12, 17));
  const fields: RawField[] = [];
  for (let entry = 24; entry + 12 <= base - 1; entry += 12) {
    const tag = ascii(record, entry, entry + 3);
    const length = Number(ascii(record, entry + 3, entry + 7));
    const start = base + Number(ascii(record, entry + 7, entry + 12));
    let end = start + length;
    if (record[end - 1] === 0x1e) end--;
    fields.push({ tag, data: record.subarray(start, end) });
  }
  return fields;
}

function isControlField(tag: string): boolean {
  return /^00\d$/.test(tag);
}

/** Splits a field into subfields and decodes each with `decode`; empty subfields are left out. */
function subfields(field: RawField, decode: (bytes: Uint8Array) => string): Subfields {
  if (isControlField(field.tag)) return [['', decode(field.data).normalize('NFC')]];
  const result: Subfields = [];
  let start = -1;
  for (let i = 0; i <= field.data.length; i++) {
    if (i === field.data.length || field.data[i] === 0x1f) {
      if (start >= 0 && i > start) {
        const code = String.fromCharCode(field.data[start]!);
        const text = decode(field.data.subarray(start + 1, i)).normalize('NFC');
        if (text !== '') result.push([code, text]);
      }
      start = i + 1;
    }
  }
  return result;
}

function needsConversion(field: RawField): boolean {
  return field.data.some((byte) => byte >= 0x80 || byte === 0x1b);
}

const utf8 = new TextDecoder('utf-8');

// ---------------------------------------------------------------------------------------------------
// Comparison

interface GoldenField {
  record: number;
  field: number;
  tag: string;
  subfields: Subfields;
}

interface Golden {
  source: string;
  producedBy: string;
  fields: GoldenField[];
}

type Verdict = 'identical' | 'replacement' | 'different';

function compare(ours: Subfields, yaz: Subfields): Verdict {
  const a = JSON.stringify(ours);
  const b = JSON.stringify(yaz);
  if (a === b) return 'identical';
  // yaz drops bytes it cannot decode; we put U+FFFD there (and report it).
  if (
    JSON.stringify(ours.map(([c, t]) => [c, t.replaceAll('\uFFFD', '')]).filter(([, t]) => t !== '')) === b
  ) {
    return 'replacement';
  }
  return 'different';
}

interface Tally {
  identical: number;
  replacement: number;
  known: number;
  different: string[];
}

function tally(
  source: string,
  fields: { record: number; field: number; ours: Subfields; yaz: Subfields }[],
): Tally {
  const result: Tally = { identical: 0, replacement: 0, known: 0, different: [] };
  for (const { record, field, ours, yaz } of fields) {
    const verdict = compare(ours, yaz);
    const key = `${source}#${record}/${field}`;
    if (verdict === 'different' && KNOWN_DIFFERENCES[key]) result.known++;
    else if (verdict === 'different') {
      result.different.push(`${key}\n  ours ${JSON.stringify(ours)}\n  yaz  ${JSON.stringify(yaz)}`);
    } else result[verdict]++;
  }
  return result;
}

function fixturePath(source: string): string {
  return `${FIXTURES_DIR}${source.replace('/', '--')}.jsonl`;
}

/** Golden files are JSON Lines: a header object, then one field per line (compact, diffable). */
function renderGolden(golden: Golden): string {
  const header = JSON.stringify({ source: golden.source, producedBy: golden.producedBy });
  return `${[header, ...golden.fields.map((field) => JSON.stringify(field))].join('\n')}\n`;
}

function readGolden(source: string): Golden {
  const [header, ...lines] = readFileSync(fixturePath(source), 'utf8').trimEnd().split('\n');
  const { producedBy } = JSON.parse(header ?? '{}') as Pick<Golden, 'producedBy'>;
  return { source, producedBy, fields: lines.map((line) => JSON.parse(line) as GoldenField) };
}

function readCorpusRecords(source: string): Uint8Array[] {
  return splitRecords(new Uint8Array(readFileSync(CORPUS_DIR + source)));
}

/** Whether a record is MARC-8 by its leader (leader/09 blank; yaz converts UTF-8-flagged records as UTF-8). */
function isMarc8Record(record: Uint8Array): boolean {
  return record[9] !== 0x61;
}

// ---------------------------------------------------------------------------------------------------

const writingFixtures = process.env.MARC8_WRITE_FIXTURES === '1';

describe.skipIf(writingFixtures)('MARC-8 corpus against golden output of yaz-marcdump', () => {
  const sources = CORPUS.filter((source) => existsSync(fixturePath(source)));

  it('has a golden file for every source with MARC-8 escapes or 8-bit bytes', () => {
    const missing = CORPUS.filter((source) => {
      if (existsSync(fixturePath(source))) return false;
      return readCorpusRecords(source).some((r) => isMarc8Record(r) && rawFields(r).some(needsConversion));
    });
    expect(missing).toEqual([]);
  });

  it.each(sources)('%s matches yaz', (source) => {
    const golden = readGolden(source);
    const records = readCorpusRecords(source);
    const fields = golden.fields.map((g) => {
      const raw = rawFields(records[g.record]!)[g.field]!;
      expect(raw.tag).toBe(g.tag);
      return {
        record: g.record,
        field: g.field,
        ours: subfields(raw, (b) => decodeMarc8(b)),
        yaz: g.subfields,
      };
    });
    const result = tally(source, fields);
    expect(result.different).toEqual([]);
    expect(result.identical + result.replacement + result.known).toBe(golden.fields.length);
  });
});

function findYaz(): { version: string } | null {
  try {
    const out = execFileSync('yaz-marcdump', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { version: /YAZ version: (\S+)/.exec(out)?.[1] ?? 'unknown' };
  } catch {
    return null;
  }
}

const yaz = findYaz();
const liveTitle = yaz
  ? `MARC-8 corpus against live yaz-marcdump ${yaz.version}`
  : 'MARC-8 corpus against live yaz-marcdump (skipped: yaz-marcdump is not on the PATH)';

describe.skipIf(!yaz)(liveTitle, () => {
  function runYaz(source: string): Uint8Array {
    const args = ['-f', 'MARC-8', '-t', 'UTF-8', '-o', 'marc', CORPUS_DIR + source];
    try {
      return new Uint8Array(
        execFileSync('yaz-marcdump', args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 }),
      );
    } catch (error) {
      // yaz exits non-zero after warnings but still writes the records.
      const stdout = (error as { stdout?: Buffer }).stdout;
      if (stdout) return new Uint8Array(stdout);
      throw error;
    }
  }

  const totals = { fields: 0, converted: 0, identical: 0, replacement: 0, known: 0 };

  it.each(CORPUS)('%s matches yaz', (source) => {
    const ours = readCorpusRecords(source);
    const theirs = splitRecords(runYaz(source));
    expect(theirs.length).toBe(ours.length);
    const compared: { record: number; field: number; ours: Subfields; yaz: Subfields }[] = [];
    const golden: GoldenField[] = [];
    ours.forEach((record, recordIndex) => {
      if (!isMarc8Record(record)) return;
      const ourFields = rawFields(record);
      const yazFields = rawFields(theirs[recordIndex]!);
      expect(yazFields.length).toBe(ourFields.length);
      ourFields.forEach((raw, fieldIndex) => {
        const yazRaw = yazFields[fieldIndex]!;
        expect(yazRaw.tag).toBe(raw.tag);
        const yazSubfields = subfields(yazRaw, (b) => utf8.decode(b));
        compared.push({
          record: recordIndex,
          field: fieldIndex,
          ours: subfields(raw, (b) => decodeMarc8(b)),
          yaz: yazSubfields,
        });
        totals.fields++;
        if (needsConversion(raw)) {
          totals.converted++;
          golden.push({ record: recordIndex, field: fieldIndex, tag: raw.tag, subfields: yazSubfields });
        }
      });
    });
    const result = tally(source, compared);
    totals.identical += result.identical;
    totals.replacement += result.replacement;
    totals.known += result.known;
    if (writingFixtures && golden.length > 0) {
      const fixture: Golden = {
        source,
        producedBy: `yaz-marcdump ${yaz?.version} (yaz-marcdump -f MARC-8 -t UTF-8 -o marc), fields with ESC or 8-bit bytes, NFC`,
        fields: golden,
      };
      writeFileSync(fixturePath(source), renderGolden(fixture));
    }
    expect(result.different).toEqual([]);
  });

  it('summary', () => {
    console.info(
      `yaz comparison: ${totals.fields} fields compared (${totals.converted} with MARC-8 escapes or 8-bit bytes): ` +
        `${totals.identical} identical, ${totals.replacement} identical but for U+FFFD where yaz drops a byte, ` +
        `${totals.known} known differences`,
    );
    expect(totals.fields).toBeGreaterThan(0);
  });
});
