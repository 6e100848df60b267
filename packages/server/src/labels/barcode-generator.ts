import { labelError } from './errors.ts';

/**
 * How the last character of a barcode number is computed from the characters before it (the payload).
 * A check character lets the circulation desk refuse a mistyped or misread barcode before it is looked up.
 *
 * - `'mod10'`: the library "Modulus 10, weights 2-1" check digit as Dynix, CLSI and the 14-digit Codabar
 *   library barcode specify it. Counting from the **left**, digits in odd positions are doubled (a product
 *   over 9 has its digits added, i.e. minus 9), digits in even positions count once; the check digit
 *   brings the total up to a multiple of 10. Digits only.
 * - `'luhn'`: the Luhn algorithm of ISO/IEC 7812-1, Annex B (payment cards, many membership cards).
 *   The same weights counted from the **right**: the digit next to the check digit is doubled. It agrees
 *   with `'mod10'` whenever the payload has an odd number of digits (such as the 13 of a library barcode),
 *   and differs otherwise. Digits only.
 * - `'mod11'`: modulus 11 with weights 2, 3, 4, … from the rightmost payload digit, the scheme of the
 *   ISBN-10 (ISO 2108) and ISSN (ISO 3297). The check is `(11 − sum mod 11) mod 11`, 10 written `X`.
 *   At most 9 payload digits: a tenth would get weight 11 ≡ 0 and go unchecked. Digits only.
 * - `'codabar-mod16'`: the optional check character of the Codabar symbology (AIM USS-Codabar,
 *   ANSI/AIM BC3): the values of all characters including start and stop (`0`–`9` = 0–9, `-` 10, `$` 11,
 *   `:` 12, `/` 13, `.` 14, `+` 15, `A`–`D` = 16–19) plus the check character add up to a multiple of 16.
 *   The check character can be a digit or one of `-$:/.+`. Because start and stop count, the config names
 *   the pair the cards are printed with (`codabarStartStop`, default `AB`).
 * - `'library14'`: the 14-digit library barcode (Codabar labels of Dynix, CLSI, Gaylord, Demco, Follett…):
 *   1 digit type (`2` patron, `3` item), 4 digits institution, 8 digits sequence, 1 check digit by
 *   `'mod10'`. Worked example from the JerseyCat barcode FAQ (New Jersey State Library):
 *   `3 0234 00051786` → check digit 1.
 * - `'none'`: no check character; the barcode is prefix plus zero-padded sequence.
 */
export type CheckDigitAlgorithm = 'mod10' | 'luhn' | 'mod11' | 'codabar-mod16' | 'library14' | 'none';

/** A barcode number generator: every barcode is `prefix`, the zero-padded sequence, then the check character. */
export interface BarcodeGeneratorConfig {
  /** Fixed leading characters (institution code, type digit); digits only for the numeric check digits. */
  prefix: string;
  /** Total length of a barcode, prefix and check character included. */
  length: number;
  /** The check character algorithm. */
  checkDigit: CheckDigitAlgorithm;
  /**
   * For `'codabar-mod16'`: the start and stop characters the barcode is printed with (two of `A`–`D`),
   * which count in the check sum. Default `'AB'`, the default of `barcodePng` and `patronCardsPdf`; a card
   * printed with another pair (their `codabarStart`/`codabarStop`) needs the same pair here.
   */
  codabarStartStop?: string;
}

/** Why a string is not a barcode of a generator: characters, length, prefix, type digit or check character. */
export type BarcodeProblem = 'characters' | 'length' | 'prefix' | 'type' | 'check-digit';

/** Result of {@link validateBarcode}. */
export type BarcodeValidation =
  | {
      valid: true;
      /** The barcode as checked (surrounding spaces removed). */
      barcode: string;
      /** The sequence number it carries (the digits between prefix and check character). */
      sequence: number;
    }
  | { valid: false; problem: BarcodeProblem; reason: string };

