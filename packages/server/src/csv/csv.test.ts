import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsvField, formatCsvRow, parseCsv, writeCsv } from './index.ts';

const fieldsOf = (text: string) => parseCsv(text).map((r) => r.fields);

describe(parseCsv.name, () => {
  it.each([
    [
      'a,b,c\r\n1,2,3\r\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'a,,c\r\n,,\r\n',
      [
        ['a', '', 'c'],
        ['', '', ''],
      ],
    ],
    ['"Doe, Jo","said ""hi"""\r\n', [['Doe, Jo', 'said "hi"']]],
    ['"line one\r\nline two",x\r\n', [['line one\r\nline two', 'x']]],
    ['"",""\r\n', [['', '']]],
    [
      'a,b\r\n\r\n\r\nc,d\r\n\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      '\uFEFFcard,name\r\n1,Zoë\r\n',
      [
        ['card', 'name'],
        ['1', 'Zoë'],
      ],
    ],
    ['a, b ,c\r\n', [['a', ' b ', 'c']]],
    ['x\ry,z\r\n', [['x\ry', 'z']]],
    ['', []],
  ])('reads %j', (text, expected) => {
    expect(fieldsOf(text)).toEqual(expected);
  });

  it('tells the line each record starts on, counting lines inside quoted fields', () => {
    const records = parseCsv('h1,h2\r\n"a\r\nb",c\r\n\r\nd,e\r\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('refuses a quote that is never closed, naming the line it opens on', () => {
    expect(() => parseCsv('a,b\r\n1,"open\r\nstill open\r\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\r\n1,"open\r\nstill open\r\n')).toThrow(
      /^line 2: a quoted field is never closed$/,
    );
  });

  it('refuses text after a closing quote', () => {
    expect(() => parseCsv('a\r\n"x"y\r\n')).toThrow(/^line 2: text follows a closing quote/);
  });
});

describe(formatCsvField.name, () => {
  it.each([
    ['plain', 'plain'],
    ['Doe, Jo', '"Doe, Jo"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(formatCsvField(value)).toBe(expected);
  });
});

describe('formula injection', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=1,2', `"'=1,2"`],
    ['a=b', 'a=b'],
    ["'quoted", "'quoted"],
    ["'=x", "''=x"],
  ])('writes %j as %j', (value, expected) => {
    expect(formatCsvField(value)).toBe(expected);
  });

  it('writes numbers and booleans as they are, negative numbers included', () => {
    expect(formatCsvRow([-250, 0, true, '-250'])).toBe("-250,0,true,'-250\r\n");
  });

  it('reads a neutralised field back without its quote mark, and leaves other quote marks alone', () => {
    const rows = [
      ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '\tx', '\rx', "'=x", "''-1"],
    ];
    expect(fieldsOf(writeCsv(rows))).toEqual(rows);
    expect(fieldsOf("'plain,'',''=x,'@a,\"'+b\"\r\n")).toEqual([["'plain", "''", "'=x", '@a', '+b']]);
  });

  it('refuses text holding U+0000, naming its line', () => {
    expect(() => parseCsv('a,b\r\n1,2\r\nx\u0000,y\r\n')).toThrow(/^line 3: a NUL character \(U\+0000\)/);
  });
});

describe(writeCsv.name, () => {
  it('ends every record with CRLF and writes null as an empty field', () => {
    expect(formatCsvRow(['a', null, 3, true, undefined])).toBe('a,,3,true,\r\n');
  });

  it('reads back exactly what it wrote', () => {
    const rows = [
      ['card_barcode', 'first_name', 'notes'],
      ['21234000000125', 'Zoë', 'said "hi", then left\r\nnext day: came back'],
      ['', ' leading space', ''],
    ];
    expect(fieldsOf(writeCsv(rows))).toEqual(rows);
  });
});
