import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, collect, corpusBytes, corpusFiles, inChunks } from './corpus.test-support.ts';
import { parseIso2709, parseIso2709Record, readIso2709, writeIso2709 } from './iso2709.ts';
import { MarcParseError, type MarcProblem, type ReadResult } from './problems.ts';
import type { DataField, MarcRecord } from './record.ts';

const isoFiles = corpusFiles().filter((file) => file.kind === 'ISO 2709');

const sample: MarcRecord = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: 'rec-1' },
    { tag: '008', value: '240101s2024    nyu           000 0 eng d' },
    { tag: '100', ind1: '1', ind2: ' ', subfields: [{ code: 'a', value: 'Brontë, Charlotte,' }] },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Jane Eyre :' },
        { code: 'b', value: 'an autobiography /' },
        { code: 'c', value: 'edited by Currer Bell.' },
      ],
    },
    {
      tag: '650',
      ind1: ' ',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Governesses' },
        { code: 'v', value: 'Fiction.' },
      ],
    },
  ],
};

const second: MarcRecord = { leader: '00000nam a2200000 a 4500', fields: [{ tag: '001', value: 'rec-2' }] };

function bytesOf(...parts: (Uint8Array | string)[]): Buffer {
  return Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
  );
}

function codes(result: ReadResult): string[] {
  return result.problems.map((problem) => problem.code);
}

/** The sample record's bytes with `edit` applied (a Buffer it may change in place or replace). */
function broken(edit: (bytes: Buffer) => Buffer | undefined): Buffer {
  const bytes = Buffer.from(writeIso2709(sample));
  return edit(bytes) ?? bytes;
}

const directoryEnd = (bytes: Buffer) => bytes.indexOf(0x1e);
const baseOf = (bytes: Buffer) => Number(bytes.toString('latin1', 12, 17));

