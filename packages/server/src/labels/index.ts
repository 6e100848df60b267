/**
 * Labels: barcode numbers with check digits, barcode images, and printable PDFs of item barcode labels,
 * spine labels and patron library cards. Pure library: data in, PNG or PDF bytes out; no I/O, no clock.
 */
export type {
  BarcodeGeneratorConfig,
  BarcodeProblem,
  BarcodeValidation,
  CheckDigitAlgorithm,
} from './barcode-generator.ts';
export {
  barcodeConfigProblems,
  checkDigit,
  library14Config,
  nextBarcode,
  validateBarcode,
} from './barcode-generator.ts';
export type {
  BarcodeBars,
  BarcodePngOptions,
  BarcodeSymbol,
  BarcodeSymbolOptions,
  BarcodeSymbology,
  CodabarGuard,
} from './barcode-image.ts';
export { barcodeBars, barcodePng, barcodeSymbol } from './barcode-image.ts';
export type { LabelErrorCode } from './errors.ts';
export type {
  ItemLabel,
  LabelPdfOptions,
  PatronCard,
  PatronCardPdfOptions,
  SpineLabel,
  SpineLabelPdfOptions,
} from './label-pdf.ts';
export { barcodeLabelsPdf, patronCardsPdf, spineLabelsPdf } from './label-pdf.ts';
export type { FillOrder, LabelLayout, LabelPosition, SheetStart } from './label-sheets.ts';
export {
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
} from './label-sheets.ts';
export { isStandardFontChar, toStandardFontText, UNREPRESENTABLE } from './pdf-text.ts';
