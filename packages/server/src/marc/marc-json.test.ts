import { describe, expect, it } from 'vitest';
import { collect, corpusBytes, corpusFiles, inChunks } from './corpus.test-support.ts';
import { parseIso2709 } from './iso2709.ts';
import {
  fromMarcJson,
  parseMarcJson,
  readMarcJson,
  toMarcJson,
  toMarcJsonText,
  writeMarcJsonArray,
  writeMarcJsonLines,
} from './marc-json.ts';
import type { MarcRecord } from './record.ts';

const record: MarcRecord = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: '123' },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Title :' },
        { code: 'b', value: 'sub "quoted" {x} [y]' },
      ],
    },
  ],
};
const json = JSON.stringify(toMarcJson(record));

describe(toMarcJson.name, () => {
  it('writes the code4lib MARC-in-JSON shape', () => {
    expect(toMarcJson(record)).toEqual({
      leader: record.leader,
      fields: [
        { '001': '123' },
        { '245': { ind1: '1', ind2: '0', subfields: [{ a: 'Title :' }, { b: 'sub "quoted" {x} [y]' }] } },
      ],
    });
  });

  it('sets leader/09 to a: JSON text is Unicode', () => {
    expect(toMarcJson({ ...record, leader: '00000nam  2200000 a 4500' }).leader.charAt(9)).toBe('a');
  });

  it('round-trips every sound UTF-8 record of the ISO 2709 corpus field for field', () => {
    let count = 0;
    for (const file of corpusFiles().filter((f) => f.kind === 'ISO 2709')) {
      for (const { record: source, problems } of parseIso2709(corpusBytes(file.path))) {
        if (source === null || problems.length > 0 || source.leader[9] !== 'a') continue;
        const [back] = parseMarcJson(JSON.stringify(toMarcJson(source)));
        expect(back).toMatchObject({ record: source, problems: [] });
        count++;
      }
    }
    expect(count).toBeGreaterThan(1400);
  });
});

describe(parseMarcJson.name, () => {
  it.each([
    ['a single record object', json, 1],
    ['a JSON array of records', `[${json}, ${json},\n${json}]`, 3],
    ['newline-delimited JSON', `${json}\n${json}\n`, 2],
    [
      'pretty-printed records one after another',
      `${JSON.stringify(toMarcJson(record), null, 2)}\n${json}`,
      2,
    ],
    ['an empty array', '[]', 0],
  ])('reads %s', (_, input, count) => {
    const results = parseMarcJson(input);
    expect(results).toHaveLength(count);
    for (const result of results) expect(result).toMatchObject({ record, problems: [] });
  });

  it.each<[string, string, string]>([
    ['invalid JSON inside a record', `{"leader": "x", "fields": [}`, 'JSON_MALFORMED'],
    ['an object that is not a record', `{"title": "x"}`, 'JSON_NOT_A_RECORD'],
    [
      'a field that is not a one-key object',
      `{"leader": "x", "fields": [{"001": "a", "002": "b"}]}`,
      'JSON_NOT_A_RECORD',
    ],
    [
      'a subfield that is not {code: string}',
      `{"leader": "x", "fields": [{"245": {"ind1": "0", "ind2": "0", "subfields": [{"a": 1}]}}]}`,
      'SUBFIELD_CODE_INVALID',
    ],
    [
      'a missing indicator',
      `{"leader": "x", "fields": [{"245": {"ind1": "0", "subfields": [{"a": "t"}]}}]}`,
      'INDICATOR_INVALID',
    ],
    ['a stray value between records', `[42, ${json}]`, 'JSON_MALFORMED'],
  ])('reports %s and keeps reading the next record', (_, bad, code) => {
    const input = bad.startsWith('[') ? bad : `${bad}\n${json}`;
    const results = parseMarcJson(input);
    expect(results.flatMap((r) => r.problems.map((p) => p.code))).toContain(code);
    expect(results.at(-1)).toMatchObject({ record, problems: [], recordIndex: results.length - 1 });
  });

  it('reports a record cut off by the end of the input', () => {
    const results = parseMarcJson(`${json}\n${json.slice(0, 30)}`);
    expect(results.map((r) => r.record === null)).toEqual([false, true]);
    expect(results[1]!.problems[0]).toMatchObject({ code: 'RECORD_TRUNCATED', byteOffset: json.length + 1 });
  });

  it('converts one parsed object with fromMarcJson', () => {
    expect(fromMarcJson(JSON.parse(json))).toEqual({ record, problems: [] });
  });
});

describe(readMarcJson.name, () => {
  it('gives the same results fed 7 bytes at a time, multi-byte characters split across chunks', async () => {
    const unicode = JSON.stringify(
      toMarcJson({ ...record, fields: [{ tag: '001', value: 'Ünïcødé ☃ 𝄞 \\ "' }] }),
    );
    const input = Buffer.from(`[${json},${unicode},\n${json}]`);
    expect(await collect(readMarcJson(inChunks(input, 7)))).toEqual(parseMarcJson(input));
    expect((await collect(readMarcJson(inChunks(input, 7))))[1]?.record?.fields[0]).toEqual({
      tag: '001',
      value: 'Ünïcødé ☃ 𝄞 \\ "',
    });
  });
});

describe(writeMarcJsonArray.name, () => {
  it('streams a JSON array and newline-delimited JSON that read back', async () => {
    const array = (await collect(writeMarcJsonArray([record, record]))).join('');
    expect(JSON.parse(array)).toHaveLength(2);
    expect((await collect(writeMarcJsonArray([]))).join('')).toBe('[]\n');
    const lines = (await collect(writeMarcJsonLines([record, record]))).join('');
    expect(lines.trim().split('\n')).toHaveLength(2);
    expect(parseMarcJson(lines).map((r) => r.record)).toEqual([record, record]);
  });
});

describe('toMarcJsonText', () => {
  it('writes exactly the text JSON.stringify gives for toMarcJson, for every corpus record', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const base = new URL('../../../../testdata/marc/', import.meta.url);
    let compared = 0;
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(mrc|marc|usmarc|dat)$/.test(entry.name)) continue;
      for (const result of parseIso2709(readFileSync(`${entry.parentPath}/${entry.name}`))) {
        if (!result.record) continue;
        expect(toMarcJsonText(result.record)).toBe(JSON.stringify(toMarcJson(result.record)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });
});
