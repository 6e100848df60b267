import PDFDocument from 'pdfkit';
import type { BarcodeBars, BarcodeSymbolOptions } from './barcode-image.ts';
import { barcodeBars } from './barcode-image.ts';
import { labelError } from './errors.ts';
import type { LabelLayout, SheetStart } from './label-sheets.ts';
import { AVERY_5160, DEMCO_SPINE_WS14942260, ID1_CARD, inches, labelPositions } from './label-sheets.ts';
import { toStandardFontText } from './pdf-text.ts';

/** Options every label PDF takes. */
export interface LabelPdfOptions extends SheetStart {
  /**
   * The PDF's creation date (its `/CreationDate`, which also seeds the file identifier). Give it for
   * byte-identical output from identical input, as tests do; without it pdfkit stamps the current time.
   */
  createdAt?: Date;
  /** Document title in the PDF's properties. */
  title?: string;
  /** Draw a thin grey outline around every label position: a test print to check alignment. Default false. */
  outlines?: boolean;
}

/** An item barcode label. */
export interface ItemLabel {
  /** The item barcode, printed as Code 128. */
  barcode: string;
  /** Title, truncated to one line. */
  title?: string;
  /** Call number, printed small at the top right. */
  callNumber?: string;
  /** Library name, printed small at the top left. */
  libraryName?: string;
}

/** A spine label: call number lines, already split (see `spineLabelLines` in `callnumber/`). */
export interface SpineLabel {
  lines: string[];
}

/** Options of {@link spineLabelsPdf}. */
export interface SpineLabelPdfOptions extends LabelPdfOptions {
  /** Largest type size in points; lines are shrunk from it until the longest fits. Default 16. */
  maxFontSize?: number;
}

/** A patron library card. */
export interface PatronCard {
  /** The patron barcode. */
  barcode: string;
  /** Patron name as it should appear on the card. */
  name: string;
  libraryName: string;
  /** Expiry date, already formatted for the card (`2027-06-30`). */
  expiresOn?: string;
  /** Default `'codabar'`, the traditional library card symbology. */
  symbology?: 'codabar' | 'code39';
}

/** Options of {@link patronCardsPdf}. */
export interface PatronCardPdfOptions extends LabelPdfOptions, BarcodeSymbolOptions {
  /** Card page layout. Default {@link ID1_CARD}, one card per page; a sheet layout prints cards on sheets. */
  layout?: LabelLayout;
}

type Doc = PDFKit.PDFDocument;

/** A rectangle on the page, in points from the top left. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Quiet zone on either side of the bars, in modules (ISO/IEC 15417 asks 10 for Code 128). */
const QUIET_ZONE = 10;

/** Widest module (narrow bar) we draw: 20 mil, beyond which a label barcode only gets harder to fit. */
const MAX_MODULE = inches(0.02);

function createDocument(options: LabelPdfOptions, defaultTitle: string): Doc {
  const info: PDFKit.DocumentInfo = { Title: options.title ?? defaultTitle, Creator: 'Stacks' };
  if (options.createdAt) info.CreationDate = options.createdAt;
  return new PDFDocument({ autoFirstPage: false, info, margin: 0 });
}

