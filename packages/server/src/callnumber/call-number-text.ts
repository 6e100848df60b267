/**
 * Text handling shared by the call number parsers: ASCII folding, a tokenizer for the parts that follow
 * a class number, and the order-preserving encodings used to build shelf keys.
 *
 * Internal to `callnumber/`; not re-exported from `index.ts`.
 */

/** Separator between elements of a shelf key; lower than every character used inside an element. */
export const KEY_SEPARATOR = ' ';

/**
 * Rank characters that open every element after the classification in a shelf key. Their order is the
 * shelf order of element kinds at the same position ("nothing before something" is given by the key
 * simply ending). Chosen to satisfy LC Classification and Shelflisting Manual G 100 (numbers and dates
 * file before Cutters; a Cutter's work letters file after its dated editions but before the next Cutter).
 */
export const Rank = {
  /** A stand-alone symbol such as an oversize `+`. */
  symbol: '1',
  /** A date, ordinal or other number. */
  number: '2',
  /** A word that follows a Cutter (extra text of that work). */
  lowWord: '3',
  /** Work letters attached to a Cutter (`.A101m`, `W91m`). */
  suffix: '4',
  /** A Cutter (`.J38`) or a labelled number (`v.2`, `op.7`), ordered by its letters. */
  lettered: '5',
  /** A word where a Cutter was expected (`BF1999 Aarons`): files after all Cutters at that position. */
  highWord: '6',
} as const;

/** Sub-rank inside a lettered element: labelled numbers (`K.240`) before Cutters (`K2`) with the same letters. */
export const LABELED_MARK = ',';
/** Sub-rank inside a lettered element for a Cutter's digits, which compare as a decimal fraction. */
export const CUTTER_MARK = '.';

const MAX_DIGITS = 40;

/**
 * Encodes a whole number so that byte order is numeric order: one length character (`'0' + length`)
 * followed by the digits without leading zeros. `'76'` → `'276'`, `'1999'` → `'41999'`.
 */
export function encodeInteger(digits: string): string {
  const stripped = digits.replace(/^0+/, '').slice(0, MAX_DIGITS);
  return String.fromCharCode(0x30 + stripped.length) + stripped;
}

/** Encodes a number with an optional decimal fraction; the fraction compares digit by digit. */
export function encodeDecimal(integer: string, fraction: string | null | undefined): string {
  const frac = (fraction ?? '').replace(/0+$/, '');
  return encodeInteger(integer) + (frac ? `.${frac}` : '');
}

/**
 * Folds text to printable ASCII one UTF-16 unit at a time (so indexes still match the original):
 * accented letters lose their accents, anything else outside ASCII becomes a space.
 */
export function foldToAscii(text: string): string {
  let out = '';
  for (const unit of text) {
    const code = unit.charCodeAt(0);
    if (unit.length === 1 && code >= 0x20 && code < 0x7f) {
      out += unit;
      continue;
    }
    const base = unit.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    const replacement = base.length === 1 && /[A-Za-z0-9]/.test(base) ? base : ' ';
    out += replacement.padEnd(unit.length, ' ');
  }
  return out;
}

/** Upper-cases ASCII letters only, keeping the string length. */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]/g, (c) => c.toUpperCase());
}

/** A token found after the classification part of a call number. */
export type Token =
  | {
      kind: 'number';
      start: number;
      end: number;
      digits: string;
      fraction: string;
      suffix: string;
      ordinal: boolean;
      context: TokenContext;
    }
  | {
      kind: 'letters';
      start: number;
      end: number;
      letters: string;
      digits: string;
      suffix: string;
      context: TokenContext;
    }
  | {
      kind: 'labeled';
      start: number;
      end: number;
      letters: string;
      digits: string;
      suffix: string;
      context: TokenContext;
    }
  | { kind: 'symbol'; start: number; end: number; symbols: string; context: TokenContext };

/** What preceded a token: needed to judge validity (e.g. `A1 . A1`, `A1,111`). */
export interface TokenContext {
  /** A period came right before the token (spaces may sit before the period). */
  period: boolean;
  /** Whitespace came between that period and the token. */
  spaceAfterPeriod: boolean;
  /** Punctuation other than period and whitespace came before the token. */
  otherPunctuation: string;
}

