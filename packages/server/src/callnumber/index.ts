/**
 * Call numbers: parsing, validation, shelf keys and spine labels for Library of Congress Classification,
 * Dewey Decimal Classification and local schemes. Pure functions, no I/O.
 */
export type { CallNumber, CallNumberParse, CallNumberScheme } from './call-number.ts';
export { parseCallNumber } from './call-number.ts';
export type { ItemDesignations } from './call-number-text.ts';
export { detectScheme } from './detect-scheme.ts';
export type { DeweyBookNumber, DeweyCallNumber } from './dewey-call-number.ts';
export type { LcCallNumber, LcCutter } from './lc-call-number.ts';
export type { LocalCallNumber } from './local-call-number.ts';
export type { ShelfKeyOptions, ShelfKeyRange } from './shelf-key.ts';
export { shelfKey, shelfKeyRange } from './shelf-key.ts';
export type { SpineLabelOptions } from './spine-label.ts';
export { spineLabelLines } from './spine-label.ts';