function finish(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/**
 * Lays `labels` out on sheets of `layout` and draws each with `draw`, adding pages as sheets fill up.
 */
async function sheetPdf<T>(
  labels: readonly T[],
  layout: LabelLayout,
  options: LabelPdfOptions,
  defaultTitle: string,
  draw: (doc: Doc, label: T, box: Box) => void,
): Promise<Buffer> {
  const positions = labelPositions(layout, labels.length, options);
  if (labels.length === 0) labelError('NOTHING_TO_PRINT', 'there are no labels to print');
  const doc = createDocument(options, defaultTitle);
  let page = -1;
  const outlinePage = () => {
    if (!options.outlines) return;
    for (let row = 0; row < layout.rows; row++) {
      for (let column = 0; column < layout.columns; column++) {
        const x = layout.marginLeft + column * layout.columnPitch;
        const y = layout.marginTop + row * layout.rowPitch;
        doc.rect(x, y, layout.labelWidth, layout.labelHeight);
      }
    }
    doc.lineWidth(0.25).strokeColor('#999999').stroke().strokeColor('black');
  };
  labels.forEach((label, i) => {
    const position = positions[i];
    if (!position) return;
    while (page < position.page) {
      doc.addPage({ size: [layout.pageWidth, layout.pageHeight], margin: 0 });
      page++;
      outlinePage();
    }
    draw(doc, label, { x: position.x, y: position.y, width: layout.labelWidth, height: layout.labelHeight });
  });
  return finish(doc);
}

/** Height of a line of type (ascender to descender) in the current font at `size`. */
function lineHeight(doc: Doc, size: number): number {
  return doc.fontSize(size).currentLineHeight(false);
}

/** Cuts `text` so it fits `width` in the current font and size, ending it with an ellipsis when cut. */
function truncate(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 0 && doc.widthOfString(`${cut.trimEnd()}…`) > width) cut = cut.slice(0, -1);
  return cut.length > 0 ? `${cut.trimEnd()}…` : '';
}

/** The largest size from `maxSize` down to `minSize` at which `text` fits `width` in `font`. */
function fittingSize(
  doc: Doc,
  font: string,
  text: string,
  width: number,
  maxSize: number,
  minSize: number,
): number {
  doc.font(font).fontSize(1);
  const unit = doc.widthOfString(text);
  return unit === 0 ? maxSize : Math.max(minSize, Math.min(maxSize, width / unit));
}

/**
 * Draws one line of text with its top at `y`, aligned in `box`, cut to the box width. Never wraps and never
 * adds a page (pdfkit only does either when given a width).
 */
function line(
  doc: Doc,
  text: string,
  font: string,
  size: number,
  y: number,
  box: { x: number; width: number },
  align: 'left' | 'center' | 'right',
): void {
  doc.font(font).fontSize(size);
  const shown = truncate(doc, toStandardFontText(text).trim(), box.width);
  if (shown === '') return;
  const width = doc.widthOfString(shown);
  const x =
    align === 'left'
      ? box.x
      : align === 'right'
        ? box.x + box.width - width
        : box.x + (box.width - width) / 2;
  doc.text(shown, x, y, { lineBreak: false });
}

/** Draws bars centred in `box`, with the widest module that leaves the quiet zones inside the box. */
function drawBars(doc: Doc, bars: BarcodeBars, box: Box): void {
  const module = Math.min(MAX_MODULE, box.width / (bars.modules + 2 * QUIET_ZONE));
  let x = box.x + (box.width - bars.modules * module) / 2;
  bars.widths.forEach((width, i) => {
    if (i % 2 === 0) doc.rect(x, box.y, width * module, box.height);
    x += width * module;
  });
  doc.fillColor('black').fill();
}

/**
 * Item barcode labels, one per item, on sheets of `layout` (default {@link AVERY_5160}, 30 per US Letter
 * page). Each label, top to bottom: library name (and call number at the right) in small type, the barcode
 * as Code 128 drawn as vector bars as wide as the label allows with quiet zones, the barcode in
 * human-readable form, and the title cut to one line. On labels too short for all of it the title goes
 * first, then the top line. `options.skip` leaves used positions of the first sheet empty.
 *
 * @example
 * const pdf = await barcodeLabelsPdf([{ barcode: '30234000517861', title: 'Middlemarch' }], AVERY_5160);
 */
export async function barcodeLabelsPdf(
  items: readonly ItemLabel[],
  layout: LabelLayout = AVERY_5160,
  options: LabelPdfOptions = {},
): Promise<Buffer> {
  const bars = items.map((item) => barcodeBars('code128', item.barcode));
  let index = 0;
  return sheetPdf(items, layout, options, 'Item barcode labels', (doc, item, box) => {
    const itemBars = bars[index++];
    if (itemBars) drawItemLabel(doc, item, itemBars, box);
  });
}

