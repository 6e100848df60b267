import { describe, expect, it } from 'vitest';
import { analyze, foldText, words } from './search-text.ts';

describe('search text analysis', () => {
  it.each([
    ['Müller', 'muller'],
    ['Ångström', 'angstrom'],
    ['Straße', 'strasse'],
    ['Łódź', 'lodz'],
    ['Ærø', 'aero'],
    ['ÉCOLE', 'ecole'],
  ])('folds %s to %s', (text, folded) => {
    expect(foldText(text)).toBe(folded);
  });

  it('gives a word and its plural the same index term', () => {
    expect(analyze('libraries')).toBe(analyze('library'));
    expect(analyze('Histories of cataloging')).toBe(analyze('history of catalogs'));
  });

  it('splits on punctuation and keeps numbers and other scripts', () => {
    expect(words('QA76.73 .J38, 2nd ed.')).toEqual(['qa76', '73', 'j38', '2nd', 'ed']);
    expect(analyze('東京 Москва')).toBe('東京 москва');
  });
});
