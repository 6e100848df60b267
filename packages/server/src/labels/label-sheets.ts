import { labelError } from './errors.ts';

/** Points (1/72 inch, the PDF unit) in `value` inches. */
export function inches(value: number): number {
  return value * 72;
}

/** Points (1/72 inch, the PDF unit) in `value` millimetres. */
export function millimetres(value: number): number {
  return (value * 72) / 25.4;
}

/**
 * A sheet of labels (or a card page) as a grid, every length in PDF points from the top-left corner of
 * the page. `columnPitch` and `rowPitch` are the distances from one label's left (top) edge to the next
 * one's: label size plus gap.
 */
export interface LabelLayout {
  /** Name of the product, for people (`'Avery 5160'`). */
  name?: string;
  pageWidth: number;
  pageHeight: number;
  columns: number;
  rows: number;
  labelWidth: number;
  labelHeight: number;
  /** Distance from the top of the page to the top of the first row. */
  marginTop: number;
  /** Distance from the left of the page to the left of the first column. */
  marginLeft: number;
  columnPitch: number;
  rowPitch: number;
}

/**
 * Avery 5160 (and its many equivalents, e.g. Avery 8160, Gaylord JD-ML3000): 30 address labels on US Letter,
 * 3 columns × 10 rows of 2⅝" × 1", top margin ½", left margin 3⁄16", column pitch 2¾", row pitch 1".
 * The usual stock for item barcode labels.
 */
export const AVERY_5160: LabelLayout = Object.freeze({
  name: 'Avery 5160',
  pageWidth: inches(8.5),
  pageHeight: inches(11),
  columns: 3,
  rows: 10,
  labelWidth: inches(2.625),
  labelHeight: inches(1),
  marginTop: inches(0.5),
  marginLeft: inches(0.1875),
  columnPitch: inches(2.75),
  rowPitch: inches(1),
});

/**
 * Demco WS14942260 laser spine labels: 50 labels on US Letter, 5 columns × 10 rows of 1½" wide × 1" high,
 * top margin ½", left margin ¼", 1⁄16" between columns, none between rows. The figures are those of the
 * Demco template Koha's label creator ships.
 */
export const DEMCO_SPINE_WS14942260: LabelLayout = Object.freeze({
  name: 'Demco WS14942260 spine labels',
  pageWidth: inches(8.5),
  pageHeight: inches(11),
  columns: 5,
  rows: 10,
  labelWidth: inches(1.5),
  labelHeight: inches(1),
  marginTop: inches(0.5),
  marginLeft: inches(0.25),
  columnPitch: inches(1.5625),
  rowPitch: inches(1),
});

/**
 * One ISO/IEC 7810 ID-1 card (85.60 mm × 53.98 mm, the size of a bank card) per page, landscape: for card
 * printers, which take a PDF page the size of the card.
 */
export const ID1_CARD: LabelLayout = Object.freeze({
  name: 'ISO/IEC 7810 ID-1 card',
  pageWidth: millimetres(85.6),
  pageHeight: millimetres(53.98),
  columns: 1,
  rows: 1,
  labelWidth: millimetres(85.6),
  labelHeight: millimetres(53.98),
  marginTop: 0,
  marginLeft: 0,
  columnPitch: millimetres(85.6),
  rowPitch: millimetres(53.98),
});

/** How positions on a sheet are used up: row by row (left to right, then down) or column by column. */
export type FillOrder = 'rows' | 'columns';

/** Where one label goes: its page (0-based), its cell, and its top-left corner in points. */
export interface LabelPosition {
  page: number;
  /** Position on its sheet, 0-based in fill order. */
  slot: number;
  column: number;
  row: number;
  x: number;
  y: number;
}

/** Rounding slack when checking that labels fit: a hundredth of a point. */
const TOLERANCE = 0.01;

/** `612pt (8.5in)`: a length for messages, in points and inches. */
function length(points: number): string {
  const round = (n: number, places: number) => Number(n.toFixed(places));
  return `${round(points, 2)}pt (${round(points / 72, 4)}in)`;
}

/**
 * What is wrong with a layout, as sentences; empty when the labels fit on the page without overlapping.
 */