describe(parseIso2709.name, () => {
  describe('the MARC test corpus', () => {
    it.each(isoFiles.map((file) => [file.path, file.records]))(
      '%s: every record slot is read without throwing (%i in SOURCES.md)',
      (path, records) => {
        const results = parseIso2709(corpusBytes(path));
        expect(results).toHaveLength(records);
        expect(results.map((result) => result.recordIndex)).toEqual(results.map((_, i) => i));
        for (const result of results) {
          if (result.record === null) expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
        }
      },
    );

    it('reads the well-formed files with no problem at all', () => {
      for (const path of [
        'evergreen/auth-1066.mrc',
        'evergreen/lul_fre_500.mrc',
        'traject/test_data.utf8.mrc',
      ]) {
        const results = parseIso2709(corpusBytes(path));
        expect(results.flatMap((result) => result.problems)).toEqual([]);
      }
    });

    it('decodes UTF-8 records (leader/09 = a) into the expected Unicode text', () => {
      const [result] = parseIso2709(corpusBytes('yaz/marccol4.u8.marc'));
      const text = JSON.stringify(result?.record);
      expect(text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(text).not.toContain('\ufffd');
    });

    it.skipIf(!hasYaz())('counts as many records as yaz-marcdump in files whose structure is sound', () => {
      for (const path of [
        'evergreen/jazz_1k.mrc',
        'evergreen/auth-1066.mrc',
        'marc4j/pride-and-prejudice-with-many-errors.mrc',
      ]) {
        const dump = execFileSync('yaz-marcdump', ['-p', join(CORPUS, path)], {
          maxBuffer: 1 << 28,
        }).toString('latin1');
        const yazCount = dump.match(/^<!-- Record/gm)?.length ?? 0;
        expect(parseIso2709(corpusBytes(path)).filter((r) => r.record)).toHaveLength(yazCount);
      }
    });
  });

  describe('structurally bad corpus files', () => {
    it('badldr.usmarc: reports the empty record and the stray trailing byte by position and keeps the rest', () => {
      const results = parseIso2709(corpusBytes('marc-perl/badldr.usmarc'));
      expect(results.map((r) => r.record !== null)).toEqual([
        true,
        true,
        false,
        true,
        true,
        true,
        true,
        false,
      ]);
      expect(results[2]!.problems).toMatchObject([
        { recordIndex: 2, byteOffset: 472, code: 'RECORD_EMPTY', severity: 'error' },
      ]);
      expect(results[7]!.problems).toMatchObject([
        { recordIndex: 7, byteOffset: 1717, code: 'RECORD_TRUNCATED' },
      ]);
      expect(results[3]!.record?.fields.map((f) => f.tag)).toEqual([
        '020',
        '245',
        '260',
        '300',
        '651',
        '651',
        '852',
      ]);
    });

    it('cameleof.usmarc: skips the DOS end-of-file bytes (1A hex) before three leaders and reads all 10', () => {
      const results = parseIso2709(corpusBytes('marc-perl/cameleof.usmarc'));
      expect(results.filter((r) => r.record)).toHaveLength(10);
      const flagged = results.flatMap((r) => r.problems).map((p) => [p.recordIndex, p.code]);
      expect(flagged).toEqual([
        [1, 'JUNK_BEFORE_RECORD'],
        [4, 'JUNK_BEFORE_RECORD'],
        [7, 'JUNK_BEFORE_RECORD'],
      ]);
      expect(results[1]!.record?.fields).toHaveLength(results[1]!.record!.fields.length);
    });

    it('baddir.usmarc: reports the lost directory terminator and recovers every field from the base address', () => {
      const [result] = parseIso2709(corpusBytes('marc-perl/baddir.usmarc'));
      expect(codes(result!)).toEqual(['DIRECTORY_TERMINATOR_MISSING']);
      expect(result!.problems[0]).toMatchObject({ recordIndex: 0, byteOffset: 144, severity: 'warning' });
      expect(result!.record?.fields.map((f) => f.tag)).toEqual([
        '001',
        '005',
        '008',
        '020',
        '091',
        '100',
        '245',
        '260',
        '300',
        '852',
      ]);
      expect(result!.record?.fields[6]).toMatchObject({
        subfields: [{ code: 'a', value: 'Green Eggs and Ham' }],
      });
    });

    it('008008027.mrc: keeps the 18 whole records and what is complete of the record cut by the end of the file', () => {
      const results = parseIso2709(corpusBytes('marc4j/008008027.mrc'));
      expect(results).toHaveLength(19);
      expect(results.slice(0, 18).flatMap((r) => r.problems)).toEqual([]);
      const last = results[18]!;
      expect(last.problems[0]).toMatchObject({
        recordIndex: 18,
        byteOffset: 62502,
        code: 'RECORD_TRUNCATED',
        severity: 'error',
      });
      expect(codes(last)).toContain('FIELD_TERMINATOR_MISSING');
      expect(last.record?.fields.length).toBeGreaterThan(20);
    });

    it('bad_oversize_field_bad_directory.mrc: re-aligns a 13-byte directory entry of a field longer than 9999 bytes', () => {
      const results = parseIso2709(corpusBytes('marc4j/bad_oversize_field_bad_directory.mrc'));
      const fields = results[1]!.record!.fields;
      expect(codes(results[1]!)).toEqual(['DIRECTORY_LENGTH_INVALID', 'DIRECTORY_ENTRY_INVALID']);
      expect(fields.map((f) => f.tag).slice(-2)).toEqual(['520', '935']);
    });

    it('bad_hathi_records.mrc: recovers a 1 MB record whose offsets stop at 99999 and sums up repeated problems', () => {
      const results = parseIso2709(corpusBytes('marc4j/bad_hathi_records.mrc'));
      const big = results[3]!;
      expect(big.record?.fields).toHaveLength(12654);
      expect(big.problems.filter((p) => p.code === 'DIRECTORY_ENTRY_INVALID').length).toBeLessThanOrEqual(21);
      expect(big.problems.at(-1)?.message).toMatch(/more problem\(s\) of this kind/);
    });
  });

  describe('lenient mode, one damage at a time', () => {
    it.each<[string, (bytes: Buffer) => Buffer | undefined, string, 'error' | 'warning']>([
      [
        'a non-numeric record length',
        (b) => void b.write('12a45', 0, 'latin1'),
        'RECORD_LENGTH_INVALID',
        'warning',
      ],
      [
        'a wrong record length',
        (b) => void b.write('00099', 0, 'latin1'),
        'RECORD_LENGTH_INVALID',
        'warning',
      ],
      ['a wrong base address', (b) => void b.write('00010', 12, 'latin1'), 'BASE_ADDRESS_INVALID', 'warning'],
      [
        'a directory length that is not a multiple of 12',
        (b) => Buffer.concat([b.subarray(0, directoryEnd(b)), Buffer.from('7'), b.subarray(directoryEnd(b))]),
        'DIRECTORY_LENGTH_INVALID',
        'warning',
      ],
      [
        'a non-numeric directory entry',
        (b) => void b.write('00x4', 24 + 12 + 3, 'latin1'),
        'DIRECTORY_ENTRY_INVALID',
        'warning',
      ],
      [
        'a field offset past the data',
        (b) => void b.write('99999', 24 + 48 + 7, 'latin1'),
        'DIRECTORY_ENTRY_INVALID',
        'warning',
      ],
      [
        'a field with no field terminator',
        (b) => {
          const base = baseOf(b);
          const at = b.indexOf(0x1e, base + 20);
          return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
        },
        'DIRECTORY_ENTRY_INVALID',
        'warning',
      ],
      [
        'a data field without subfield delimiter',
        (b) => void b.fill(0x20, b.indexOf(0x1f), b.indexOf(0x1f) + 1),
        'SUBFIELD_DELIMITER_MISSING',
        'warning',
      ],
      [
        'control bytes before the leader',
        (b) => Buffer.concat([Buffer.from('\r\n\x1a'), b]),
        'JUNK_BEFORE_RECORD',
        'warning',
      ],
      [
        'a blank indicator count (leader/10)',
        (b) => void b.write(' ', 10, 'latin1'),
        'LEADER_INVALID',
        'warning',
      ],
      [
        'a lost directory terminator',
        (b) => void b.fill(0x20, directoryEnd(b), directoryEnd(b) + 1),
        'DIRECTORY_TERMINATOR_MISSING',
        'warning',
      ],
    ])('reports %s and keeps reading the next record', (_, edit, code, severity) => {
      const results = parseIso2709(bytesOf(broken(edit), writeIso2709(second)));
      expect(results).toHaveLength(2);
      expect(results[0]!.problems).toContainEqual(
        expect.objectContaining({ recordIndex: 0, code, severity }),
      );
      expect(results[0]!.record?.fields[0]).toEqual({ tag: '001', value: 'rec-1' });
      expect(results[1]).toMatchObject({ recordIndex: 1, problems: [] });
      expect(results[1]!.record?.fields).toEqual(second.fields);
    });

    it('keeps the text of a data field without subfield delimiter as $a', () => {
      const bytes = broken((b) => {
        const at = b.indexOf(0x1f);
        return Buffer.concat([b.subarray(0, at), b.subarray(at + 2)]);
      });
      const [result] = parseIso2709(bytes);
      expect(result!.record?.fields[2]).toEqual({
        tag: '100',
        ind1: '1',
        ind2: ' ',
        subfields: [{ code: 'a', value: 'Brontë, Charlotte,' }],
      });
    });

    it('reports an empty record between two record terminators, not silently dropping the slot', () => {
      const results = parseIso2709(bytesOf(writeIso2709(sample), '\x1d', writeIso2709(second)));
      expect(results.map((r) => r.record?.fields[0])).toEqual([
        sample.fields[0],
        undefined,
        second.fields[0],
      ]);
      expect(results[1]!.problems).toMatchObject([
        { recordIndex: 1, code: 'RECORD_EMPTY', severity: 'error' },
      ]);
    });

    it('reports a truncated last record and keeps its whole fields', () => {
      const whole = writeIso2709(sample);
      const results = parseIso2709(bytesOf(writeIso2709(second), whole.subarray(0, whole.length - 20)));
      expect(results[1]!.problems[0]).toMatchObject({
        recordIndex: 1,
        byteOffset: writeIso2709(second).length,
        code: 'RECORD_TRUNCATED',
      });
      expect(results[1]!.record?.fields.slice(0, 4)).toEqual(sample.fields.slice(0, 4));
    });

    it('ignores whitespace after the last record terminator', () => {
      expect(parseIso2709(bytesOf(writeIso2709(sample), '\r\n'))).toHaveLength(1);
    });
  });

  describe('character coding (leader/09)', () => {
    const withText = (leader09: string, value: string, encoding: BufferEncoding) => {
      const bytes = Buffer.from(
        writeIso2709({
          ...second,
          fields: [
            { tag: '001', value: 'x' },
            { tag: '245', ind1: '0', ind2: '0', subfields: [{ code: 'a', value: 'PLACEHOLDER' }] },
          ],
        }),
      );
      const text = bytes
        .toString('latin1')
        .replace('PLACEHOLDER', Buffer.from(value, encoding).toString('latin1'));
      const out = Buffer.from(text, 'latin1');
      out.write(String(out.length).padStart(5, '0'), 0, 'latin1');
      out.write(leader09, 9, 'latin1');
      // the 245 directory entry length changes with the text
      const entry = out.indexOf('245', 24, 'latin1');
      out.write(String(Buffer.from(value, encoding).length + 5).padStart(4, '0'), entry + 3, 'latin1');
      return out;
    };

    it.each<[string, string, string, BufferEncoding, string, string[]]>([
      ['UTF-8 with leader/09 = a', 'a', 'Öland ☃', 'utf8', 'Öland ☃', []],
      ['ASCII with leader/09 blank', ' ', 'Oland', 'latin1', 'Oland', []],
      ['valid UTF-8 flagged MARC-8 (blank)', ' ', 'Öland', 'utf8', 'Öland', ['CHARACTER_CODING_MISMATCH']],
      ['invalid UTF-8 with leader/09 = a', 'a', 'Öland', 'latin1', '\ufffdland', ['INVALID_UTF8']],
      ['an unknown leader/09 over UTF-8 bytes', '0', 'Öland', 'utf8', 'Öland', ['CHARACTER_CODING_UNKNOWN']],
    ])('decodes %s and reports only what is off', (_, leader09, value, encoding, expected, expectedCodes) => {
      const [result] = parseIso2709(withText(leader09, value, encoding));
      expect(result!.record?.fields[1]).toMatchObject({ subfields: [{ code: 'a', value: expected }] });
      expect(codes(result!)).toEqual(expectedCodes);
    });

    it('decodes MARC-8 records through decodeMarc8 (non-ASCII bytes never pass through raw)', () => {
      const [result] = parseIso2709(withText(' ', '\xe2Oland', 'latin1'));
      const field = result!.record!.fields[1] as DataField;
      const value = field.subfields[0]!.value;
      expect(value).not.toContain('\xe2');
      expect(value).toContain('land');
      expect(codes(result!)).toEqual([]);
    });

    it('obeys a forced character coding', () => {
      const [result] = parseIso2709(withText(' ', 'Öland', 'utf8'), { characterCoding: 'leader' });
      // read as MARC-8, the UTF-8 bytes C3 96 hold one MARC-8 does not allow
      expect(codes(result!)).toEqual(['INVALID_MARC8']);
      expect(JSON.stringify(result!.record)).not.toContain('Öland');
    });
  });

  describe('strict mode', () => {
    it('throws a MarcParseError naming the record and the byte on the first problem', () => {
      const bytes = bytesOf(
        writeIso2709(second),
        broken((b) => void b.write('00010', 12, 'latin1')),
      );
      let error: unknown;
      try {
        parseIso2709(bytes, { strict: true });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MarcParseError);
      expect((error as MarcParseError).problem).toMatchObject({
        recordIndex: 1,
        byteOffset: writeIso2709(second).length + 12,
        code: 'BASE_ADDRESS_INVALID',
      });
    });

    it('reads sound records without complaint', () => {
      expect(parseIso2709(corpusBytes('evergreen/auth-1066.mrc'), { strict: true })).toHaveLength(1066);
    });
  });
});

describe(readIso2709.name, () => {
  it.each(isoFiles.map((file) => [file.path]))(
    '%s: gives the same results fed 7 bytes at a time as in one buffer',
    async (path) => {
      const bytes = corpusBytes(path);
      const streamed = await collect(readIso2709(inChunks(bytes, 7)));
      expect(streamed).toEqual(parseIso2709(bytes));
    },
  );

  it('reads a Node stream', async () => {
    const { Readable } = await import('node:stream');
    const bytes = bytesOf(writeIso2709(sample), writeIso2709(second));
    const results = await collect(readIso2709(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)])));
    expect(results.map((r) => r.record?.fields)).toEqual([sample.fields, second.fields]);
  });
});

