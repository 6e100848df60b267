/**
 * The reader's fast paths: records cut at every chunk boundary, the hand-written async generator of
 * readIso2709 (queueing, return, throw, strict mode), values cut straight from the record text or
 * decoded where needed, and the 4-bytes-at-a-time scan at every alignment.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMarc8, decodeMarc8Detailed, decodeMarc8Range } from '../marc8/decode-marc8.ts';
import { corpusBytes } from './corpus.test-support.ts';
import { parseIso2709, readIso2709, writeIso2709 } from './iso2709.ts';
import { MarcParseError, type ReadResult } from './problems.ts';
import type { DataField, MarcRecord } from './record.ts';

/** A MARC-8 record (leader/09 blank) from raw latin1 field data: [tag, data without terminator]. */
function rawRecord(fields: Array<[string, string]>, scheme = ' '): Buffer {
  let directory = '';
  let data = '';
  for (const [tag, body] of fields) {
    directory += tag + String(body.length + 1).padStart(4, '0') + String(data.length).padStart(5, '0');
    data += `${body}\x1e`;
  }
  directory += '\x1e';
  const base = 24 + directory.length;
  const length = base + data.length + 1;
  const leader = `${String(length).padStart(5, '0')}nam ${scheme}22${String(base).padStart(5, '0')}   4500`;
  return Buffer.from(`${leader}${directory}${data}\x1d`, 'latin1');
}

const marc8 = rawRecord([
  ['001', 'm8-1'],
  ['100', '1 \x1faBront\xe8e, Charlotte,\x1fd1816-1855.'],
  ['245', '10\x1faJane Eyre /\x1fc\x1b(2\x1b)2ESC text\x1fb\x1f'],
  ['500', '  \x1fa\xe2e\xe3a \xf0c plain\x1fxno decoding'],
]);
const utf8 = Buffer.from(
  writeIso2709({
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '001', value: 'u8-1' },
      { tag: '245', ind1: '1', ind2: '0', subfields: [{ code: 'a', value: 'Ελληνικά 漢字 😀' }] },
      { tag: '650', ind1: ' ', ind2: '0', subfields: [{ code: 'a', value: 'ASCII only' }] },
    ],
  }),
);
/** Junk between records, an empty record and an unterminated tail: every kind of record slot. */
const file = Buffer.concat([
  marc8,
  Buffer.from('\r\n'),
  utf8,
  Buffer.from([0x1d]),
  marc8,
  utf8.subarray(0, utf8.length - 20),
]);

function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

async function collect(results: AsyncIterable<ReadResult>): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const result of results) out.push(result);
  return out;
}

describe('readIso2709 chunk boundaries', () => {
  const expected = parseIso2709(file);

  it('reads the test file as expected (the reference for the stream)', () => {
    expect(expected.map((r) => r.record?.fields.length ?? null)).toEqual([4, 3, null, 4, 2]);
    expect(expected.map((r) => r.problems[0]?.code)).toEqual([
      'SUBFIELD_CODE_INVALID',
      'JUNK_BEFORE_RECORD',
      'RECORD_EMPTY',
      'SUBFIELD_CODE_INVALID',
      'RECORD_TRUNCATED',
    ]);
    // the cut falls inside a UTF-8 sequence
    expect(expected[4]!.problems.map((p) => p.code)).toContain('INVALID_UTF8');
  });

  it('gives the same results with the input cut in two at every offset', async () => {
    for (let cut = 0; cut <= file.length; cut++) {
      expect(await collect(readIso2709(chunked(file, [cut])))).toEqual(expected);
    }
  });

  it('gives the same results with the input cut in three at every pair of offsets around a record', async () => {
    const start = marc8.length + 2;
    for (let a = start - 3; a < start + utf8.length + 3; a += 1) {
      for (let b = a; b < start + utf8.length + 3; b += 7) {
        expect(await collect(readIso2709(chunked(file, [a, b])))).toEqual(expected);
      }
    }
  });

  it('gives the same results one byte at a time, and as one chunk', async () => {
    const bytes = Array.from({ length: file.length - 1 }, (_, i) => i + 1);
    expect(await collect(readIso2709(chunked(file, bytes)))).toEqual(expected);
    expect(await collect(readIso2709([file]))).toEqual(expected);
  });

  it('matches parseIso2709 on a corpus file in 4 KiB chunks', async () => {
    const bytes = corpusBytes('evergreen/lul_fre_500.mrc');
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096);
    expect(await collect(readIso2709(chunked(bytes, cuts)))).toEqual(parseIso2709(bytes));
  });
});

