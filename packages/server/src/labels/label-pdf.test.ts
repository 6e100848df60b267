import { describe, expect, it } from 'vitest';
import type { ItemLabel, LabelLayout } from './index.ts';
import {
  AVERY_5160,
  barcodeLabelsPdf,
  DEMCO_SPINE_WS14942260,
  ID1_CARD,
  library14Config,
  nextBarcode,
  patronCardsPdf,
  spineLabelsPdf,
} from './index.ts';

const CREATED_AT = new Date('2024-03-14T11:14:54Z');

/** Page objects in a pdfkit PDF (its object dictionaries are not compressed, only the content streams). */
function pagesIn(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

function items(count: number): ItemLabel[] {
  const config = library14Config('item', '0234');
  return Array.from({ length: count }, (_, i) => ({
    barcode: nextBarcode(config, 51786 + i),
    title: `Middlemarch, volume ${i + 1}`,
    libraryName: 'Riverside Public Library',
    callNumber: 'PR4662 .A1',
  }));
}

describe(barcodeLabelsPdf.name, () => {
  it('produces a PDF', async () => {
    const pdf = await barcodeLabelsPdf(items(1), AVERY_5160, { createdAt: CREATED_AT });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain('(D:20240314111454Z)');
    expect(pdf.toString('latin1')).toContain('/MediaBox [0 0 612 792]');
  });

  it.each([
    [1, 0, 1],
    [30, 0, 1],
    [31, 0, 2],
    [25, 5, 1],
    [26, 5, 2],
    [61, 0, 3],
    [60, 29, 3],
  ])('prints %i labels skipping %i used positions on %i page(s)', async (count, skip, pages) => {
    const pdf = await barcodeLabelsPdf(items(count), AVERY_5160, { skip, createdAt: CREATED_AT });
    expect(pagesIn(pdf)).toBe(pages);
  });

  it('gives identical bytes for identical input and creation date', async () => {
    const first = await barcodeLabelsPdf(items(3), AVERY_5160, { createdAt: CREATED_AT });
    const second = await barcodeLabelsPdf(items(3), AVERY_5160, { createdAt: CREATED_AT });
    const later = await barcodeLabelsPdf(items(3), AVERY_5160, {
      createdAt: new Date('2024-03-15T00:00:00Z'),
    });
    expect(first.equals(second)).toBe(true);
    expect(first.equals(later)).toBe(false);
  });

  it('prints titles and library names in any script without failing', async () => {
    const labels: ItemLabel[] = [
      { barcode: '30234000517861', title: '战争与和平', libraryName: 'Бібліотека' },
      { barcode: '30234000517879', title: 'Ἰλιάς 📚 \u0000 \n', callNumber: '891.73 ТОЛ' },
      { barcode: '30234000517887', title: `${'Very long title '.repeat(20)}` },
    ];
    const pdf = await barcodeLabelsPdf(labels, AVERY_5160, { createdAt: CREATED_AT });
    expect(pagesIn(pdf)).toBe(1);
  });

  it('fits labels on a custom small layout by leaving out the title, then the top line', async () => {
    const tiny: LabelLayout = { ...AVERY_5160, name: 'tiny', labelHeight: 30, rowPitch: 30, rows: 20 };
    const pdf = await barcodeLabelsPdf(items(2), tiny, { createdAt: CREATED_AT });
    expect(pagesIn(pdf)).toBe(1);
  });

  it('refuses a layout that does not fit its page', async () => {
    await expect(barcodeLabelsPdf(items(1), { ...AVERY_5160, columns: 4 })).rejects.toMatchObject({
      code: 'LABEL_LAYOUT_INVALID',
    });
  });

  it('refuses a barcode Code 128 cannot carry, and an empty list', async () => {
    await expect(barcodeLabelsPdf([{ barcode: 'Nº 1' }])).rejects.toMatchObject({
      code: 'BARCODE_NOT_ENCODABLE',
    });
    await expect(barcodeLabelsPdf([])).rejects.toMatchObject({ code: 'NOTHING_TO_PRINT' });
  });

  it('refuses to skip a whole sheet', async () => {
    await expect(barcodeLabelsPdf(items(1), AVERY_5160, { skip: 30 })).rejects.toMatchObject({
      code: 'LABEL_START_INVALID',
    });
  });
});

describe(spineLabelsPdf.name, () => {
  it.each([
    [50, 0, 1],
    [51, 0, 2],
    [2, 49, 2],
  ])('prints %i spine labels skipping %i on %i page(s)', async (count, skip, pages) => {
    const labels = Array.from({ length: count }, (_, i) => ({ lines: ['FIC', 'SMI', `c.${i + 1}`] }));
    const pdf = await spineLabelsPdf(labels, DEMCO_SPINE_WS14942260, { skip, createdAt: CREATED_AT });
    expect(pagesIn(pdf)).toBe(pages);
  });

  it('shrinks long lines and many lines to fit, and leaves a label without lines empty', async () => {
    const pdf = await spineLabelsPdf(
      [
        { lines: ['QA', '76.73', '.J38', 'F53', '2001', 'c.2', 'v.3', 'suppl.'] },
        { lines: ['A-VERY-LONG-LOCAL-CALL-NUMBER'] },
        { lines: [] },
        { lines: ['Ж 821.161.1', 'ПУШ'] },
      ],
      undefined,
      { createdAt: CREATED_AT, maxFontSize: 20 },
    );
    expect(pagesIn(pdf)).toBe(1);
  });
});

describe(patronCardsPdf.name, () => {
  const card = { barcode: '21234000000125', name: 'Ada Lovelace', libraryName: 'Riverside Public Library' };

  it('prints one ID-1 card per page', async () => {
    const pdf = await patronCardsPdf([card, { ...card, symbology: 'code39' }, card], {
      createdAt: CREATED_AT,
    });
    expect(pagesIn(pdf)).toBe(3);
    // 85.6 mm × 53.98 mm in points.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 242\.6456\d* 153\.0141\d*\]/);
  });

  it('prints cards on sheets when given a sheet layout', async () => {
    const sheet: LabelLayout = {
      ...ID1_CARD,
      name: '8 cards on Letter',
      pageWidth: 612,
      pageHeight: 792,
      columns: 2,
      rows: 4,
      marginLeft: 36,
      marginTop: 36,
      columnPitch: 270,
      rowPitch: 180,
    };
    const pdf = await patronCardsPdf(Array(9).fill(card), { layout: sheet, createdAt: CREATED_AT });
    expect(pagesIn(pdf)).toBe(2);
  });

  it('prints names in any script and refuses barcodes the symbology cannot carry', async () => {
    const pdf = await patronCardsPdf([{ ...card, name: '王秀英 (Wang Xiuying)', libraryName: 'Βιβλιοθήκη' }]);
    expect(pagesIn(pdf)).toBe(1);
    await expect(patronCardsPdf([{ ...card, barcode: 'P-12A' }])).rejects.toMatchObject({
      code: 'BARCODE_NOT_ENCODABLE',
    });
    await expect(patronCardsPdf([{ ...card, barcode: 'p12', symbology: 'code39' }])).rejects.toMatchObject({
      code: 'BARCODE_NOT_ENCODABLE',
    });
  });
});