/** Codabar data characters in value order (AIM USS-Codabar), then the start/stop characters A–D (16–19). */
const CODABAR_VALUES = '0123456789-$:/.+ABCD';

/** Characters a Codabar symbol can carry between its start and stop characters. */
export const CODABAR_DATA = /^[0-9\-$:/.+]+$/;

const DIGITS = /^\d+$/;

/** Sum of `digits` with weights 2 and 1 alternating (a doubled digit over 9 minus 9), doubling even or odd indexes. */
function weights21(digits: string, doubleEvenIndexes: boolean): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    const doubled = (i % 2 === 0) === doubleEvenIndexes;
    sum += doubled ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
  }
  return sum;
}

/**
 * The check character for `payload` (the barcode without its check character) by `algorithm`.
 * Empty for `'none'`. Throws `BARCODE_CONFIG_INVALID` when the payload has characters the algorithm
 * cannot weigh (a letter for a digit algorithm, more than 9 digits for `'mod11'`).
 *
 * @example
 * checkDigit('library14', '3023400051786'); // '1'
 * checkDigit('luhn', '7992739871'); // '3'
 * checkDigit('mod11', '030640615'); // '2' (ISBN 0-306-40615-2)
 */
export function checkDigit(
  algorithm: CheckDigitAlgorithm,
  payload: string,
  options: { codabarStartStop?: string } = {},
): string {
  switch (algorithm) {
    case 'none':
      return '';
    case 'mod10':
    case 'library14':
    case 'luhn': {
      if (!DIGITS.test(payload)) {
        labelError(
          'BARCODE_CONFIG_INVALID',
          `a ${algorithm} check digit needs digits only, not "${payload}"`,
        );
      }
      // Luhn doubles the digit next to the check digit: counted from the left that is an even index
      // exactly when the payload length is odd.
      const doubleEven = algorithm === 'luhn' ? payload.length % 2 === 1 : true;
      return String((10 - (weights21(payload, doubleEven) % 10)) % 10);
    }
    case 'mod11': {
      if (!DIGITS.test(payload) || payload.length > 9) {
        labelError('BARCODE_CONFIG_INVALID', `a mod11 check digit needs 1 to 9 digits, not "${payload}"`);
      }
      let sum = 0;
      for (let i = 0; i < payload.length; i++) sum += Number(payload[payload.length - 1 - i]) * (i + 2);
      const check = (11 - (sum % 11)) % 11;
      return check === 10 ? 'X' : String(check);
    }
    case 'codabar-mod16': {
      const [start, stop] = codabarStartStop(options.codabarStartStop);
      if (!CODABAR_DATA.test(payload)) {
        labelError('BARCODE_CONFIG_INVALID', `Codabar carries only digits and - $ : / . +, not "${payload}"`);
      }
      let sum = 0;
      for (const char of `${start}${payload}${stop}`) sum += CODABAR_VALUES.indexOf(char);
      return CODABAR_VALUES.charAt((16 - (sum % 16)) % 16);
    }
  }
}

function codabarStartStop(pair: string | undefined): [string, string] {
  const text = (pair ?? 'AB').toUpperCase();
  if (!/^[A-D]{2}$/.test(text)) {
    labelError('BARCODE_CONFIG_INVALID', `Codabar start and stop are two of A, B, C and D, not "${pair}"`);
  }
  return [text.charAt(0), text.charAt(1)];
}

/** Number of check characters an algorithm appends (0 or 1). */
function checkLength(algorithm: CheckDigitAlgorithm): number {
  return algorithm === 'none' ? 0 : 1;
}

/**
 * Problems with a generator config, as sentences; empty when it is usable. The payload must be
 * weighable by the algorithm, and at least one sequence digit must remain between prefix and check digit.
 */
