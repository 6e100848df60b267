/**
 * Characters the PDF standard fonts can show beyond Latin-1: the extra glyphs of WinAnsiEncoding
 * (PDF 32000-1:2008, Annex D.2, codes 0x80–0x9F), which pdfkit maps for its built-in fonts.
 */
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Latin letters and punctuation that Unicode does not decompose into a base letter plus accents,
 * spelled the way library romanization and card printers usually spell them.
 */
const LATIN_FALLBACKS: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  Ŋ: 'N',
  ŋ: 'n',
  Ŧ: 'T',
  ŧ: 't',
  ſ: 's',
  ẞ: 'SS',
  Ə: 'E',
  ə: 'e',
  Ɨ: 'I',
  ɨ: 'i',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u2032': "'",
  '\u2033': '"',
  '\u02BB': "'",
  '\u02BC': "'",
};

/**
 * Russian, Ukrainian, Belarusian, Serbian and Bulgarian Cyrillic, romanized letter by letter after the
 * scientific transliteration (ISO 9:1995 without its diacritics, which the standard fonts lack).
 */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  ђ: 'dj',
  е: 'e',
  ё: 'e',
  є: 'je',
  ж: 'zh',
  з: 'z',
  ѕ: 'dz',
  и: 'i',
  і: 'i',
  ї: 'ji',
  й: 'j',
  ј: 'j',
  к: 'k',
  л: 'l',
  љ: 'lj',
  м: 'm',
  н: 'n',
  њ: 'nj',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  ћ: 'c',
  у: 'u',
  ў: 'u',
  ф: 'f',
  х: 'h',
  ц: 'c',
  ч: 'ch',
  џ: 'dz',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'ju',
  я: 'ja',
};

/**
 * Greek, romanized letter by letter after ELOT 743 / ISO 843 (transcription, simplified; ου is `ou`).
 */
const GREEK: Record<string, string> = {
  α: 'a',
  β: 'v',
  γ: 'g',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'i',
  θ: 'th',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'm',
  ν: 'n',
  ξ: 'x',
  ο: 'o',
  π: 'p',
  ρ: 'r',
  σ: 's',
  ς: 's',
  τ: 't',
  υ: 'y',
  φ: 'f',
  χ: 'ch',
  ψ: 'ps',
  ω: 'o',
};

/** The character the fallback writes for anything it cannot romanize (CJK, Arabic, emoji, …). */
export const UNREPRESENTABLE = '?';

/** True when the PDF standard fonts (Helvetica, Courier, Times) can show `char` as it is. */
export function isStandardFontChar(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}

/** Romanizes one Cyrillic or Greek letter, keeping its case; undefined when it is neither. */
function romanizeLetter(char: string): string | undefined {
  const lower = char.toLowerCase();
  const roman = CYRILLIC[lower] ?? GREEK[lower];
  if (roman === undefined) return undefined;
  if (lower === char || roman === '') return roman;
  return roman.charAt(0).toUpperCase() + roman.slice(1);
}

/**
 * Makes `text` printable with the PDF standard fonts, which only carry the WinAnsi character set
 * (Latin-1 plus a few typographic marks). The fallback, character by character, after NFC normalization:
 *
 * 1. Latin-1 and WinAnsi characters are kept as they are (`é`, `ß`, `€`, `—`).
 * 2. Line breaks, tabs and the many Unicode spaces become one plain space; zero-width and control characters go.
 * 3. Latin letters Unicode does not decompose are spelled out (`Ł` → `L`, `ı` → `i`, `ẞ` → `SS`).
 * 4. Other letters lose their accents by compatibility decomposition (`Ő` → `O`, `ș` → `s`, `ﬁ` → `fi`,
 *    full-width `Ａ` → `A`).
 * 5. Cyrillic and Greek are romanized letter by letter (`Ольга` → `Olga`, `Σοφία` → `Sofia`; Greek ου → `ou`).
 * 6. Anything else (CJK, Arabic, Hebrew, emoji, …) becomes {@link UNREPRESENTABLE} (`?`), one per character,
 *    so the reader can see that something was there.
 *
 * Nothing throws: a name in any script yields a string pdfkit's built-in fonts can draw.
 */
export function toStandardFontText(text: string): string {
  let out = '';
  // ου is one vowel, written ou (ELOT 743); every other Greek letter maps on its own.
  const greekOu = text
    .normalize('NFC')
    .replace(/([Οο])([υύΥΎ])/g, (_m, o: string, u: string) =>
      o === 'Ο' && (u === 'Υ' || u === 'Ύ') ? 'OU' : o === 'Ο' ? 'Ou' : 'ou',
    );
  for (const char of greekOu) {
    out += standardFontChar(char);
  }
  return out;
}

function standardFontChar(char: string): string {
  if (/^[\t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(char)) return ' ';
  if (/^[\p{Cc}\p{Cf}]$/u.test(char)) return '';
  if (isStandardFontChar(char)) return char;
  const fallback = LATIN_FALLBACKS[char];
  if (fallback !== undefined) return fallback;
  const letter = romanizeLetter(char);
  if (letter !== undefined) return letter;
  const stripped = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (stripped.length > 0 && [...stripped].every(isStandardFontChar)) return stripped;
  const base = stripped.length > 0 ? stripped : char;
  const roman = [...base].map(romanizeLetter);
  if (roman.every((r) => r !== undefined)) return roman.join('');
  return UNREPRESENTABLE;
}