describe('readIso2709 as an async generator', () => {
  /** A source that records whether it was opened and closed. */
  function tracked(chunks: Uint8Array[]) {
    const state = { opened: false, closed: false, pulls: 0 };
    const source = {
      async *[Symbol.asyncIterator]() {
        state.opened = true;
        try {
          for (const chunk of chunks) {
            state.pulls++;
            yield chunk;
          }
        } finally {
          state.closed = true;
        }
      },
    };
    return { source, state };
  }

  it('closes the source when the reader is left early', async () => {
    const { source, state } = tracked(chunked(file, [10, 400]));
    for await (const result of readIso2709(source)) {
      expect(result.recordIndex).toBe(0);
      break;
    }
    expect(state).toEqual({ opened: true, closed: true, pulls: 2 });
  });

  it('does not open the source for return() or throw() before the first next()', async () => {
    const { source, state } = tracked([file]);
    await expect(readIso2709(source).return(undefined)).resolves.toEqual({ value: undefined, done: true });
    await expect(readIso2709(source).throw(new Error('stop'))).rejects.toThrow('stop');
    expect(state.opened).toBe(false);
  });

  it('closes the source on throw() and is done afterwards', async () => {
    const { source, state } = tracked([file]);
    const reader = readIso2709(source);
    expect((await reader.next()).done).toBe(false);
    await expect(reader.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(state.closed).toBe(true);
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });

  it('serves calls made without waiting in order', async () => {
    const reader = readIso2709(chunked(file, [5, 300, 301, 900]));
    const results = await Promise.all(Array.from({ length: 7 }, () => reader.next()));
    expect(results.map((r) => (r.done ? 'done' : r.value.recordIndex))).toEqual([
      0,
      1,
      2,
      3,
      4,
      'done',
      'done',
    ]);
    expect(results.slice(0, 5).map((r) => r.value)).toEqual(parseIso2709(file));
  });

  it('in strict mode yields the records before the bad one, then throws, closes the source and is done', async () => {
    const bad = Buffer.concat([utf8, utf8, Buffer.from([0x1d]), utf8]);
    const { source, state } = tracked(chunked(bad, [utf8.length + 3]));
    const reader = readIso2709(source, { strict: true });
    expect((await reader.next()).value?.recordIndex).toBe(0);
    expect((await reader.next()).value?.recordIndex).toBe(1);
    const error = await reader.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarcParseError);
    expect((error as MarcParseError).problem).toMatchObject({ code: 'RECORD_EMPTY', recordIndex: 2 });
    expect(state.closed).toBe(true);
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });

  it('reports its own error, not one from closing the source', async () => {
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: Buffer.from([0x1d]), done: false }),
        return: async () => {
          throw new Error('cannot close');
        },
      }),
    };
    const error = await readIso2709(source, { strict: true })
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarcParseError);
    await expect(readIso2709(source).return(undefined)).resolves.toEqual({ value: undefined, done: true });
    const reader = readIso2709(source);
    await reader.next();
    await expect(reader.return(undefined)).rejects.toThrow('cannot close');
  });

  it('passes on an error of the source', async () => {
    const source = {
      async *[Symbol.asyncIterator]() {
        yield marc8.subarray(0, 10);
        throw new Error('disk on fire');
      },
    };
    const reader = readIso2709(source);
    await expect(reader.next()).rejects.toThrow('disk on fire');
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });
});