export function layoutProblems(layout: LabelLayout): string[] {
  const problems: string[] = [];
  for (const key of ['pageWidth', 'pageHeight', 'labelWidth', 'labelHeight'] as const) {
    const value = layout[key];
    if (!Number.isFinite(value) || value <= 0)
      problems.push(`${key} must be a positive length, not ${value}`);
  }
  for (const key of ['marginTop', 'marginLeft', 'columnPitch', 'rowPitch'] as const) {
    const value = layout[key];
    if (!Number.isFinite(value) || value < 0)
      problems.push(`${key} must be a length of 0 or more, not ${value}`);
  }
  for (const key of ['columns', 'rows'] as const) {
    const value = layout[key];
    if (!Number.isInteger(value) || value < 1)
      problems.push(`${key} must be a whole number from 1, not ${value}`);
  }
  if (problems.length > 0) return problems;

  const { columns, rows } = layout;
  if (columns > 1 && layout.labelWidth > layout.columnPitch + TOLERANCE) {
    problems.push(
      `labels ${length(layout.labelWidth)} wide overlap at a column pitch of ${length(layout.columnPitch)}`,
    );
  }
  if (rows > 1 && layout.labelHeight > layout.rowPitch + TOLERANCE) {
    problems.push(
      `labels ${length(layout.labelHeight)} high overlap at a row pitch of ${length(layout.rowPitch)}`,
    );
  }
  const right = layout.marginLeft + (columns - 1) * layout.columnPitch + layout.labelWidth;
  if (right > layout.pageWidth + TOLERANCE) {
    problems.push(
      `${columns} column(s) of labels need ${length(right)} from the left edge, but the page is ${length(layout.pageWidth)} wide`,
    );
  }
  const bottom = layout.marginTop + (rows - 1) * layout.rowPitch + layout.labelHeight;
  if (bottom > layout.pageHeight + TOLERANCE) {
    problems.push(
      `${rows} row(s) of labels need ${length(bottom)} from the top edge, but the page is ${length(layout.pageHeight)} high`,
    );
  }
  return problems;
}

/** Throws `LABEL_LAYOUT_INVALID`, listing the problems, when {@link layoutProblems} finds any. */
export function assertLayout(layout: LabelLayout): void {
  const problems = layoutProblems(layout);
  if (problems.length > 0) {
    labelError(
      'LABEL_LAYOUT_INVALID',
      `Label layout${layout.name ? ` "${layout.name}"` : ''} does not fit: ${problems.join('; ')}`,
      { problems },
    );
  }
}

/** Labels on one sheet. */
export function labelsPerSheet(layout: LabelLayout): number {
  return layout.columns * layout.rows;
}

/** Where printing starts and in which order positions are used. */
export interface SheetStart {
  /**
   * Positions to leave empty at the start of the first sheet, because a partly used sheet is being fed
   * again (librarians reuse sheets). From 0 to labels-per-sheet − 1. Default 0.
   */
  skip?: number;
  /** Default `'rows'`. */
  fillOrder?: FillOrder;
}

function checkedSkip(layout: LabelLayout, skip: number | undefined): number {
  const value = skip ?? 0;
  const perSheet = labelsPerSheet(layout);
  if (!Number.isInteger(value) || value < 0 || value >= perSheet) {
    labelError(
      'LABEL_START_INVALID',
      `the labels to skip on a sheet of ${perSheet} are a whole number from 0 to ${perSheet - 1}, not ${value}`,
      { skip: value, perSheet },
    );
  }
  return value;
}

/** Pages needed for `count` labels, skipping `start.skip` positions on the first sheet (0 for no labels). */
export function pageCount(layout: LabelLayout, count: number, start: SheetStart = {}): number {
  assertLayout(layout);
  const skip = checkedSkip(layout, start.skip);
  return count === 0 ? 0 : Math.ceil((skip + count) / labelsPerSheet(layout));
}

/**
 * The positions of `count` labels: the first `start.skip` positions of the first sheet are left empty,
 * then positions are used in fill order, continuing on new sheets. Validates the layout first.
 */
export function labelPositions(layout: LabelLayout, count: number, start: SheetStart = {}): LabelPosition[] {
  assertLayout(layout);
  const skip = checkedSkip(layout, start.skip);
  const perSheet = labelsPerSheet(layout);
  const byColumns = (start.fillOrder ?? 'rows') === 'columns';
  const positions: LabelPosition[] = [];
  for (let i = 0; i < count; i++) {
    const absolute = skip + i;
    const slot = absolute % perSheet;
    const column = byColumns ? Math.floor(slot / layout.rows) : slot % layout.columns;
    const row = byColumns ? slot % layout.rows : Math.floor(slot / layout.columns);
    positions.push({
      page: Math.floor(absolute / perSheet),
      slot,
      column,
      row,
      x: layout.marginLeft + column * layout.columnPitch,
      y: layout.marginTop + row * layout.rowPitch,
    });
  }
  return positions;
}