const SEPARATOR_PUNCTUATION = /[.,;:/\\\-()[\]'"`]/;

/**
 * Splits `text` (already folded to ASCII) from `from` into tokens; letter case is kept in the token. Periods, whitespace and ordinary
 * punctuation separate tokens; a whitespace-delimited chunk made only of other symbols (`+`, `*`) is
 * kept as a symbol token.
 */
export function tokenize(text: string, from: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  let period = false;
  let spaceAfterPeriod = false;
  let otherPunctuation = '';
  const context = (): TokenContext => ({ period, spaceAfterPeriod, otherPunctuation });
  const reset = () => {
    period = false;
    spaceAfterPeriod = false;
    otherPunctuation = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (period) spaceAfterPeriod = true;
      i++;
      continue;
    }
    if (c === '.') {
      period = true;
      spaceAfterPeriod = false;
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /(\d+)(?:\.(\d+)(?![A-Z]))?(?:(\s?(?:ST|ND|RD|TH)|D)(?![A-Z0-9]))?([A-Z]+(?![A-Z0-9]))?/iy;
      m.lastIndex = i;
      const r = m.exec(text);
      if (r) {
        const ordinal = r[3] !== undefined;
        tokens.push({
          kind: 'number',
          start: i,
          end: m.lastIndex,
          digits: r[1] ?? '',
          fraction: r[2] ?? '',
          suffix: r[4] ?? '',
          ordinal,
          context: context(),
        });
        i = m.lastIndex;
        reset();
        continue;
      }
    }
    if (/[A-Za-z]/.test(c)) {
      const labeled = /([A-Z]+)\.\s?(\d+)([A-Z]+(?![A-Z0-9]))?/iy;
      labeled.lastIndex = i;
      const l = labeled.exec(text);
      if (l) {
        tokens.push({
          kind: 'labeled',
          start: i,
          end: labeled.lastIndex,
          letters: l[1] ?? '',
          digits: l[2] ?? '',
          suffix: l[3] ?? '',
          context: context(),
        });
        i = labeled.lastIndex;
        reset();
        continue;
      }
      // `.A 1` (a space between a Cutter's letters and digits) only counts when a period marks a Cutter.
      if (period) {
        const spaced = /([A-Z]{1,3}) (\d+)(?![A-Z0-9.])/iy;
        spaced.lastIndex = i;
        const s = spaced.exec(text);
        if (s) {
          tokens.push({
            kind: 'letters',
            start: i,
            end: spaced.lastIndex,
            letters: s[1] ?? '',
            digits: s[2] ?? '',
            suffix: '',
            context: context(),
          });
          i = spaced.lastIndex;
          reset();
          continue;
        }
      }
      const plain = /([A-Z]+)(\d+)?([A-Z]+(?![A-Z0-9]))?/iy;
      plain.lastIndex = i;
      const p = plain.exec(text);
      tokens.push({
        kind: 'letters',
        start: i,
        end: plain.lastIndex,
        letters: p?.[1] ?? '',
        digits: p?.[2] ?? '',
        suffix: p?.[3] ?? '',
        context: context(),
      });
      i = plain.lastIndex;
      reset();
      continue;
    }
    // Punctuation or symbols.
    const chunk = /[^A-Za-z0-9\s]+/y;
    chunk.lastIndex = i;
    const sym = chunk.exec(text)?.[0] ?? c;
    const before = i === 0 ? ' ' : text[i - 1];
    const after = text[i + sym.length] ?? ' ';
    const standalone = /\s/.test(before ?? ' ') && /\s/.test(after);
    const meaningful = sym.replace(new RegExp(SEPARATOR_PUNCTUATION.source, 'g'), '');
    if (standalone && meaningful.length > 0 && sym.indexOf('.') < 0) {
      tokens.push({ kind: 'symbol', start: i, end: i + sym.length, symbols: meaningful, context: context() });
      reset();
    } else {
      if (sym.includes('.')) {
        period = true;
        spaceAfterPeriod = false;
      }
      otherPunctuation += sym.replace(/\./g, '');
    }
    i += sym.length;
  }
  return tokens;
}

/** Volume, part, number and copy designations found in the trailing text of a call number. */
export interface ItemDesignations {
  /** Volume number (`v.2`, `vol. 2`, `Bd.2`, `t.2`). */
  volume: string | null;
  /** Part (`pt.1`). */
  part: string | null;
  /** Issue or number (`no.3`). */
  number: string | null;
  /** Copy number (`c.2`, `cop. 2`). */
  copy: string | null;
}

const DESIGNATION_LABELS: ReadonlyArray<[keyof ItemDesignations, RegExp]> = [
  ['volume', /^(V|VOL|VOLS|BD|T|TOME)$/],
  ['part', /^(PT|PART|PTS)$/],
  ['number', /^(NO|NOS|NR|NUM)$/],
  ['copy', /^(C|CP|COP|COPY)$/],
];

/** Reads volume/part/number/copy from labelled numbers in trailing tokens. */
export function itemDesignations(tokens: readonly Token[]): ItemDesignations {
  const found: ItemDesignations = { volume: null, part: null, number: null, copy: null };
  for (const t of tokens) {
    if (t.kind !== 'labeled') continue;
    for (const [field, label] of DESIGNATION_LABELS) {
      if (found[field] === null && label.test(asciiUpper(t.letters)))
        found[field] = t.digits + t.suffix.toLowerCase();
    }
  }
  return found;
}

/** Applies the filing case rule: letters compare upper-cased unless case-sensitive filing was asked for. */
export function caseFold(text: string, caseSensitive: boolean): string {
  return caseSensitive ? text : asciiUpper(text);
}

/** Key elements for a token in trailing text (after the structured part of a call number). */
export function trailingElements(t: Token, caseSensitive: boolean, wordRank: string): string[] {
  const cased = (x: string) => caseFold(x, caseSensitive);
  switch (t.kind) {
    case 'number':
      return [Rank.number + encodeDecimal(t.digits, t.fraction) + cased(t.suffix)];
    case 'labeled':
    case 'letters':
      if (t.kind === 'letters' && !t.digits) return [wordRank + cased(t.letters)];
      return [
        Rank.lettered + cased(t.letters) + LABELED_MARK + encodeInteger(t.digits),
        ...(t.suffix ? [Rank.suffix + cased(t.suffix)] : []),
      ];
    case 'symbol':
      return [Rank.symbol + t.symbols];
  }
}
