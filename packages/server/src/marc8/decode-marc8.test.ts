import { describe, expect, it } from 'vitest';
import { decodeMarc8, decodeMarc8Detailed, type Marc8DecodeOptions } from './decode-marc8.ts';

/** MARC-8 bytes from a compact notation: hex bytes, `'text'` for ASCII, ESC for 0x1B; space-separated. */
function m8(notation: string): Uint8Array {
  const bytes: number[] = [];
  for (const token of notation.match(/'[^']*'|\S+/g) ?? []) {
    if (token.startsWith("'")) for (const c of token.slice(1, -1)) bytes.push(c.charCodeAt(0));
    else if (token === 'ESC') bytes.push(0x1b);
    else bytes.push(Number.parseInt(token, 16));
  }
  return Uint8Array.from(bytes);
}

const raw: Marc8DecodeOptions = { normalization: 'none' };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('decodeMarc8: Basic and Extended Latin (ASCII and ANSEL)', () => {
  it.each([
    ['plain ASCII', "'Moby Dick; or, The whale.'", 'Moby Dick; or, The whale.'],
    ['empty input', '', ''],
    ['acute before e → é (NFC)', "'Caf' E2 'e'", 'Café'],
    ['grave, umlaut, cedilla', "E1 'a ' E8 'u ' F0 'c'", 'à ü ç'],
    ['hacek on capital', "E9 'Capek'", 'Čapek'],
    ['stacked: dot below then circumflex → ậ', "F2 E3 'a'", 'ậ'],
    ['stacked marks keep their order', "E3 F2 'a'", 'ậ'],
    ['mark on a space', "E2 ' '", ' \u0301'],
    ['Polish L, o slash, thorn', 'A1 B2 B4', 'Łøþ'],
    ['ANSEL specials: degree, script l, sound recording copyright, eszett, euro', 'C0 C1 C2 C7 C8', '°ℓ℗ß€'],
    ['alif and ayn', "AE 'a' B0 'a'", 'ʼaʻa'],
    ['o-hook and u-hook with acute', 'E2 BC E2 BD', 'ớứ'],
    ['ligature halves → U+0361 between the letters', "EB 't' EC 's'", 't\u0361s'],
    ['double tilde halves → U+0360 between the letters', "FA 'n' FB 'g'", 'n\u0360g'],
    ['ligature with another mark', "EB E2 'a' EC 'e'", 'á\u0361e'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes))).toBe(expected);
  });

  it('moves marks after the base without normalising when asked', () => {
    expect(decodeMarc8(m8("E2 'e'"), raw)).toBe('e\u0301');
    expect(decodeMarc8(m8("F2 E3 'a'"), raw)).toBe('a\u0323\u0302');
    expect(decodeMarc8(m8("E3 F2 'a'"), raw)).toBe('a\u0302\u0323');
  });

  it('normalises to NFD when asked', () => {
    expect(decodeMarc8(m8("'Caf' E2 'e'"), { normalization: 'NFD' })).toBe('Cafe\u0301');
  });

  it.each([
    ['ligature as half marks', "EB 't' EC 's'", 't\uFE20s\uFE21'],
    ['double tilde as half marks', "FA 'n' FB 'g'", 'n\uFE22g\uFE23'],
    ['alif as U+02BE', 'AE', '\u02BE'],
  ])('alternate mapping: %s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes), { alternates: true })).toBe(expected);
  });
});

describe('decodeMarc8: control characters', () => {
  it.each([
    ['non-sort begin and end (0x88, 0x89) → U+0098, U+009C', "88 'The ' 89 'whale'", '\u0098The \u009Cwhale'],
    ['joiner and non-joiner (0x8D, 0x8E) → ZWJ, ZWNJ', "'a' 8D 'b' 8E 'c'", 'a\u200Db\u200Cc'],
    ['subfield delimiter passes through', "'a' 1F 'bc'", 'a\u001Fbc'],
    ['a mark waits across a non-sort marker for its base', "88 E2 89 'e'", '\u0098\u009Cé'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes))).toBe(expected);
  });
});

describe('decodeMarc8: technique 1 sets (Greek symbols, subscripts, superscripts)', () => {
  it.each([
    ['Greek symbols alpha, beta, gamma', "ESC 'gabc' ESC 's'", 'αβγ'],
    ['subscripts', "'H' ESC 'b2' ESC 's' 'O'", 'H₂O'],
    ['all subscripts', "ESC 'b0123456789+-()' ESC 's'", '₀₁₂₃₄₅₆₇₈₉₊₋₍₎'],
    ['superscripts', "'E=mc' ESC 'p2' ESC 's'", 'E=mc²'],
    ['all superscripts', "ESC 'p0123456789+-()' ESC 's'", '⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾'],
    ['ESC ( B also returns to ASCII', "ESC 'p2' ESC '(B' '2'", '²2'],
    ['subscript then superscript directly', "'x' ESC 'b1' ESC 'p2' ESC 's'", 'x₁²'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes))).toBe(expected);
  });
});

