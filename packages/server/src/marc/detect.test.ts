import { describe, expect, it } from 'vitest';
import { corpusBytes } from './corpus.test-support.ts';
import { detectMarcFormat } from './detect.ts';

describe(detectMarcFormat.name, () => {
  it.each([
    ['ISO 2709', corpusBytes('evergreen/jazz_1k.mrc').subarray(0, 1024), 'iso2709'],
    ['ISO 2709 after a DOS end-of-file byte', Buffer.from('\x1a00647pam  2200241 a 4500'), 'iso2709'],
    ['MARCXML with a declaration', corpusBytes('marc-perl/batch-ns.xml').subarray(0, 1024), 'marcxml'],
    ['MARCXML after a byte order mark', Buffer.from('\ufeff<collection/>'), 'marcxml'],
    ['MARCXML after whitespace', corpusBytes('evergreen/serials_marc21.xml').subarray(0, 64), 'marcxml'],
    ['a MARC-in-JSON object', Buffer.from('{"leader":"x","fields":[]}'), 'marc-json'],
    ['a MARC-in-JSON array', Buffer.from('\n [ {"leader"'), 'marc-json'],
    ['the text view', Buffer.from('=LDR  00000nam'), 'marc-text'],
    ['four digits only', Buffer.from('1234x'), null],
    ['nothing', Buffer.alloc(0), null],
    ['plain text', Buffer.from('hello'), null],
  ])('recognizes %s', (_, head, format) => {
    expect(detectMarcFormat(head)).toBe(format);
  });
});
