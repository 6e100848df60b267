import { Buffer } from 'node:buffer';

/**
 * Where a streaming reader takes its bytes from: a Node readable stream (e.g. `fs.createReadStream`),
 * a web `ReadableStream<Uint8Array>`, or any (async) iterable of byte chunks. String chunks are taken
 * as UTF-8, so do not call `setEncoding` on a stream of ISO 2709 records.
 */
export type ByteSource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | NodeJS.ReadableStream;

/** A Buffer view on the same memory (no copy). @internal */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The chunks of a {@link ByteSource} as Buffers, in order. @internal */
export async function* byteChunks(source: ByteSource): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (chunk.byteLength > 0) yield asBuffer(chunk);
  }
}
