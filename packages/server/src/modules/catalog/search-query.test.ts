import { describe, expect, it } from 'vitest';
import { parseQuery } from './search-query.ts';

const t = (words: string[], field: string | null = null, prefix = false) => ({
  type: 'terms',
  field,
  words,
  prefix,
});

describe('parseQuery', () => {
  it.each([
    ['', null],
    ['   ', null],
    ['libraries', t(['librari'])],
    ['Müller', t(['muller'])],
    ['civil war', { type: 'and', children: [t(['civil']), t(['war'])] }],
    ['"civil war"', t(['civil', 'war'])],
    ['title:"the hobbit"', t(['the', 'hobbit'], 'title')],
    ['author:tolkien', t(['tolkien'], 'author')],
    ['catalog*', t(['catalog'], null, true)],
    ['isbn:0-13-110362-8', t(['9780131103627'], 'other')],
    ['issn:0317-8471', t(['03178471'], 'other')],
    ['war OR peace', { type: 'or', children: [t(['war']), t(['peac'])] }],
    ['war NOT peace', { type: 'and', children: [t(['war']), { type: 'not', child: t(['peac']) }] }],
    ['war -peace', { type: 'and', children: [t(['war']), { type: 'not', child: t(['peac']) }] }],
    [
      '(cats OR dogs) AND training',
      { type: 'and', children: [{ type: 'or', children: [t(['cat']), t(['dog'])] }, t(['train'])] },
    ],
    ['rock and roll', { type: 'and', children: [t(['rock']), t(['and']), t(['roll'])] }],
    ['QA76.73', t(['qa76', '73'])],
    ['color: red', { type: 'and', children: [t(['color']), t(['red'])] }],
    ['unknown:field', t(['unknown', 'field'])],
  ])('parses %j', (input, tree) => {
    expect(parseQuery(input)).toEqual(tree);
  });

  it.each(['(((', ')))', 'NOT', 'AND OR', '"unclosed phrase', '--', '-'])('never fails on %j', (input) => {
    expect(() => parseQuery(input)).not.toThrow();
  });
});