describe('decodeMarc8: other scripts', () => {
  it.each([
    ['Basic Cyrillic in G0 and back', "ESC '(N' 'rOSSIQ' ESC '(B' ' 1990'", 'Россия 1990'],
    ['Basic Cyrillic in G1 (ESC ) N), ASCII stays in G0', "ESC ')N' 'ok ' F2 CF D3 D3 C9 D1", 'ok Россия'],
    ['Basic Cyrillic with the alternate G0 intermediate (ESC , N)', "ESC ',N' 'MIR' ESC '(B'", 'мир'],
    ['Extended Cyrillic', "ESC '(Q' 40 41 46 47 ESC '(B'", 'ґђії'],
    ['ANSEL breve on Cyrillic (й)', "ESC '(N' E6 'I' ESC '(B'", 'й'],
    ['Basic Hebrew letters', "ESC '(2' 'yl`' ESC '(B'", 'של\u05D0'.normalize('NFC')],
    ['Basic Hebrew: a point before its letter moves after it', "ESC '(2' 41 'a' ESC '(B'", 'בָ'],
    ['Basic Arabic', "ESC '(3' 'Gdb' ESC '(B'", 'الق'],
    ['Basic Arabic: shadda before its letter moves after it', "ESC '(3' 71 'H' ESC '(B'", 'بّ'],
    ['Extended Arabic', "ESC '(4' 29 31 ESC '(B'", 'پچ'],
    ['Basic Greek', "ESC '(S' 'nrdrw' ESC '(B'", 'λογος'],
    ['Basic Greek: tonos before its letter moves after it (NFC ά)', "ESC '(S' 22 'a' ESC '(B'", 'ά'],
    ['Basic Greek: breathing and accent', "ESC '(S' 26 22 'a' ESC '(B'", 'ἅ'],
    ['ANSEL designated into G0 with ESC ( ! E', "ESC '(!E' 22 ESC '(B'", 'Ø'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes))).toBe(expected);
  });
});

describe('decodeMarc8: East Asian (EACC, three bytes a character)', () => {
  it.each([
    ['one ideograph (ESC $ 1)', "ESC '$1' 21 30 64 ESC '(B'", '人'],
    ['ideographs with a single-byte space between', "ESC '$1' 21 30 21 20 21 30 64", '一 人'],
    ['ideographic space 0x212320 (third byte 0x20)', "ESC '$1' 21 23 20", '\u3000'],
    ['G1 designation (ESC $ ) 1) with high bytes', "'x' ESC '$)1' A1 B0 E4", 'x人'],
    ['alternate intermediates ESC $ , 1 and ESC $ - 1', "ESC '$,1' 21 30 64 ESC '$-1' A1 B0 E4", '人人'],
    ['hiragana', "ESC '$1' 69 24 21", 'ぁ'],
    ['CJK Extension B ideograph (surrogate pair)', "ESC '$1' 21 75 59", '\u{212C4}'],
    ['mixed with ASCII and ANSEL', "'Ky' E5 'oto ' ESC '$1' 21 30 64 ESC '(B' '.'", 'Kyōto 人.'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeMarc8(m8(bytes))).toBe(expected);
  });

  it('maps Private Use Area codes to their alternates when asked', () => {
    const bytes = m8("ESC '$1' 6F 76 24");
    expect(decodeMarc8(bytes)).toBe('\uE8B0');
    expect(decodeMarc8(bytes, { alternates: true })).toBe('\u3013');
  });
});