function drawItemLabel(doc: Doc, item: ItemLabel, bars: BarcodeBars, box: Box): void {
  const padX = Math.min(inches(0.08), box.width * 0.05);
  const padY = Math.min(inches(0.06), box.height * 0.06);
  const inner = {
    x: box.x + padX,
    y: box.y + padY,
    width: box.width - 2 * padX,
    height: box.height - 2 * padY,
  };
  const smallSize = Math.min(8, Math.max(5, box.height * 0.09));
  const numberSize = Math.min(10, Math.max(5, box.height * 0.11));
  const gap = Math.max(1.5, box.height * 0.03);
  const minBars = Math.min(inches(0.25), inner.height * 0.5);

  const hasHeader = Boolean(item.libraryName?.trim() || item.callNumber?.trim());
  const headerHeight = lineHeight(doc.font('Helvetica-Bold'), smallSize) + gap;
  const titleHeight = lineHeight(doc.font('Helvetica'), smallSize) + gap;
  const numberHeight = lineHeight(doc.font('Helvetica'), numberSize);
  let showHeader = hasHeader;
  let showTitle = Boolean(item.title?.trim());
  const barsHeight = () =>
    inner.height - numberHeight - gap - (showHeader ? headerHeight : 0) - (showTitle ? titleHeight : 0);
  if (barsHeight() < minBars) showTitle = false;
  if (barsHeight() < minBars) showHeader = false;

  let y = inner.y;
  if (showHeader) {
    let nameWidth = inner.width;
    if (item.callNumber?.trim()) {
      doc.font('Helvetica').fontSize(smallSize);
      const callNumber = truncate(doc, toStandardFontText(item.callNumber).trim(), inner.width * 0.45);
      doc.text(callNumber, inner.x + inner.width - doc.widthOfString(callNumber), y, { lineBreak: false });
      nameWidth -= doc.widthOfString(callNumber) + smallSize;
    }
    if (item.libraryName?.trim()) {
      line(doc, item.libraryName, 'Helvetica-Bold', smallSize, y, { x: inner.x, width: nameWidth }, 'left');
    }
    y += headerHeight;
  }
  const height = barsHeight();
  drawBars(doc, bars, { x: inner.x, y, width: inner.width, height: Math.max(0, height) });
  y += height + gap;
  line(doc, bars.humanReadable, 'Helvetica', numberSize, y, inner, 'center');
  y += numberHeight + gap;
  if (showTitle && item.title) line(doc, item.title, 'Helvetica', smallSize, y, inner, 'center');
}

/**
 * Spine labels, one per call number, on sheets of `layout` (default {@link DEMCO_SPINE_WS14942260}).
 * The lines are printed as given, centred, in Courier Bold, all at one size: the largest up to
 * `maxFontSize` at which the longest line fits the label width and all lines fit its height. Nothing is cut.
 * A label with no lines leaves its position empty.
 *
 * @example
 * const pdf = await spineLabelsPdf([{ lines: ['QA', '76.73', '.J38', 'F53', '2001'] }]);
 */
export async function spineLabelsPdf(
  labels: readonly SpineLabel[],
  layout: LabelLayout = DEMCO_SPINE_WS14942260,
  options: SpineLabelPdfOptions = {},
): Promise<Buffer> {
  const maxFontSize = options.maxFontSize ?? 16;
  return sheetPdf(labels, layout, options, 'Spine labels', (doc, label, box) =>
    drawSpineLabel(doc, label, box, maxFontSize),
  );
}

/** Distance between baselines of spine label lines, in ems. */
const SPINE_LEADING = 1.08;