describe('record text and decoding', () => {
  it('decodes MARC-8 values only where they hold bytes to decode, also for a record at offset 0', () => {
    const [result] = parseIso2709(marc8);
    const fields = result!.record!.fields as DataField[];
    expect(fields[1]!.subfields).toEqual([
      { code: 'a', value: 'Brontë, Charlotte,' },
      { code: 'd', value: '1816-1855.' },
    ]);
    expect(fields[3]!.subfields).toEqual([
      { code: 'a', value: decodeMarc8(Buffer.from('\xe2e\xe3a \xf0c plain', 'latin1')) },
      { code: 'x', value: 'no decoding' },
    ]);
    expect(fields[3]!.subfields[0]!.value).toBe('éâ ç plain'.normalize('NFC'));
  });

  it('reports an empty subfield at the field delimiter (plain text) or after it (MARC-8 decoded)', () => {
    const plain = rawRecord([['245', '10\x1fa\x1f\x1fbx']]);
    const decoded = rawRecord([['245', '10\x1fa\xe2e\x1f\x1fbx']]);
    const at = (bytes: Buffer) => parseIso2709(bytes)[0]!.problems.map((p) => [p.code, p.byteOffset]);
    const dataStart = 24 + 13;
    expect(at(plain)).toEqual([['SUBFIELD_CODE_INVALID', dataStart + 2]]);
    expect(at(decoded)).toEqual([['SUBFIELD_CODE_INVALID', dataStart + 7]]);
  });

  it('finds the bytes to decode at every memory alignment', () => {
    const expected = parseIso2709(file);
    for (let shift = 0; shift < 8; shift++) {
      const memory = new Uint8Array(file.length + 8);
      memory.set(file, shift);
      expect(parseIso2709(memory.subarray(shift, shift + file.length))).toEqual(expected);
    }
  });

  it('tells MARC-8 escapes and high bytes apart from ASCII in every position of a word', () => {
    for (const special of ['\x1b(2', '\xe2', '\xe8']) {
      for (let pad = 0; pad < 8; pad++) {
        const body = `10\x1fa${'x'.repeat(pad)}${special}e end\x1fbplain`;
        const record: MarcRecord | null = parseIso2709(rawRecord([['245', body]]))[0]!.record;
        const field = record!.fields[0] as DataField;
        expect(field.subfields[0]!.value).toBe(
          decodeMarc8(Buffer.from(`${'x'.repeat(pad)}${special}e end`, 'latin1')),
        );
        expect(field.subfields[1]).toEqual({ code: 'b', value: 'plain' });
      }
    }
  });
});

describe('decodeMarc8 shortcuts', () => {
  const marks = [0xe1, 0xe2, 0xe3, 0xe4, 0xe8, 0xe9, 0xf0, 0xf2, 0xfa, 0xfb];
  const cases: number[][] = [];
  for (const mark of marks) {
    cases.push([mark, 0x65], [0x41, mark, 0x6f, 0x20], [mark, mark, 0x61], [mark], [0x61, mark]);
    cases.push(
      [0xa2, mark, 0xb2],
      [mark, 0x1b, 0x67, 0x61],
      [0x1b, 0x24, 0x31, 0x21, 0x30, 0x21, mark, 0x61],
    );
  }

  it('gives what String.prototype.normalize gives, for every mark, shape and form', () => {
    for (const bytes of cases) {
      const input = Uint8Array.from(bytes);
      const raw = decodeMarc8(input, { normalization: 'none' });
      expect(decodeMarc8(input)).toBe(raw.normalize('NFC'));
      expect(decodeMarc8(input, { normalization: 'NFD' })).toBe(raw.normalize('NFD'));
      expect(decodeMarc8Detailed(input).text).toBe(raw.normalize('NFC'));
    }
  });

  it('decodeMarc8Range decodes a range as decodeMarc8 decodes a copy of it', () => {
    const bytes = Buffer.from('ab\xe2e\x1fc\x1b(2\xe8u end', 'latin1');
    for (let start = 0; start < bytes.length; start++) {
      for (let end = start; end <= bytes.length; end++) {
        const part = bytes.subarray(start, end);
        if (!part.some((b) => b >= 0x80 || b === 0x1b)) continue;
        expect(decodeMarc8Range(bytes, start, end)).toBe(decodeMarc8(Uint8Array.from(part)));
      }
    }
  });
});
