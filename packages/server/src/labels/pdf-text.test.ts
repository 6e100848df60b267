import { describe, expect, it } from 'vitest';
import { isStandardFontChar, toStandardFontText } from './index.ts';

describe(toStandardFontText.name, () => {
  it.each([
    ['plain ASCII', 'Middlemarch', 'Middlemarch'],
    ['Latin-1 letters', 'Müller, José; Ærø Ångström', 'Müller, José; Ærø Ångström'],
    ['WinAnsi typographic marks', '“Quoted” — 12 € … ‘ok’', '“Quoted” — 12 € … ‘ok’'],
    ['decomposed accents (NFD input)', 'Jose\u0301', 'José'],
    ['accents outside Latin-1', 'Đorđe Łukasz Ősz Ștefan Čapek', 'Dorde Lukasz Osz Stefan Capek'],
    ['letters without decomposition', 'Straße STRAẞE ıi', 'Straße STRASSE ii'],
    ['ligatures and full-width forms', 'ﬁsh Ａ１', 'fish A1'],
    ['Cyrillic', 'Ольга Щукина', 'Olga Shchukina'],
    ['Ukrainian Cyrillic', 'Їжак', 'Jizhak'],
    ['Greek with accents', 'Σοφία Παπαδοπούλου', 'Sofia Papadopoulou'],
    ['CJK, one ? per character', '李小龍 Lee', '??? Lee'],
    ['Arabic and emoji', 'سارة 📚', '???? ?'],
    ['line breaks and odd spaces', 'A\nB\tC\u2003D\u00a0E', 'A B C D E'],
    ['zero-width and control characters', 'A\u200bB\u0007C', 'ABC'],
    ['non-breaking hyphen and minus sign', 'QA76\u2011.73 \u22125', 'QA76-.73 -5'],
  ])('%s: %j → %j', (_case, input, expected) => {
    const output = toStandardFontText(input);
    expect(output).toBe(expected);
    expect([...output].every(isStandardFontChar)).toBe(true);
  });
});
