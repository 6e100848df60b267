import bwipjs from 'bwip-js';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../kernel/app-error.ts';
import type { BarcodeGeneratorConfig, CheckDigitAlgorithm } from './index.ts';
import { barcodeConfigProblems, checkDigit, library14Config, nextBarcode, validateBarcode } from './index.ts';

describe(checkDigit.name, () => {
  it.each<[CheckDigitAlgorithm, string, string, string]>([
    // JerseyCat barcode FAQ (New Jersey State Library), worked example of the 14-digit library barcode:
    // odd positions 3 2 4 0 5 7 6 doubled → 6 4 8 0 10→1 14→5 12→3 = 27; even 0 3 0 0 1 8 = 12;
    // 27 + 12 = 39; (10 − 9) mod 10 = 1.
    ['library14', '3023400051786', '1', 'JerseyCat FAQ item 3 0234 00051786'],
    // Dynix "Barcode Format" handout: odd 3 1 1 0 1 5 6 → 6 2 2 0 2 1 3 = 16; even 3 9 0 0 0 8 = 20; 36 → 4.
    ['library14', '3319100010586', '4', 'Dynix handout item 3 3191 00010586'],
    // odd 3 0 2 4 9 0 9 → 6 0 4 8 9 0 9 = 36; even 9 0 0 3 3 3 = 18; 54 → 6.
    ['library14', '3900204393039', '6', 'item 3 9002 04393039'],
    // odd 2 2 4 0 0 0 2 → 4 4 8 0 0 0 4 = 20; even 1 3 0 0 0 1 = 5; 25 → 5.
    ['library14', '2123400000012', '5', 'patron 2 1234 00000012'],
    ['mod10', '3023400051786', '1', 'the same rule as library14 on 13 digits'],
    // Even length: mod10 doubles from the left 7 9 7 9 7 → 5 9 5 9 5 = 33, plus 9 2 3 8 1 = 23; 56 → 4.
    ['mod10', '7992739871', '4', 'counts positions from the left'],
    // ISO/IEC 7812-1 Annex B example: Luhn doubles from the right, 9 7 9 2 7 → 9 5 9 4 5 … sum 67 → 3.
    ['luhn', '7992739871', '3', 'ISO/IEC 7812-1 example'],
    ['luhn', '3023400051786', '1', 'equals mod10 on an odd number of digits'],
    // from the right 2×2 + 4 + 0 + 0 + 0 + 0 + 3×2 = 14 → 6.
    ['luhn', '3000042', '6', 'hand-computed'],
    ['luhn', '0', '0', 'a single zero'],
    // ISBN 0-306-40615-2: 0×10 + 3×9 + 0×8 + 6×7 + 4×6 + 0×5 + 6×4 + 1×3 + 5×2 = 130; 130 mod 11 = 9; 11 − 9 = 2.
    ['mod11', '030640615', '2', 'ISBN-10 0-306-40615-2'],
    ['mod11', '080442957', 'X', 'ISBN-10 0-8044-2957-X (check 10 written X)'],
    // ISSN 0317-8471: 0×8 + 3×7 + 1×6 + 7×5 + 8×4 + 4×3 + 7×2 = 120; 120 mod 11 = 10; 11 − 10 = 1.
    ['mod11', '0317847', '1', 'ISSN 0317-8471'],
    ['mod11', '0', '0', 'sum 0 gives check 0, not 11'],
    // A(16) + 3 1 1 1 7 + B(17) = 46; 46 mod 16 = 14; 16 − 14 = 2.
    ['codabar-mod16', '31117', '2', 'hand-computed with start A, stop B'],
    // A(16) + 0 + B(17) = 33; 33 mod 16 = 1; 16 − 1 = 15, the character +.
    ['codabar-mod16', '0', '+', 'a check value of 15 is written +'],
    ['none', '12345', '', 'no check character'],
  ])('%s of %s is %j (%s)', (algorithm, payload, expected) => {
    expect(checkDigit(algorithm, payload)).toBe(expected);
  });

  it('counts the Codabar start and stop characters in the mod 16 check', () => {
    // A(16) + 3 1 1 1 7 + A(16) = 45; 45 mod 16 = 13; 16 − 13 = 3.
    expect(checkDigit('codabar-mod16', '31117', { codabarStartStop: 'AA' })).toBe('3');
    // C(18) + 3 1 1 1 7 + D(19) = 50; 50 mod 16 = 2; 16 − 2 = 14, the character '.'.
    expect(checkDigit('codabar-mod16', '31117', { codabarStartStop: 'CD' })).toBe('.');
  });

  it.each([
    ['2123400000012', 'AB'],
    ['31117', 'AA'],
    ['12-34$56', 'CD'],
    ['999999', 'AA'],
    ['0', 'AB'],
  ])('agrees with the Codabar check character bwip-js adds to %s (%s)', (payload, startStop) => {
    const check = checkDigit('codabar-mod16', payload, { codabarStartStop: startStop });
    const [start, stop] = [...startStop];
    const ours = bwipjs.raw({ bcid: 'rationalizedCodabar', text: `${start}${payload}${check}${stop}` });
    const theirs = bwipjs.raw({
      bcid: 'rationalizedCodabar',
      text: `${start}${payload}${stop}`,
      includecheck: true,
    });
    expect(ours).toEqual(theirs);
  });

  it.each<[CheckDigitAlgorithm, string]>([
    ['luhn', '12A4'],
    ['mod10', ''],
    ['mod11', '1234567890'],
    ['codabar-mod16', '12A'],
  ])('refuses a %s payload it cannot weigh: %j', (algorithm, payload) => {
    expect(() => checkDigit(algorithm, payload)).toThrow(
      expect.objectContaining({ code: 'BARCODE_CONFIG_INVALID' }),
    );
  });
});

