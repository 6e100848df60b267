import { detectScheme, shelfKey } from '../../callnumber/index.ts';

/** Where an item is in its life, from processing to withdrawal. */
export const ITEM_STATUSES = [
  'in_processing',
  'available',
  'checked_out',
  'in_transit',
  'on_hold_shelf',
  'missing',
  'lost',
  'damaged',
  'withdrawn',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export type CallNumberScheme = 'lc' | 'dewey' | 'local';

/** The shelf key of an item: call number order first, then volume and copy, so v.2 shelves before v.10. */
export function itemShelfKey(
  callNumber: string | null,
  scheme: CallNumberScheme,
  volume: string | null,
  copy: string | null,
): string {
  const parts = [callNumber ? shelfKey(callNumber, scheme) : '~'];
  for (const extra of [volume, copy]) if (extra) parts.push(shelfKey(extra, 'local'));
  // U+0001 sorts below every character of a call number key, so a call number's volumes shelve
  // together, before any longer call number that extends it.
  return parts.join('\u0001');
}

/** The scheme to file a call number under when the cataloger did not say. */
export function guessScheme(callNumber: string | null): CallNumberScheme {
  return callNumber ? detectScheme(callNumber) : 'local';
}
