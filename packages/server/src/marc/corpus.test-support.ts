/**
 * Test support (not a test): the MARC test corpus in `testdata/marc` at the repository root,
 * and the record counts its SOURCES.md lists.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus folder, found relative to this file (`testdata/marc` at the repository root). */
export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../../../../testdata/marc');

/** One corpus file as SOURCES.md describes it. */
export interface CorpusFile {
  /** Path relative to {@link CORPUS}, e.g. `evergreen/jazz_1k.mrc`. */
  path: string;
  kind: 'ISO 2709' | 'MARCXML';
  records: number;
  encoding: string;
  edgeCases: string;
}

/** Every file listed in SOURCES.md with its record count. */
export function corpusFiles(): CorpusFile[] {
  const files: CorpusFile[] = [];
  let folder = '';
  for (const line of readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8').split('\n')) {
    const heading = /^## (\S+)\//.exec(line);
    if (heading) folder = heading[1]!;
    const cells = line.split('|').map((cell) => cell.trim());
    const kind = cells[3];
    if (cells.length < 8 || (kind !== 'ISO 2709' && kind !== 'MARCXML')) continue;
    files.push({
      path: `${folder}/${cells[1]}`,
      kind,
      records: Number(cells[4]!.replace(/,/g, '')),
      encoding: cells[5]!,
      edgeCases: cells[7]!,
    });
  }
  return files;
}

/** The bytes of a corpus file. */
export function corpusBytes(path: string): Buffer {
  return readFileSync(join(CORPUS, path));
}

/** The bytes in chunks of `size` (a stream at its most awkward). */
export async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Everything an async iterable yields, as an array. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}