describe(nextBarcode.name, () => {
  it.each<[BarcodeGeneratorConfig, number, string]>([
    [library14Config('item', '0234'), 51786, '30234000517861'],
    [library14Config('patron', '1234'), 12, '21234000000125'],
    [{ prefix: '3', length: 8, checkDigit: 'luhn' }, 42, '30000426'],
    [{ prefix: '', length: 10, checkDigit: 'mod11' }, 30640615, '0306406152'],
    [{ prefix: '08044', length: 10, checkDigit: 'mod11' }, 2957, '080442957X'],
    [{ prefix: '311', length: 6, checkDigit: 'codabar-mod16' }, 17, '311172'],
    [{ prefix: 'RPL-', length: 10, checkDigit: 'none' }, 7, 'RPL-000007'],
    // mod10 from the left: 3 doubled = 6, the zeros add nothing; 6 → 4.
    [{ prefix: '3', length: 6, checkDigit: 'mod10' }, 0, '300004'],
  ])('%j, sequence %i → %s', (config, sequence, expected) => {
    expect(nextBarcode(config, sequence)).toBe(expected);
    expect(validateBarcode(config, expected)).toEqual({ valid: true, barcode: expected, sequence });
  });

  it('refuses a sequence that no longer fits, saying how far it goes', () => {
    const config: BarcodeGeneratorConfig = { prefix: '39', length: 5, checkDigit: 'luhn' };
    // Luhn from the right: 9×2 → 9, 9, 9×2 → 9, 3 = 30 → 0.
    expect(nextBarcode(config, 99)).toBe('39990');
    try {
      nextBarcode(config, 100);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error, 'BARCODE_SEQUENCE_EXHAUSTED')).toBe(true);
      expect((error as Error).message).toBe('sequence 100 does not fit the 2 sequence digits of prefix "39"');
    }
  });

  it.each([-1, 1.5, Number.NaN])('refuses the sequence %s', (sequence) => {
    expect(() => nextBarcode(library14Config('item', '0234'), sequence)).toThrow(/whole number from 0/);
  });

  it('is pure: the same sequence gives the same barcode', () => {
    const config = library14Config('item', '5555');
    expect(nextBarcode(config, 1234)).toBe(nextBarcode(config, 1234));
  });
});