function drawSpineLabel(doc: Doc, label: SpineLabel, box: Box, maxFontSize: number): void {
  const lines = label.lines.map((text) => toStandardFontText(text).trim());
  if (lines.length === 0) return;
  const pad = Math.min(inches(0.06), box.width * 0.06, box.height * 0.06);
  const inner = { x: box.x + pad, y: box.y + pad, width: box.width - 2 * pad, height: box.height - 2 * pad };
  const font = 'Courier-Bold';
  const ascentDescent = lineHeight(doc.font(font), 1);
  const byHeight = inner.height / ((lines.length - 1) * SPINE_LEADING + ascentDescent);
  const byWidth = Math.min(...lines.map((text) => fittingSize(doc, font, text, inner.width, maxFontSize, 0)));
  const size = Math.min(maxFontSize, byHeight, byWidth);
  const blockHeight = ((lines.length - 1) * SPINE_LEADING + ascentDescent) * size;
  let y = inner.y + (inner.height - blockHeight) / 2;
  doc.font(font).fontSize(size);
  for (const text of lines) {
    const width = doc.widthOfString(text);
    doc.text(text, inner.x + (inner.width - width) / 2, y, { lineBreak: false });
    y += size * SPINE_LEADING;
  }
}

/**
 * Patron library cards, one per page of ISO/IEC 7810 ID-1 size (85.6 × 54 mm, for card printers) unless
 * `options.layout` says otherwise. Each card: the library name in bold, the patron name, the expiry date,
 * and at the bottom the barcode (Codabar unless the card asks for Code 39) with its number in
 * human-readable form. Names are shrunk to fit, then cut.
 *
 * @example
 * const pdf = await patronCardsPdf([{ barcode: '21234000000125', name: 'Ada Lovelace', libraryName: 'Riverside Library' }]);
 */
export async function patronCardsPdf(
  cards: readonly PatronCard[],
  options: PatronCardPdfOptions = {},
): Promise<Buffer> {
  const bars = cards.map((card) => barcodeBars(card.symbology ?? 'codabar', card.barcode, options));
  let index = 0;
  return sheetPdf(cards, options.layout ?? ID1_CARD, options, 'Library cards', (doc, card, box) => {
    const cardBars = bars[index++];
    if (cardBars) drawPatronCard(doc, card, cardBars, box);
  });
}

function drawPatronCard(doc: Doc, card: PatronCard, bars: BarcodeBars, box: Box): void {
  const pad = Math.min(box.width, box.height) * 0.08;
  const inner = { x: box.x + pad, y: box.y + pad, width: box.width - 2 * pad, height: box.height - 2 * pad };
  const unit = box.height / 153; // sizes below are for an ID-1 card, 153 points high

  const libraryName = toStandardFontText(card.libraryName).trim();
  const librarySize = fittingSize(doc, 'Helvetica-Bold', libraryName, inner.width, 13 * unit, 7 * unit);
  line(doc, libraryName, 'Helvetica-Bold', librarySize, inner.y, inner, 'left');
  let y = inner.y + lineHeight(doc, librarySize) + 3 * unit;
  doc
    .moveTo(inner.x, y)
    .lineTo(inner.x + inner.width, y)
    .lineWidth(0.75 * unit)
    .strokeColor('black')
    .stroke();
  y += 6 * unit;

  const name = toStandardFontText(card.name).trim();
  const nameSize = fittingSize(doc, 'Helvetica', name, inner.width, 11 * unit, 6 * unit);
  line(doc, name, 'Helvetica', nameSize, y, inner, 'left');
  y += lineHeight(doc, nameSize) + 3 * unit;
  if (card.expiresOn?.trim()) {
    line(doc, `Expires ${card.expiresOn.trim()}`, 'Helvetica', 8 * unit, y, inner, 'left');
    y += lineHeight(doc, 8 * unit);
  }

  const numberSize = 9 * unit;
  const numberHeight = lineHeight(doc.font('Helvetica'), numberSize);
  const bottom = inner.y + inner.height;
  const barsTop = Math.max(y + 6 * unit, bottom - numberHeight - 3 * unit - 44 * unit);
  const barsHeight = Math.max(0, bottom - numberHeight - 3 * unit - barsTop);
  drawBars(doc, bars, { x: inner.x, y: barsTop, width: inner.width, height: barsHeight });
  line(doc, bars.humanReadable, 'Helvetica', numberSize, bottom - numberHeight, inner, 'center');
}
