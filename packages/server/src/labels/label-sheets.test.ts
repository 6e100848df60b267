import { describe, expect, it } from 'vitest';
import type { LabelLayout } from './index.ts';
import {
  AVERY_5160,
  assertLayout,
  DEMCO_SPINE_WS14942260,
  ID1_CARD,
  inches,
  labelPositions,
  labelsPerSheet,
  layoutProblems,
  millimetres,
  pageCount,
} from './index.ts';

describe('units', () => {
  it('converts inches and millimetres to points', () => {
    expect(inches(8.5)).toBe(612);
    expect(millimetres(25.4)).toBeCloseTo(72, 10);
    expect(millimetres(85.6)).toBeCloseTo(242.65, 2);
  });
});

describe(layoutProblems.name, () => {
  it.each([
    ['Avery 5160', AVERY_5160, 30],
    ['Demco WS14942260', DEMCO_SPINE_WS14942260, 50],
    ['ID-1 card', ID1_CARD, 1],
  ] as const)('accepts the %s layout (%i per sheet)', (_name, layout, perSheet) => {
    expect(layoutProblems(layout)).toEqual([]);
    expect(labelsPerSheet(layout)).toBe(perSheet);
  });

  it('places Avery 5160 labels where the product sheet has them', () => {
    const last = labelPositions(AVERY_5160, 30).at(-1);
    // Right edge 0.1875 + 2 × 2.75 + 2.625 = 8.3125in; bottom 0.5 + 9 + 1 = 10.5in.
    expect(last).toMatchObject({ column: 2, row: 9, x: inches(5.6875), y: inches(9.5) });
  });

  it.each<[string, Partial<LabelLayout>, string]>([
    [
      'too many columns',
      { columns: 4 },
      '4 column(s) of labels need 796.5pt (11.0625in) from the left edge, but the page is 612pt (8.5in) wide',
    ],
    [
      'rows running off the bottom',
      { marginTop: inches(1.25) },
      '10 row(s) of labels need 810pt (11.25in) from the top edge, but the page is 792pt (11in) high',
    ],
    [
      'overlapping columns',
      { labelWidth: inches(2.8) },
      'labels 201.6pt (2.8in) wide overlap at a column pitch',
    ],
    [
      'overlapping rows',
      { rowPitch: inches(0.9) },
      'labels 72pt (1in) high overlap at a row pitch of 64.8pt',
    ],
    ['no rows', { rows: 0 }, 'rows must be a whole number from 1, not 0'],
    ['a negative margin', { marginLeft: -1 }, 'marginLeft must be a length of 0 or more, not -1'],
    ['a missing page width', { pageWidth: Number.NaN }, 'pageWidth must be a positive length, not NaN'],
  ])('refuses a layout with %s', (_case, change, problem) => {
    const layout = { ...AVERY_5160, ...change };
    expect(layoutProblems(layout).join('; ')).toContain(problem);
    expect(() => assertLayout({ ...layout, name: 'Custom' })).toThrow(
      expect.objectContaining({ code: 'LABEL_LAYOUT_INVALID', message: expect.stringContaining('"Custom"') }),
    );
    expect(() => labelPositions(layout, 1)).toThrow(/does not fit/);
  });

  it('accepts a custom layout that exactly fills its page', () => {
    const layout: LabelLayout = {
      pageWidth: 200,
      pageHeight: 100,
      columns: 2,
      rows: 2,
      labelWidth: 100,
      labelHeight: 50,
      marginTop: 0,
      marginLeft: 0,
      columnPitch: 100,
      rowPitch: 50,
    };
    expect(layoutProblems(layout)).toEqual([]);
  });
});

describe(labelPositions.name, () => {
  it('fills a sheet row by row', () => {
    const positions = labelPositions(AVERY_5160, 4);
    expect(positions.map((p) => [p.page, p.column, p.row])).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [0, 2, 0],
      [0, 0, 1],
    ]);
    expect(positions[1]).toMatchObject({ x: inches(0.1875 + 2.75), y: inches(0.5) });
  });

  it('fills column by column when asked', () => {
    const positions = labelPositions(AVERY_5160, 11, { fillOrder: 'columns' });
    expect(positions.map((p) => [p.column, p.row]).slice(8)).toEqual([
      [0, 8],
      [0, 9],
      [1, 0],
    ]);
  });

  it('skips the used positions of a partly used sheet, then continues on fresh sheets', () => {
    const positions = labelPositions(AVERY_5160, 30, { skip: 28 });
    expect(positions[0]).toMatchObject({ page: 0, slot: 28, column: 1, row: 9 });
    expect(positions[1]).toMatchObject({ page: 0, slot: 29, column: 2, row: 9 });
    expect(positions[2]).toMatchObject({ page: 1, slot: 0, column: 0, row: 0 });
    expect(positions.at(-1)).toMatchObject({ page: 1, slot: 27 });
  });

  it.each([-1, 30, 2.5])('refuses to skip %s positions of a 30-label sheet', (skip) => {
    expect(() => labelPositions(AVERY_5160, 1, { skip })).toThrow(
      expect.objectContaining({
        code: 'LABEL_START_INVALID',
        message: `the labels to skip on a sheet of 30 are a whole number from 0 to 29, not ${skip}`,
      }),
    );
  });
});

describe(pageCount.name, () => {
  it.each([
    [AVERY_5160, 0, 0, 0],
    [AVERY_5160, 1, 0, 1],
    [AVERY_5160, 30, 0, 1],
    [AVERY_5160, 31, 0, 2],
    [AVERY_5160, 30, 1, 2],
    [AVERY_5160, 2, 28, 1],
    [AVERY_5160, 3, 28, 2],
    [AVERY_5160, 61, 0, 3],
    [DEMCO_SPINE_WS14942260, 100, 0, 2],
    [ID1_CARD, 3, 0, 3],
  ])('%#: $1 labels skipping $2 take $3 page(s)', (layout, count, skip, pages) => {
    expect(pageCount(layout, count, { skip })).toBe(pages);
    const positions = labelPositions(layout, count, { skip });
    expect(positions.length === 0 ? 0 : (positions.at(-1)?.page ?? 0) + 1).toBe(pages);
  });
});
