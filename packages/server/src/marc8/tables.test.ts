/**
 * The generated tables against their source, the LC code tables (codetables.xml): the committed file is
 * what the generator makes of the XML today, and every code of every set decodes to its Unicode value.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CharacterSet, parseCodeTables, renderTables } from '../../scripts/generate-marc8-tables.ts';
import { decodeMarc8Detailed } from './decode-marc8.ts';

const CODE_TABLES = fileURLToPath(new URL('../../../../testdata/marc8/codetables.xml', import.meta.url));
const GENERATED = fileURLToPath(new URL('./tables.generated.ts', import.meta.url));

const xml = readFileSync(CODE_TABLES, 'utf8');
const sets: CharacterSet[] = parseCodeTables(xml);
const ESC = 0x1b;

function decodeRaw(bytes: number[], alternates = false): { text: string; problems: number } {
  const result = decodeMarc8Detailed(Uint8Array.from(bytes), { normalization: 'none', alternates });
  return { text: result.text, problems: result.problems.length };
}

function text(codePoint: number | null): string {
  return codePoint === null ? '' : String.fromCodePoint(codePoint);
}

describe('generated MARC-8 tables', () => {
  it('are up to date with codetables.xml (run scripts/generate-marc8-tables.ts if not)', () => {
    expect(renderTables(xml).source).toBe(readFileSync(GENERATED, 'utf8'));
  });

  it('cover every character set of the LC tables', () => {
    expect(sets.map((s) => `${s.name} (${s.entries.length})`)).toEqual([
      'Basic Latin (ASCII) (99)',
      'Extended Latin (ANSEL) (69)',
      'Greek Symbols (3)',
      'Subscripts (14)',
      'Superscripts (14)',
      'Basic Hebrew (78)',
      'Basic Cyrillic (94)',
      'Extended Cyrillic (42)',
      'Basic Arabic (83)',
      'Extended Arabic (90)',
      'Basic Greek (73)',
      'Chinese, Japanese, Korean (EACC) (15739)',
    ]);
  });

  const singleByteSets = sets.filter((s) => s.isoCode !== 0x31);

  it.each(singleByteSets.map((s) => [s.name, s] as const))(
    '%s: every code decodes in G0 and G1',
    (_name, set) => {
      const mismatches: string[] = [];
      for (const entry of set.entries) {
        if (entry.marc === 0x1b) continue;
        const checks: { bytes: number[]; expected: string; alternates: boolean }[] = [];
        if (entry.marc < 0x20 || (entry.marc >= 0x80 && entry.marc < 0xa0)) {
          checks.push({ bytes: [entry.marc], expected: text(entry.ucs), alternates: false });
        } else if (entry.marc === 0x20) {
          checks.push({ bytes: [0x20], expected: ' ', alternates: false });
        } else {
          const low = entry.marc & 0x7f;
          // A combining mark comes before its base in MARC-8 and after it in Unicode.
          const base = entry.combining ? [0x20] : [];
          const after = entry.combining ? ' ' : '';
          for (const alternates of entry.alt === null ? [false] : [false, true]) {
            const expected = after + text(alternates ? entry.alt : entry.ucs);
            checks.push({ bytes: [ESC, 0x28, set.isoCode, low, ...base], expected, alternates });
            checks.push({ bytes: [ESC, 0x29, set.isoCode, low | 0x80, ...base], expected, alternates });
          }
        }
        for (const { bytes, expected, alternates } of checks) {
          const result = decodeRaw(bytes, alternates);
          if (result.text !== expected || result.problems !== 0) {
            mismatches.push(`${bytes.map((b) => b.toString(16)).join(' ')}: ${JSON.stringify(result)}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('EACC: every one of the 15,739 codes decodes in G0 and G1', () => {
    const eacc = sets.find((s) => s.isoCode === 0x31)!;
    const mismatches: string[] = [];
    for (const entry of eacc.entries) {
      const b1 = entry.marc >> 16;
      const b2 = (entry.marc >> 8) & 0xff;
      const b3 = entry.marc & 0xff;
      const g0 = decodeRaw([ESC, 0x24, 0x31, b1, b2, b3]);
      const g1 = decodeRaw([ESC, 0x24, 0x29, 0x31, b1 | 0x80, b2 | 0x80, b3 | 0x80]);
      const expected = text(entry.ucs);
      if (g0.text !== expected || g0.problems !== 0 || g1.text !== expected || g1.problems !== 0) {
        mismatches.push(`${entry.marc.toString(16)}: ${JSON.stringify([g0, g1])}`);
      }
      if (entry.alt !== null) {
        const alternate = decodeRaw([ESC, 0x24, 0x31, b1, b2, b3], true);
        if (alternate.text !== text(entry.alt))
          mismatches.push(`${entry.marc.toString(16)} alt: ${alternate.text}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
