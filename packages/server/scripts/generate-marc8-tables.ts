/**
 * Generates `packages/server/src/marc8/tables.generated.ts` from the Library of Congress MARC-8 code
 * tables (`testdata/marc8/codetables.xml`, as published at
 * https://www.loc.gov/marc/specifications/codetables.xml).
 *
 * Run from the repository root: `npx tsx packages/server/scripts/generate-marc8-tables.ts [codetables.xml]`.
 *
 * The output holds, for every 94-character set, one code point per 7-bit position, and for the East Asian
 * Character Code (EACC) a compact base64 string of delta-encoded (24-bit code, code point) pairs. The
 * generator checks every `<ucs>` against its `<utf-8>` column and fails loudly on anything it does not
 * understand, so a changed upstream table cannot slip through silently.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const defaultInput = resolve(repoRoot, 'testdata/marc8/codetables.xml');
const input = process.argv[2] ? resolve(process.argv[2]) : defaultInput;
const output = resolve(here, '../src/marc8/tables.generated.ts');

/** Marker for a code that deliberately maps to no character (the second halves of double diacritics). */
const MAPS_TO_NOTHING = -1;

/** One `<code>` of the LC tables. */
export interface CodeEntry {
  marc: number;
  ucs: number | null;
  alt: number | null;
  combining: boolean;
  name: string;
}

/** One `<characterSet>` of the LC tables. */
export interface CharacterSet {
  name: string;
  isoCode: number;
  entries: CodeEntry[];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function element(block: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(block);
  return match ? decodeEntities(match[1] ?? '').trim() : null;
}

function hexToCodePoint(hex: string, context: string): number {
  if (!/^[0-9A-Fa-f]{2,6}$/.test(hex))
    throw new Error(`${context}: not a hex code point: ${JSON.stringify(hex)}`);
  return Number.parseInt(hex, 16);
}

/** Decodes a hex UTF-8 column (e.g. `C3A9`) to the code points it holds. */
function utf8HexToCodePoints(hex: string, context: string): number[] {
  if (!/^([0-9A-Fa-f]{2})+$/.test(hex))
    throw new Error(`${context}: bad UTF-8 column ${JSON.stringify(hex)}`);
  const text = Buffer.from(hex, 'hex').toString('utf8');
  if (text.includes('\uFFFD')) throw new Error(`${context}: UTF-8 column ${hex} is not valid UTF-8`);
  return Array.from(text, (c) => c.codePointAt(0) ?? 0);
}

/** Parses codetables.xml, checking each `<ucs>` against its `<utf-8>` column. */
export function parseCodeTables(xml: string): CharacterSet[] {
  const sets: CharacterSet[] = [];
  const setPattern = /<characterSet\b([^>]*)>([\s\S]*?)<\/characterSet>/g;
  for (const setMatch of xml.matchAll(setPattern)) {
    const attributes = setMatch[1] ?? '';
    const body = setMatch[2] ?? '';
    const name = decodeEntities(/name="([^"]*)"/.exec(attributes)?.[1] ?? '');
    const isoHex = /ISOcode="([0-9A-Fa-f]{2})"/.exec(attributes)?.[1];
    if (!isoHex) throw new Error(`character set ${name} has no ISOcode`);
    const entries: CodeEntry[] = [];
    for (const codeMatch of body.matchAll(/<code>([\s\S]*?)<\/code>/g)) {
      const block = codeMatch[1] ?? '';
      const marcHex = element(block, 'marc');
      const ucsHex = element(block, 'ucs') ?? '';
      const utf8Hex = element(block, 'utf-8') ?? '';
      const altHex = element(block, 'alt');
      const altUtf8Hex = element(block, 'altutf-8');
      const entryName = (element(block, 'name') ?? '').replace(/\s+/g, ' ');
      const context = `${name} ${marcHex}`;
      if (!marcHex) throw new Error(`${name}: <code> without <marc>`);
      const marc = hexToCodePoint(marcHex, context);
      const ucs = ucsHex === '' ? null : hexToCodePoint(ucsHex, context);
      if (ucs !== null && utf8Hex !== '') {
        const fromUtf8 = utf8HexToCodePoints(utf8Hex, context);
        if (fromUtf8.length !== 1 || fromUtf8[0] !== ucs) {
          throw new Error(`${context}: <ucs> ${ucsHex} disagrees with <utf-8> ${utf8Hex}`);
        }
      }
      let alt: number | null = altHex ? hexToCodePoint(altHex, context) : null;
      if (altUtf8Hex) {
        const fromUtf8 = utf8HexToCodePoints(altUtf8Hex, context);
        if (fromUtf8.length !== 1)
          throw new Error(`${context}: <altutf-8> holds ${fromUtf8.length} characters`);
        // The table gives some alternates only in UTF-8 (e.g. ANSEL AE, alif: U+02BE).
        if (alt === null) alt = fromUtf8[0] ?? null;
        else if (fromUtf8[0] !== alt)
          throw new Error(`${context}: <alt> ${altHex} disagrees with <altutf-8>`);
      }
      entries.push({ marc, ucs, alt, combining: element(block, 'isCombining') === 'true', name: entryName });
    }
    sets.push({ name, isoCode: Number.parseInt(isoHex, 16), entries });
  }
  return sets;
}