describe('decodeMarc8Detailed: problems', () => {
  it.each([
    [
      'unassigned ANSEL byte',
      "'a' BF 'b'",
      'a\uFFFDb',
      [{ offset: 1, message: 'byte 0xBF is not assigned in Extended Latin (ANSEL)', severity: 'error' }],
    ],
    [
      '0xA0 (no character in a 94-character set)',
      'A0',
      '\uFFFD',
      [{ offset: 0, message: 'byte 0xA0 is not allowed in MARC-8', severity: 'error' }],
    ],
    [
      '0xFF',
      "'a' FF",
      'a\uFFFD',
      [{ offset: 1, message: 'byte 0xFF is not allowed in MARC-8', severity: 'error' }],
    ],
    [
      'line feed',
      "'a' 0A 'b'",
      'a\uFFFDb',
      [{ offset: 1, message: 'byte 0x0A is not allowed in MARC-8', severity: 'error' }],
    ],
    [
      'DEL in Hebrew',
      "ESC '(2' 7F",
      '\uFFFD',
      [{ offset: 3, message: 'byte 0x7F is not allowed in MARC-8', severity: 'error' }],
    ],
    [
      'C1 control other than NSB/NSE/ZWJ/ZWNJ',
      '80',
      '\uFFFD',
      [{ offset: 0, message: 'byte 0x80 is not allowed in MARC-8', severity: 'error' }],
    ],
    [
      'punctuation not in Basic Greek',
      "ESC '(S' 'a,'",
      'α\uFFFD',
      [{ offset: 4, message: 'byte 0x2C is not assigned in Basic Greek', severity: 'error' }],
    ],
    [
      'ESC at the end',
      "'a' ESC",
      'a',
      [{ offset: 1, message: 'escape character at end of data', severity: 'warning' }],
    ],
    [
      'escape sequence cut short',
      "'a' ESC '$'",
      'a',
      [{ offset: 1, message: 'incomplete escape sequence at end of data', severity: 'error' }],
    ],
    [
      'unknown set',
      "ESC '(Z' 'a'",
      'a',
      [{ offset: 0, message: 'escape sequence designates unknown character set 0x5A', severity: 'error' }],
    ],
    [
      'no working set named',
      "ESC '!E' 'a'",
      'a',
      [{ offset: 0, message: 'escape sequence names no working set (G0 or G1)', severity: 'error' }],
    ],
    [
      'G2 designation',
      "ESC '*E' 'a'",
      'a',
      [
        {
          offset: 0,
          message: 'escape sequence designates G2 or G3, which MARC-8 does not use',
          severity: 'error',
        },
      ],
    ],
    [
      'ESC before a letter: only the ESC goes',
      "'Soci' ESC 't' E2 'e'",
      'Socité',
      [{ offset: 4, message: 'unknown escape sequence ESC 0x74', severity: 'warning' }],
    ],
    [
      'ESC before a space: only the ESC goes',
      "'t' ESC ' lin'",
      't lin',
      [{ offset: 1, message: 'unknown escape sequence ESC 0x20', severity: 'warning' }],
    ],
    [
      'malformed escape',
      "ESC '(' 1F 'a'",
      '\u001Fa',
      [
        {
          offset: 0,
          message: 'malformed escape sequence (byte 0x1F where a final character was expected)',
          severity: 'error',
        },
      ],
    ],
    [
      'EACC with a single-byte designation still works',
      "ESC '(1' 21 30 64",
      '人',
      [
        {
          offset: 0,
          message: 'Chinese, Japanese, Korean (EACC) designated with a single-byte escape sequence',
          severity: 'warning',
        },
      ],
    ],
    [
      'combining mark at the end',
      "'a' E2",
      'á',
      [{ offset: 1, message: 'combining mark without a base character', severity: 'warning' }],
    ],
    [
      'combining mark before a subfield delimiter',
      "E2 1F 'b'",
      '\u0301\u001Fb',
      [{ offset: 0, message: 'combining mark without a base character', severity: 'warning' }],
    ],
    [
      'incomplete EACC character',
      "ESC '$1' 21 30",
      '\uFFFD',
      [{ offset: 3, message: 'incomplete EACC character', severity: 'error' }],
    ],
    [
      'ASCII punctuation left in EACC mode',
      "ESC '$1' 21 30 64 ', ' 21 30 21",
      '人\uFFFD 一',
      [{ offset: 6, message: 'incomplete EACC character', severity: 'error' }],
    ],
    [
      'unassigned EACC code: one U+FFFD, then resynchronised',
      "ESC '$1' 21 30 64 27 21 30 64",
      '人\uFFFD人',
      [{ offset: 6, message: 'EACC code 272130 is not assigned', severity: 'error' }],
    ],
  ])('%s', (_name, bytes, text, problems) => {
    expect(decodeMarc8Detailed(m8(bytes))).toEqual({ text, problems });
  });

  it('reports nothing for clean input', () => {
    expect(decodeMarc8Detailed(m8("'Caf' E2 'e ' ESC '(N' 'MIR' ESC '(B'")).problems).toEqual([]);
  });
});

describe('decodeMarc8: state and robustness', () => {
  it('starts every call in the default state (G0 ASCII, G1 ANSEL)', () => {
    expect(decodeMarc8(m8("ESC '(N' 'MIR'"))).toBe('мир');
    expect(decodeMarc8(m8("'mir' E2 'e'"))).toBe('miré');
    expect(decodeMarc8(m8("ESC ')N' 'x'"))).toBe('x');
  });

  it('decodes a Uint8Array view with an offset', () => {
    const buffer = m8("'xx' E2 'e' 'yy'");
    expect(decodeMarc8(buffer.subarray(2, 4))).toBe('é');
    expect(decodeMarc8(buffer.subarray(4))).toBe('yy');
  });

  it('handles long input on both the ASCII and the full path', () => {
    const ascii = 'abc '.repeat(10_000);
    expect(decodeMarc8(m8(`'${ascii}'`))).toBe(ascii);
    const accented = new Uint8Array(30_000);
    for (let i = 0; i < accented.length; i += 2) {
      accented[i] = 0xe2;
      accented[i + 1] = 0x65;
    }
    expect(decodeMarc8(accented)).toBe('é'.repeat(15_000));
    const cjk = m8(`ESC '$1' ${'21 30 64 '.repeat(5000)}`);
    expect(decodeMarc8(cjk)).toBe('人'.repeat(5000));
  });

  it('never throws and never returns lone surrogates on random bytes', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed >>> 16;
    };
    for (let round = 0; round < 2000; round++) {
      const bytes = new Uint8Array(random() % 64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() % 4 === 0 ? 0x1b : random() & 0xff;
      const { text } = decodeMarc8Detailed(bytes);
      expect(text).not.toMatch(LONE_SURROGATE);
    }
  });
});
