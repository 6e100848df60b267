import { describe, expect, it } from 'vitest';
import { detectFileFormat } from '../../marc/index.ts';
import type { PreparedInput } from './import-prepare.ts';
import { importWorkerAvailable, preparedFromFile } from './import-source.ts';

const MARC = new URL('../../../../../testdata/marc/', import.meta.url);
const file = (name: string) => new URL(name, MARC).pathname;

async function all(source: AsyncIterable<PreparedInput>): Promise<PreparedInput[]> {
  const out: PreparedInput[] = [];
  for await (const input of source) out.push(input);
  return out;
}

/** The input with its original bytes as base64. */
function comparable(input: PreparedInput) {
  return input.source
    ? { ...input, source: { ...input.source, bytes: Buffer.from(input.source.bytes).toString('base64') } }
    : input;
}

describe('reading and preparing a file for import', () => {
  it('can use a worker thread (the worker is bundled from the sources by esbuild)', async () => {
    expect(await importWorkerAvailable()).toBe(true);
  });

  it.each([
    'evergreen/jazz_1k.mrc',
    'evergreen/lul_fre_500.mrc',
    'marc4j/bad_hathi_records.mrc',
    'folio-srm/CornellFOLIOExemplars_Bibs.mrc',
  ])('gives the same records in a worker thread as in this one: %s', async (name) => {
    const path = file(name);
    const format = (await detectFileFormat(path))!;
    const here = await all(
      preparedFromFile(path, format, { batchSize: 500, workerMinBytes: Number.POSITIVE_INFINITY }),
    );
    const worker = await all(preparedFromFile(path, format, { batchSize: 500, workerMinBytes: 0 }));
    expect(here.length).toBeGreaterThan(0);
    // every record comes with its original bytes (compared as text: far faster than byte by byte)
    expect(here.every((input) => input.source !== undefined)).toBe(true);
    expect(worker.map(comparable)).toEqual(here.map(comparable));
  });
});