function hex(n: number, width = 2): string {
  return `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;
}

/** Unsigned LEB128. */
function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Renders the TypeScript source of `tables.generated.ts` from the text of codetables.xml. */
export function renderTables(xml: string): { source: string; summary: string } {
  const sets = parseCodeTables(xml);
  const eacc = sets.find((s) => s.isoCode === 0x31);
  if (!eacc) throw new Error('no EACC character set (ISOcode 31) in the tables');
  const singleByteSets = sets.filter((s) => s !== eacc);

  const lines: string[] = [];
  lines.push('// biome-ignore-all format: generated data, kept compact on purpose');
  lines.push('/**');
  lines.push(
    ' * MARC-8 code tables, generated by `packages/server/scripts/generate-marc8-tables.ts` from the Library of',
  );
  lines.push(
    ' * Congress MARC-8 code tables (codetables.xml). Do not edit by hand: run the generator instead.',
  );
  lines.push(' *');
  lines.push(' * @see https://www.loc.gov/marc/specifications/codetables.xml');
  lines.push(
    ' * @see MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media, part 3 (code tables)',
  );
  lines.push(' */');
  lines.push('');
  lines.push(
    '/** Code point value meaning "this code maps to no character" (second halves of double diacritics). */',
  );
  lines.push(`export const MAPS_TO_NOTHING = ${MAPS_TO_NOTHING};`);
  lines.push('');
  lines.push('/** One 94-character graphic set, indexed by the low 7 bits of its MARC-8 code. */');
  lines.push('export interface SingleByteSetData {');
  lines.push('  /** Set name as in the LC tables. */');
  lines.push('  readonly name: string;');
  lines.push(
    '  /** ISO registration final character used in escape sequences (e.g. 0x4E for Basic Cyrillic). */',
  );
  lines.push('  readonly isoCode: number;');
  lines.push(
    '  /** 128 entries: Unicode code point for each 7-bit position, 0 if unassigned, MAPS_TO_NOTHING if empty. */',
  );
  lines.push('  readonly codes: readonly number[];');
  lines.push('  /** 7-bit positions that are combining marks (isCombining in the tables). */');
  lines.push('  readonly combining: readonly number[];');
  lines.push(
    '  /** Alternate mappings, as [7-bit position, code point] pairs (alt / altutf-8 in the tables). */',
  );
  lines.push('  readonly alternates: readonly (readonly [number, number])[];');
  lines.push('}');
  lines.push('');

  const c0Controls: [number, number][] = [];
  const c1Controls: [number, number][] = [];
  lines.push('/** The single-byte (94-character) graphic sets. */');
  lines.push('export const SINGLE_BYTE_SETS: readonly SingleByteSetData[] = [');
  for (const set of singleByteSets) {
    const codes = new Array<number>(128).fill(0);
    const combining: number[] = [];
    const alternates: [number, number][] = [];
    for (const entry of set.entries) {
      if (entry.marc > 0xff)
        throw new Error(`${set.name}: multi-byte code ${hex(entry.marc)} in a single-byte set`);
      if (entry.marc < 0x20) {
        if (entry.ucs === null) throw new Error(`${set.name}: control ${hex(entry.marc)} without mapping`);
        if (entry.marc !== 0x1b) c0Controls.push([entry.marc, entry.ucs]);
        continue;
      }
      if (entry.marc >= 0x80 && entry.marc < 0xa0) {
        if (entry.ucs === null) throw new Error(`${set.name}: control ${hex(entry.marc)} without mapping`);
        c1Controls.push([entry.marc, entry.ucs]);
        continue;
      }
      if (entry.marc === 0x20 || entry.marc === 0xa0) continue; // space is not part of a 94-character set
      const position = entry.marc & 0x7f;
      if (codes[position] !== 0) throw new Error(`${set.name}: duplicate code ${hex(entry.marc)}`);
      codes[position] = entry.ucs ?? MAPS_TO_NOTHING;
      if (entry.ucs === null && entry.alt === null)
        throw new Error(`${set.name}: ${hex(entry.marc)} maps to nothing`);
      if (entry.combining) combining.push(position);
      if (entry.alt !== null) alternates.push([position, entry.alt]);
    }
    lines.push('  {');
    lines.push(`    name: '${set.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}',`);
    lines.push(`    isoCode: ${hex(set.isoCode)},`);
    const rows: string[] = [];
    for (let row = 0; row < 128; row += 16) {
      rows.push(
        `      ${codes
          .slice(row, row + 16)
          .map((c) => (c <= 0 ? String(c) : hex(c, 4)))
          .join(', ')},`,
      );
    }
    lines.push('    codes: [');
    lines.push(...rows);
    lines.push('    ],');
    lines.push(`    combining: [${combining.map((p) => hex(p)).join(', ')}],`);
    lines.push(`    alternates: [${alternates.map(([p, a]) => `[${hex(p)}, ${hex(a, 4)}]`).join(', ')}],`);
    lines.push('  },');
  }
  lines.push('];');
  lines.push('');
  lines.push('/** C0 control characters allowed in MARC-8 data besides ESC, as [byte, code point] pairs. */');
  lines.push(
    `export const C0_CONTROLS: readonly (readonly [number, number])[] = [${c0Controls.map(([b, u]) => `[${hex(b)}, ${hex(u, 4)}]`).join(', ')}];`,
  );
  lines.push('');
  lines.push(
    '/** C1 control characters of MARC-8 (non-sort markers, joiners), as [byte, code point] pairs. */',
  );
  lines.push(
    `export const C1_CONTROLS: readonly (readonly [number, number])[] = [${c1Controls.map(([b, u]) => `[${hex(b)}, ${hex(u, 4)}]`).join(', ')}];`,
  );
  lines.push('');

  // EACC: sorted by 24-bit code; each entry is varint(code delta) + varint(zigzag(code point delta)).
  const eaccEntries = eacc.entries
    .map((e) => {
      if (e.ucs === null) throw new Error(`EACC ${hex(e.marc, 6)} has no mapping`);
      return { code: e.marc, ucs: e.ucs, alt: e.alt };
    })
    .sort((a, b) => a.code - b.code);
  const bytes: number[] = [];
  let previousCode = 0;
  let previousUcs = 0;
  for (const entry of eaccEntries) {
    if (entry.code <= previousCode) throw new Error(`EACC duplicate code ${hex(entry.code, 6)}`);
    pushVarint(bytes, entry.code - previousCode);
    pushVarint(bytes, zigzag(entry.ucs - previousUcs));
    previousCode = entry.code;
    previousUcs = entry.ucs;
  }
  const eaccBase64 = Buffer.from(bytes).toString('base64');
  const eaccAlternates = eaccEntries.filter((e) => e.alt !== null);
  lines.push('/** ISO final character of the East Asian Character Code (EACC) set. */');
  lines.push(`export const EACC_ISO_CODE = ${hex(eacc.isoCode)};`);
  lines.push('');
  lines.push('/** Number of EACC mappings encoded in EACC_DATA. */');
  lines.push(`export const EACC_COUNT = ${eaccEntries.length};`);
  lines.push('');
  lines.push('/**');
  lines.push(
    ' * EACC mappings, base64 of a byte stream sorted by 24-bit EACC code: for each entry, the code minus the',
  );
  lines.push(
    ' * previous code as an unsigned LEB128 varint, then the code point minus the previous code point as a',
  );
  lines.push(' * zigzag-encoded LEB128 varint.');
  lines.push(' */');
  lines.push(`export const EACC_DATA =\n  '${eaccBase64}';`);
  lines.push('');
  lines.push(
    '/** EACC alternate mappings (for codes mapped to the Private Use Area), as [24-bit code, code point]. */',
  );
  lines.push('export const EACC_ALTERNATES: readonly (readonly [number, number])[] = [');
  for (let i = 0; i < eaccAlternates.length; i += 6) {
    const chunk = eaccAlternates.slice(i, i + 6);
    lines.push(`  ${chunk.map((e) => `[${hex(e.code, 6)}, ${hex(e.alt ?? 0, 4)}]`).join(', ')},`);
  }
  lines.push('];');
  lines.push('');

  const setSummary = singleByteSets.map((s) => `${s.name} (${s.entries.length})`).join(', ');
  return {
    source: lines.join('\n'),
    summary: `single-byte sets: ${setSummary}\nEACC: ${eaccEntries.length} mappings, ${bytes.length} bytes, ${eaccBase64.length} base64 characters`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { source, summary } = renderTables(readFileSync(input, 'utf8'));
  writeFileSync(output, source);
  console.log(`wrote ${output}\n${summary}`);
}
