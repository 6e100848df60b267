import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The MARC test corpus (see its SOURCES.md): `testdata/marc/` at the repository root. */
export const MARC_TESTDATA_DIR = fileURLToPath(new URL('../../../testdata/marc/', import.meta.url));

/**
 * Well-formed ISO 2709 files of the corpus that Stacks, yaz-marcdump and marcjs all read to the same
 * record count, with correct record lengths and no stderr noise from yaz-marcdump (auth-1066.mrc and
 * oss.marc are left out: yaz warns on every record about leader/22). About 72% of the records are
 * MARC-8 (leader/09 blank, with MARC-8 diacritics), the rest UTF-8 in many scripts.
 * jazz_1k.mrc holds 5 records with an empty subfield (a warning, not a structural fault).
 */
export const MARC_BENCH_FILES: readonly string[] = [
  'evergreen/jazz_1k.mrc', // 1,000 MARC-8 (music)
  'evergreen/lul_fre_500.mrc', // 500 MARC-8 (French, combining diacritics)
  'marc4j/brkrtest.mrc', // 8 MARC-8
  'folio-srm/CornellFOLIOExemplars_Bibs.mrc', // 62 UTF-8 (Arabic, CJK, Cyrillic, Hebrew, Thai 880s)
  'folio-srm/test1_err.mrc', // 50 UTF-8
  'marc4j/pride-and-prejudice-fixed.mrc', // 383 UTF-8
  'marc4j/065001035.mrc', // 40 UTF-8
  'traject/test_data.utf8.mrc', // 30 UTF-8 (Arabic, CJK, Hebrew)
  'yaz/marccol5.u8.marc', // 11 UTF-8 (Armenian, Bengali, Devanagari, Tamil, Thai)
];

const RECORD_TERMINATOR = 0x1d;

/** The corpus mix in one buffer, with the end (exclusive) of every record in it. */
export interface MarcMix {
  bytes: Buffer;
  recordEnds: number[];
  marc8Records: number;
  utf8Records: number;
}

/** Reads {@link MARC_BENCH_FILES} into one buffer of whole records (bytes after a file's last record dropped). */
export async function loadMarcMix(dir: string = MARC_TESTDATA_DIR): Promise<MarcMix> {
  const parts: Buffer[] = [];
  for (const name of MARC_BENCH_FILES) {
    const file = await readFile(join(dir, name));
    parts.push(file.subarray(0, file.lastIndexOf(RECORD_TERMINATOR) + 1));
  }
  const bytes = Buffer.concat(parts);
  const recordEnds: number[] = [];
  let marc8Records = 0;
  let start = 0;
  for (
    let end = bytes.indexOf(RECORD_TERMINATOR);
    end !== -1;
    end = bytes.indexOf(RECORD_TERMINATOR, start)
  ) {
    if (bytes[start + 9] !== 0x61) marc8Records++; // leader/09 'a' = UTF-8, else MARC-8
    start = end + 1;
    recordEnds.push(start);
  }
  return { bytes, recordEnds, marc8Records, utf8Records: recordEnds.length - marc8Records };
}

/** What {@link writeMarcBenchFile} wrote. */
export interface MarcBenchFile {
  path: string;
  bytes: number;
  records: number;
  /** Records with leader/09 blank (MARC-8) and 'a' (UTF-8). */
  marc8Records: number;
  utf8Records: number;
  /** Records in one pass over the corpus mix. */
  mixRecords: number;
}

/**
 * Writes `records` ISO 2709 records to `path`: the corpus mix repeated, the last repetition cut after
 * a whole record. Streams (one mix, about 2 MB, in memory at a time).
 */
export async function writeMarcBenchFile(path: string, records: number): Promise<MarcBenchFile> {
  const mix = await loadMarcMix();
  const perMix = mix.recordEnds.length;
  const handle = await open(path, 'w');
  let bytes = 0;
  let marc8Records = 0;
  try {
    let left = records;
    while (left > 0) {
      const take = Math.min(left, perMix);
      const chunk = take === perMix ? mix.bytes : mix.bytes.subarray(0, mix.recordEnds[take - 1]);
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
        written += bytesWritten;
      }
      bytes += chunk.length;
      if (take === perMix) marc8Records += mix.marc8Records;
      else {
        let start = 0;
        for (let i = 0; i < take; i++) {
          if (chunk[start + 9] !== 0x61) marc8Records++;
          start = mix.recordEnds[i]!;
        }
      }
      left -= take;
    }
  } finally {
    await handle.close();
  }
  return { path, bytes, records, marc8Records, utf8Records: records - marc8Records, mixRecords: perMix };
}
