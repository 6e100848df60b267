import { describe, expect, it } from 'vitest';
import type { BarcodeSymbology } from './index.ts';
import { barcodeBars, barcodePng, barcodeSymbol } from './index.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe(barcodeSymbol.name, () => {
  it.each<[BarcodeSymbology, string, object, { bcid: string; text: string; humanReadable: string }]>([
    [
      'code128',
      '30234000517861',
      {},
      { bcid: 'code128', text: '30234000517861', humanReadable: '30234000517861' },
    ],
    ['code128', 'rpl-0007 x', {}, { bcid: 'code128', text: 'rpl-0007 x', humanReadable: 'rpl-0007 x' }],
    ['code39', 'RPL-0007', {}, { bcid: 'code39', text: 'RPL-0007', humanReadable: 'RPL-0007' }],
    [
      'codabar',
      '21234000000125',
      {},
      { bcid: 'rationalizedCodabar', text: 'A21234000000125B', humanReadable: '21234000000125' },
    ],
    [
      'codabar',
      '21234000000125',
      { codabarStart: 'C', codabarStop: 'D' },
      { bcid: 'rationalizedCodabar', text: 'C21234000000125D', humanReadable: '21234000000125' },
    ],
    ['codabar', 'a311172b', {}, { bcid: 'rationalizedCodabar', text: 'A311172B', humanReadable: '311172' }],
    [
      'codabar',
      '12-34$5:6/7.8+',
      {},
      { bcid: 'rationalizedCodabar', text: 'A12-34$5:6/7.8+B', humanReadable: '12-34$5:6/7.8+' },
    ],
  ])('%s %j %j', (symbology, text, options, expected) => {
    expect(barcodeSymbol(symbology, text, options)).toEqual(expected);
  });

  it.each<[BarcodeSymbology, string, string]>([
    ['code128', 'Müller', 'Code 128 labels take printable ASCII, not "ü"'],
    ['code128', '', 'a barcode needs at least one character'],
    ['code39', 'rpl-0007', 'Code 39 takes digits, capital letters, space and - . $ / + %, not "r"'],
    ['code39', 'A*B', 'Code 39 takes digits, capital letters, space and - . $ / + %, not "*"'],
    ['codabar', '12A34', 'Codabar takes digits and - $ : / . + between start and stop, not "A"'],
    ['codabar', 'AB', 'a Codabar barcode needs data between its start and stop characters'],
  ])('refuses %s %j: %s', (symbology, text, message) => {
    expect(() => barcodeSymbol(symbology, text)).toThrow(
      expect.objectContaining({ code: 'BARCODE_NOT_ENCODABLE', message }),
    );
  });
});

describe(barcodeBars.name, () => {
  it('gives Code 128 bars in modules: start C, 7 digit pairs, check and stop = 11 + 77 + 11 + 13', () => {
    const bars = barcodeBars('code128', '30234000517861');
    expect(bars.modules).toBe(112);
    expect(bars.widths.length % 2).toBe(1); // starts and ends with a bar
    expect(bars.humanReadable).toBe('30234000517861');
  });

  it('gives Codabar bars with start and stop but prints the data alone', () => {
    const bars = barcodeBars('codabar', '21234000000125');
    // 4 bars and 3 spaces per character, a space between characters: 16 × 7 + 15.
    expect(bars.widths).toHaveLength(16 * 7 + 15);
    expect(bars.humanReadable).toBe('21234000000125');
  });
});

describe(barcodePng.name, () => {
  it.each<BarcodeSymbology>(['code128', 'code39', 'codabar'])(
    'renders %s as a PNG image',
    async (symbology) => {
      const png = await barcodePng({ symbology, text: '21234000000125', scale: 2, height: 8 });
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    },
  );

  it('rejects text the symbology cannot carry', async () => {
    await expect(barcodePng({ symbology: 'code39', text: 'abc' })).rejects.toMatchObject({
      code: 'BARCODE_NOT_ENCODABLE',
    });
  });
});
