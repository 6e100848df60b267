import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spineLabelLines } from './index.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../testdata/callnumbers/callnumbers.json', import.meta.url), 'utf8'),
) as { components: Array<{ source: string; input: string; field: string; expected: unknown }> };

describe('spineLabelLines', () => {
  it.each([
    ['QA76.73.J38 F53 2001', 'lc', ['QA', '76.73', '.J38', 'F53', '2001']],
    ['QA76.73 .J38 2001 v.2 c.3', 'lc', ['QA', '76.73', '.J38', '2001', 'v.2', 'c.3']],
    ['KF4558 15th .G8', 'lc', ['KF', '4558', '15th', '.G8']],
    ['025.04 SMI', 'dewey', ['025.04', 'SMI']],
    ['621.56 W91m 1999 v.3', 'dewey', ['621.56', 'W91m', '1999', 'v.3']],
    ['FIC SMITH', 'local', ['FIC', 'SMITH']],
  ] as const)('puts each part of %s on its own line (%s)', (text, scheme, lines) => {
    expect(spineLabelLines(text, scheme)).toEqual(lines);
  });

  const split = vectors.components.filter((c) => c.source === 'perl-lcn-split');
  it.each(split.map((c) => [c.input, c.expected] as const))(
    'splits %s like Library::CallNumber::LC',
    (input, lines) => {
      expect(spineLabelLines(input, 'lc')).toEqual(lines);
    },
  );

  it('breaks a long class number before its decimal point', () => {
    expect(spineLabelLines('TK5105.888 .S43 1997', 'lc', { maxWidth: 5 })).toEqual([
      'TK',
      '5105',
      '.888',
      '.S43',
      '1997',
    ]);
  });

  it('breaks a line with no period at the maximum width', () => {
    expect(spineLabelLines('FIC ABCDEFGHIJ', 'local', { maxWidth: 4 })).toEqual([
      'FIC',
      'ABCD',
      'EFGH',
      'IJ',
    ]);
  });

  it('never makes a line longer than the maximum width', () => {
    for (const text of ['PN1995.9.N3 N75 1970 v.12345', '025.04028 SMITHSONIAN 2001']) {
      for (const line of spineLabelLines(text, 'lc', { maxWidth: 6 }))
        expect(line.length).toBeLessThanOrEqual(6);
    }
  });
});