describe(writeIso2709.name, () => {
  it('writes UTF-8 with recomputed lengths, leader/09 = a and a directory in field order', () => {
    const bytes = Buffer.from(writeIso2709({ ...sample, leader: '99999nam  2200000   4500' }));
    expect(Number(bytes.toString('latin1', 0, 5))).toBe(bytes.length);
    expect(bytes.toString('latin1', 9, 10)).toBe('a');
    expect(baseOf(bytes)).toBe(directoryEnd(bytes) + 1);
    expect(
      bytes
        .toString('latin1', 24, 24 + 12 * 5)
        .match(/.{12}/g)!
        .map((entry) => entry.slice(0, 3)),
    ).toEqual(['001', '008', '100', '245', '650']);
    expect(bytes.at(-1)).toBe(0x1d);
    expect(parseIso2709Record(bytes)).toEqual({ ...sample, leader: bytes.toString('latin1', 0, 24) });
  });

  it('round-trips every sound UTF-8 record of the corpus field for field', () => {
    let count = 0;
    for (const file of isoFiles) {
      for (const { record, problems } of parseIso2709(corpusBytes(file.path))) {
        if (record === null || problems.length > 0 || record.leader[9] !== 'a') continue;
        const problemsOnWrite: MarcProblem[] = [];
        const again = parseIso2709Record(writeIso2709(record, { onProblem: (p) => problemsOnWrite.push(p) }));
        if (problemsOnWrite.length > 0) continue;
        expect(again.fields).toEqual(record.fields);
        count++;
      }
    }
    expect(count).toBeGreaterThan(1400);
  });

  it('reports indicators and subfield codes that are not one ASCII character', () => {
    const problems: MarcProblem[] = [];
    const bytes = writeIso2709(
      {
        leader: sample.leader,
        fields: [
          {
            tag: '245',
            ind1: 'ab',
            ind2: '0',
            subfields: [
              { code: '', value: 'x' },
              { code: 'a', value: 'T\x1eitle' },
            ],
          },
        ],
      },
      { onProblem: (p) => problems.push(p) },
    );
    expect(problems.map((p) => p.code)).toEqual([
      'INDICATOR_INVALID',
      'SUBFIELD_CODE_INVALID',
      'CHARACTER_ILLEGAL',
    ]);
    expect(parseIso2709Record(bytes).fields[0]).toEqual({
      tag: '245',
      ind1: ' ',
      ind2: '0',
      subfields: [
        { code: '?', value: 'x' },
        { code: 'a', value: 'Title' },
      ],
    });
  });

  it('cuts a field longer than ISO 2709 can describe (9999 bytes) and reports it', () => {
    const huge: MarcRecord = {
      leader: sample.leader,
      fields: [{ tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x'.repeat(10_000) }] }],
    };
    const problems: MarcProblem[] = [];
    const bytes = writeIso2709(huge, { onProblem: (p) => problems.push(p) });
    expect(problems.map((p) => p.code)).toEqual(['FIELD_TOO_LONG']);
    expect(parseIso2709(bytes)[0]!.problems).toEqual([]);
  });
});

function hasYaz(): boolean {
  try {
    execFileSync('yaz-marcdump', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