export function barcodeConfigProblems(config: BarcodeGeneratorConfig): string[] {
  const problems: string[] = [];
  const { prefix, length, checkDigit: algorithm } = config;
  if (!Number.isInteger(length) || length < 1 || length > 48) {
    problems.push(`length must be a whole number from 1 to 48, not ${length}`);
    return problems;
  }
  const sequenceDigits = length - prefix.length - checkLength(algorithm);
  if (sequenceDigits < 1) {
    problems.push(
      `a ${length}-character barcode has no room for a sequence after the ${prefix.length}-character prefix` +
        (checkLength(algorithm) ? ' and the check digit' : ''),
    );
  }
  switch (algorithm) {
    case 'mod10':
    case 'luhn':
    case 'mod11':
    case 'library14':
      if (prefix !== '' && !DIGITS.test(prefix)) {
        problems.push(`the prefix of ${algorithm} barcodes must be digits, not "${prefix}"`);
      }
      break;
    case 'codabar-mod16':
      if (prefix !== '' && !CODABAR_DATA.test(prefix)) {
        problems.push(`the prefix of Codabar barcodes may hold only digits and - $ : / . +, not "${prefix}"`);
      }
      if (config.codabarStartStop !== undefined && !/^[A-Da-d]{2}$/.test(config.codabarStartStop)) {
        problems.push(`Codabar start and stop are two of A, B, C and D, not "${config.codabarStartStop}"`);
      }
      break;
    case 'none':
      if (!/^[\x21-\x7e]*$/.test(prefix)) {
        problems.push(`the prefix may hold only printable ASCII without spaces, not "${prefix}"`);
      }
      break;
    default:
      problems.push(`unknown check digit algorithm "${algorithm as string}"`);
  }
  if (algorithm === 'mod11' && length - 1 > 9) {
    problems.push(`mod11 barcodes have at most 10 digits (9 weighed and the check digit), not ${length}`);
  }
  if (algorithm === 'library14') {
    if (length !== 14) problems.push(`library14 barcodes have 14 digits, not ${length}`);
    if (!/^[23]\d{4}/.test(prefix)) {
      problems.push(
        `a library14 prefix starts with the type digit (2 patron, 3 item) and the 4-digit institution, not "${prefix}"`,
      );
    }
  }
  return problems;
}

function assertConfig(config: BarcodeGeneratorConfig): void {
  const problems = barcodeConfigProblems(config);
  if (problems.length > 0) {
    labelError('BARCODE_CONFIG_INVALID', `Barcode generator: ${problems.join('; ')}`, { problems });
  }
}

/**
 * The generator config of a 14-digit library barcode (`'library14'`): type digit `2` for patron cards or
 * `3` for items, then the 4-digit institution number (assigned by the consortium or the label vendor).
 *
 * @example
 * nextBarcode(library14Config('item', '0234'), 51786); // '30234000517861'
 */
export function library14Config(kind: 'patron' | 'item', institution: string): BarcodeGeneratorConfig {
  if (!/^\d{4}$/.test(institution)) {
    labelError(
      'BARCODE_CONFIG_INVALID',
      `the institution of a library barcode is 4 digits, not "${institution}"`,
    );
  }
  return { prefix: `${kind === 'patron' ? '2' : '3'}${institution}`, length: 14, checkDigit: 'library14' };
}

/**
 * The barcode for `sequence` (the caller's database sequence value, a whole number from 0): prefix,
 * the sequence zero-padded to fill the length, then the check character. Pure: the same arguments give
 * the same barcode. Throws `BARCODE_CONFIG_INVALID` for an unusable config and
 * `BARCODE_SEQUENCE_EXHAUSTED` when the sequence no longer fits.
 *
 * @example
 * nextBarcode({ prefix: '3', length: 8, checkDigit: 'luhn' }, 42); // '30000426'
 */
