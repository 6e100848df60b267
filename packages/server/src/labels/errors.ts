import { AppError } from '../kernel/app-error.ts';

/** Error codes of the labels library (barcode numbers, barcode images, label sheets and PDFs). */
export type LabelErrorCode =
  | 'BARCODE_CONFIG_INVALID'
  | 'BARCODE_SEQUENCE_EXHAUSTED'
  | 'BARCODE_NOT_ENCODABLE'
  | 'LABEL_LAYOUT_INVALID'
  | 'LABEL_START_INVALID'
  | 'NOTHING_TO_PRINT';

/** Throws an {@link AppError} with one of the labels library's codes. */
export function labelError(code: LabelErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError<LabelErrorCode>(code, message, details);
}
