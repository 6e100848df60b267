import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ByteSource } from './byte-source.ts';
import { DETECT_BYTES, detectMarcFormat, type MarcFormat } from './detect.ts';
import { readIso2709 } from './iso2709.ts';
import { readMarcJson } from './marc-json.ts';
import { readMarcXml } from './marcxml.ts';
import type { MarcReadOptions, ReadResult } from './problems.ts';
import { parseMarcTextRecords } from './text.ts';

/** Streams the records of a source in the given format. */
export async function* readMarc(
  source: ByteSource,
  format: MarcFormat,
  options: MarcReadOptions = {},
): AsyncGenerator<ReadResult> {
  switch (format) {
    case 'iso2709':
      yield* readIso2709(source, options);
      return;
    case 'marcxml':
      yield* readMarcXml(source, options);
      return;
    case 'marc-json':
      yield* readMarcJson(source, options);
      return;
    case 'marc-text': {
      // The text view is for people and small files: read it whole.
      const chunks: Buffer[] = [];
      for await (const chunk of source as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
      const records = parseMarcTextRecords(Buffer.concat(chunks).toString('utf8'));
      for (const [recordIndex, record] of records.entries())
        yield { recordIndex, byteOffset: 0, record, problems: [] };
      return;
    }
  }
}

/** The format of a file, detected from its first bytes (ISO 2709, MARCXML, MARC-in-JSON or the text view). */
export async function detectFileFormat(path: string): Promise<MarcFormat | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(DETECT_BYTES);
    const { bytesRead } = await handle.read(head, 0, DETECT_BYTES, 0);
    return detectMarcFormat(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Streams the records of a file, its format detected from its content. */
export async function readMarcFile(
  path: string,
  options: MarcReadOptions = {},
): Promise<{ format: MarcFormat; records: AsyncGenerator<ReadResult> }> {
  const format = await detectFileFormat(path);
  if (format === null) throw new Error(`${path}: not ISO 2709, MARCXML or MARC-in-JSON`);
  return { format, records: readMarc(createReadStream(path, { highWaterMark: 1 << 20 }), format, options) };
}