export function nextBarcode(config: BarcodeGeneratorConfig, sequence: number): string {
  assertConfig(config);
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    labelError('BARCODE_CONFIG_INVALID', `a barcode sequence is a whole number from 0, not ${sequence}`);
  }
  const digits = config.length - config.prefix.length - checkLength(config.checkDigit);
  const number = String(sequence);
  if (number.length > digits) {
    labelError(
      'BARCODE_SEQUENCE_EXHAUSTED',
      `sequence ${sequence} does not fit the ${digits} sequence digits of prefix "${config.prefix}"`,
      { prefix: config.prefix, sequence, largest: 10 ** digits - 1 },
    );
  }
  const payload = `${config.prefix}${number.padStart(digits, '0')}`;
  return `${payload}${checkDigit(config.checkDigit, payload, { codabarStartStop: config.codabarStartStop })}`;
}

/**
 * Checks that `text` is a barcode `config` could have generated: its characters, its length, its prefix
 * (and for `'library14'` the type digit) and its check character, in that order; the first failure is
 * reported with a reason a librarian can read. Surrounding spaces are ignored.
 *
 * @example
 * validateBarcode(library14Config('item', '0234'), '30234000517862');
 * // { valid: false, problem: 'check-digit', reason: 'check digit should be 1, not 2' }
 */
export function validateBarcode(config: BarcodeGeneratorConfig, text: string): BarcodeValidation {
  assertConfig(config);
  const barcode = text.trim();
  const algorithm = config.checkDigit;
  const numeric = algorithm !== 'none' && algorithm !== 'codabar-mod16';
  const charClass =
    algorithm === 'codabar-mod16'
      ? /^[0-9\-$:/.+]$/
      : algorithm === 'mod11'
        ? /^[0-9X]$/
        : numeric
          ? /^[0-9]$/
          : /^[\x21-\x7e]$/;
  if (barcode === '') return { valid: false, problem: 'characters', reason: 'the barcode is empty' };
  const bad = [...barcode].find((char) => !charClass.test(char));
  if (bad !== undefined) {
    const kind =
      algorithm === 'codabar-mod16'
        ? 'digits and - $ : / . +'
        : algorithm === 'mod11'
          ? 'digits (and X as the check digit)'
          : numeric
            ? 'digits'
            : 'printable ASCII characters without spaces';
    return { valid: false, problem: 'characters', reason: `a barcode here has only ${kind}, not "${bad}"` };
  }
  if (algorithm === 'mod11' && barcode.slice(0, -1).includes('X')) {
    return { valid: false, problem: 'characters', reason: 'X may only be the check digit' };
  }
  if (barcode.length !== config.length) {
    return {
      valid: false,
      problem: 'length',
      reason: `a barcode here has ${config.length} characters, not ${barcode.length}`,
    };
  }
  if (algorithm === 'library14' && !/^[23]/.test(barcode)) {
    return {
      valid: false,
      problem: 'type',
      reason: `a library barcode starts with 2 (patron) or 3 (item), not ${barcode.charAt(0)}`,
    };
  }
  if (!barcode.startsWith(config.prefix)) {
    return {
      valid: false,
      problem: 'prefix',
      reason: `a barcode here starts with "${config.prefix}", not "${barcode.slice(0, config.prefix.length)}"`,
    };
  }
  const checkLen = checkLength(algorithm);
  const payload = barcode.slice(0, barcode.length - checkLen);
  const sequenceText = payload.slice(config.prefix.length);
  if (!DIGITS.test(sequenceText)) {
    return {
      valid: false,
      problem: 'characters',
      reason: `the sequence part of a barcode is digits, not "${sequenceText}"`,
    };
  }
  if (checkLen > 0) {
    const expected = checkDigit(algorithm, payload, { codabarStartStop: config.codabarStartStop });
    const actual = barcode.slice(payload.length);
    if (actual !== expected) {
      return {
        valid: false,
        problem: 'check-digit',
        reason: `check digit should be ${expected}, not ${actual}`,
      };
    }
  }
  return { valid: true, barcode, sequence: Number(sequenceText) };
}