describe(barcodeConfigProblems.name, () => {
  it.each<[BarcodeGeneratorConfig, string]>([
    [{ prefix: '123', length: 4, checkDigit: 'luhn' }, 'a 4-character barcode has no room for a sequence'],
    [
      { prefix: 'AB', length: 8, checkDigit: 'mod10' },
      'the prefix of mod10 barcodes must be digits, not "AB"',
    ],
    [{ prefix: '', length: 12, checkDigit: 'mod11' }, 'mod11 barcodes have at most 10 digits'],
    [{ prefix: '31234', length: 13, checkDigit: 'library14' }, 'library14 barcodes have 14 digits, not 13'],
    [
      { prefix: '41234', length: 14, checkDigit: 'library14' },
      'a library14 prefix starts with the type digit',
    ],
    [{ prefix: '3', length: 14, checkDigit: 'library14' }, 'a library14 prefix starts with the type digit'],
    [{ prefix: 'A1', length: 8, checkDigit: 'codabar-mod16' }, 'Codabar barcodes may hold only digits'],
    [{ prefix: '1', length: 8, checkDigit: 'codabar-mod16', codabarStartStop: 'AE' }, 'two of A, B, C and D'],
    [{ prefix: 'R P', length: 8, checkDigit: 'none' }, 'printable ASCII without spaces'],
    [{ prefix: '', length: 0, checkDigit: 'none' }, 'length must be a whole number from 1 to 48, not 0'],
  ])('refuses %j: %s', (config, problem) => {
    expect(barcodeConfigProblems(config).join('; ')).toContain(problem);
    expect(() => nextBarcode(config, 1)).toThrow(expect.objectContaining({ code: 'BARCODE_CONFIG_INVALID' }));
  });

  it('accepts the library14 configs', () => {
    expect(barcodeConfigProblems(library14Config('patron', '0001'))).toEqual([]);
    expect(() => library14Config('item', '123')).toThrow(/4 digits/);
  });
});

describe(validateBarcode.name, () => {
  const item = library14Config('item', '0234');
  const luhn: BarcodeGeneratorConfig = { prefix: '3', length: 8, checkDigit: 'luhn' };
  const isbnLike: BarcodeGeneratorConfig = { prefix: '', length: 10, checkDigit: 'mod11' };
  const codabar: BarcodeGeneratorConfig = { prefix: '311', length: 6, checkDigit: 'codabar-mod16' };

  it.each<[string, BarcodeGeneratorConfig, string, string, string]>([
    ['library14', item, '30234000517862', 'check-digit', 'check digit should be 1, not 2'],
    ['library14', item, '3023400051786', 'length', 'a barcode here has 14 characters, not 13'],
    [
      'library14',
      item,
      '40234000517861',
      'type',
      'a library barcode starts with 2 (patron) or 3 (item), not 4',
    ],
    ['library14', item, '21234000000125', 'prefix', 'a barcode here starts with "30234", not "21234"'],
    ['library14', item, '3023400O517861', 'characters', 'a barcode here has only digits, not "O"'],
    ['library14', item, '', 'characters', 'the barcode is empty'],
    // A transposition of neighbours (…51786 → …51768) is caught by the weights 2-1.
    ['library14', item, '30234000517681', 'check-digit', 'check digit should be 9, not 1'],
    ['luhn', luhn, '30000427', 'check-digit', 'check digit should be 6, not 7'],
    ['mod11', isbnLike, '0306406153', 'check-digit', 'check digit should be 2, not 3'],
    ['mod11', isbnLike, '03064X6152', 'characters', 'X may only be the check digit'],
    ['codabar-mod16', codabar, '311173', 'check-digit', 'check digit should be 2, not 3'],
    [
      'codabar-mod16',
      codabar,
      'A311172B',
      'characters',
      'a barcode here has only digits and - $ : / . +, not "A"',
    ],
  ])('%s: %s is refused (%s): %s', (_algorithm, config, text, problem, reason) => {
    expect(validateBarcode(config, text)).toEqual({ valid: false, problem, reason });
  });

  it('ignores spaces around a scanned or typed barcode', () => {
    expect(validateBarcode(item, ' 30234000517861\n')).toMatchObject({ valid: true, sequence: 51786 });
  });

  it('accepts every barcode its generator makes', () => {
    const configs: BarcodeGeneratorConfig[] = [
      item,
      luhn,
      isbnLike,
      codabar,
      { prefix: '12', length: 9, checkDigit: 'mod10' },
      { prefix: '9', length: 7, checkDigit: 'codabar-mod16', codabarStartStop: 'CD' },
    ];
    for (const config of configs) {
      for (const sequence of [0, 1, 7, 42, 99, 12345 % 10 ** (config.length - config.prefix.length - 1)]) {
        expect(validateBarcode(config, nextBarcode(config, sequence)).valid).toBe(true);
      }
    }
  });
});
