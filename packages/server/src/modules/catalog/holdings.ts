import { MAX_AMOUNT_MINOR } from '../../kernel/money.ts';
import { type DataField, isDataField, type MarcRecord } from '../../marc/index.ts';
import type { ItemStatus } from './items.ts';

/**
 * Items described inside an incoming bibliographic record: Koha's 952 item tag, or MARC 21 852
 * location with 876 item information. Pure: branch codes and item types are resolved by the caller.
 */
export interface EmbeddedItem {
  barcode: string | null;
  branchCode: string | null;
  location: string | null;
  callNumber: string | null;
  itemType: string | null;
  copyNumber: string | null;
  volume: string | null;
  priceMinor: number | null;
  publicNote: string | null;
  staffNote: string | null;
  status: ItemStatus;
  /** The tag the item came from, for reports. */
  tag: '952' | '852';
  /**
   * The fields the item was made from (a 952, or an 852 and the 876 paired with it) and their
   * positions in the record as it came: they leave the stored record only when the item is made.
   */
  fields: { index: number; field: DataField }[];
}

/**
 * Tags that describe items. Fields that became items are kept out of the stored record (the items
 * carry them); the others stay in it.
 */
export const HOLDINGS_TAGS = new Set(['952', '852', '876']);

function sub(field: DataField, code: string): string | null {
  const value = field.subfields.find((s) => s.code === code)?.value.trim();
  return value ? value : null;
}

/**
 * A price written `12.50` or `$12.50` in minor units (two decimals); null when it is not a price, or is
 * over MAX_AMOUNT_MINOR (no item costs that much: the item is imported without a price).
 */
export function priceToMinor(text: string | null): number | null {
  if (!text) return null;
  const match = /(\d+)(?:[.,](\d{1,2}))?/.exec(text);
  if (!match) return null;
  const minor = Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
  return minor <= MAX_AMOUNT_MINOR ? minor : null;
}

const flagged = (value: string | null) => value !== null && value !== '0';

function fromKoha952(f: DataField, index: number): EmbeddedItem {
  // Koha's MARC 21 item mapping: $a home branch, $b holding branch, $c shelving location, $o call number,
  // $p barcode, $y item type, $t copy number, $h volume/enumeration, $g price, $z public note,
  // $x staff note, $0 withdrawn, $1 lost, $4 damaged.
  const status: ItemStatus = flagged(sub(f, '0'))
    ? 'withdrawn'
    : flagged(sub(f, '1'))
      ? 'lost'
      : flagged(sub(f, '4'))
        ? 'damaged'
        : 'available';
  return {
    barcode: sub(f, 'p'),
    branchCode: sub(f, 'a') ?? sub(f, 'b'),
    location: sub(f, 'c'),
    callNumber: sub(f, 'o'),
    itemType: sub(f, 'y'),
    copyNumber: sub(f, 't'),
    volume: sub(f, 'h'),
    priceMinor: priceToMinor(sub(f, 'g') ?? sub(f, 'v')),
    publicNote: sub(f, 'z'),
    staffNote: sub(f, 'x'),
    status,
    tag: '952',
    fields: [{ index, field: f }],
  };
}

function fromMarc852(
  f: DataField,
  index: number,
  item: { index: number; field: DataField } | undefined,
): EmbeddedItem {
  // MARC 21 Holdings 852: $b sublocation (branch), $c shelving location, $k prefix, $h classification
  // part, $i item part, $m suffix, $t copy number, $p piece designation (barcode), $z public note,
  // $x nonpublic note. 876: $p barcode, $c cost, $3 materials specified (volume).
  const callNumber =
    ['k', 'h', 'i', 'm']
      .map((c) => sub(f, c))
      .filter(Boolean)
      .join(' ') || null;
  const other = item?.field;
  return {
    barcode: (other && sub(other, 'p')) ?? sub(f, 'p'),
    branchCode: sub(f, 'b'),
    location: sub(f, 'c'),
    callNumber,
    itemType: null,
    copyNumber: sub(f, 't'),
    volume: other ? sub(other, '3') : null,
    priceMinor: other ? priceToMinor(sub(other, 'c')) : null,
    publicNote: sub(f, 'z'),
    staffNote: sub(f, 'x'),
    status: 'available',
    tag: '852',
    fields: item ? [{ index, field: f }, item] : [{ index, field: f }],
  };
}

/**
 * The items a record carries, and the record without the fields of those that have a barcode (the
 * ones an import can make). Holdings without a barcode (a holdings statement) and 876s paired with
 * no 852 stay in the record.
 */
export function splitHoldings(record: MarcRecord): { record: MarcRecord; items: EmbeddedItem[] } {
  const items: EmbeddedItem[] = [];
  const f876: { index: number; field: DataField }[] = [];
  const f852: { index: number; field: DataField }[] = [];
  record.fields.forEach((f, index) => {
    if (!isDataField(f)) return;
    if (f.tag === '952') items.push(fromKoha952(f, index));
    else if (f.tag === '876') f876.push({ index, field: f });
    else if (f.tag === '852') f852.push({ index, field: f });
  });
  // An 876 links to its 852 by $8; the others pair up in order. Each 876 goes with one 852 at most.
  const links = new Set(f852.map(({ field }) => sub(field, '8')).filter((link) => link !== null));
  const used = new Set<number>();
  const paired = f852.map(({ field }) => {
    const link = sub(field, '8');
    const item =
      link === null ? undefined : f876.find((x) => !used.has(x.index) && sub(x.field, '8') === link);
    if (item) used.add(item.index);
    return item;
  });
  const unlinked = f876.filter((x) => !used.has(x.index) && !links.has(sub(x.field, '8') ?? ''));
  f852.forEach(({ index, field }, i) => {
    const item = paired[i] ?? unlinked.shift();
    items.push(fromMarc852(field, index, item));
  });
  const moved = movedIndexes(items.filter((item) => item.barcode !== null));
  if (moved.size === 0) return { record, items };
  return { record: { leader: record.leader, fields: record.fields.filter((_, i) => !moved.has(i)) }, items };
}

/** Positions (in the record as it came) of the fields of `items`. */
function movedIndexes(items: readonly EmbeddedItem[]): Set<number> {
  const moved = new Set<number>();
  for (const item of items) for (const { index } of item.fields) moved.add(index);
  return moved;
}

/**
 * The stored record with the fields of `failed` items (items with a barcode that an import could not
 * make) put back where they were: `stored` is {@link splitHoldings}' record, `items` all its items.
 */
export function restoreHoldings(
  stored: MarcRecord,
  items: readonly EmbeddedItem[],
  failed: readonly EmbeddedItem[],
): MarcRecord {
  const moved = movedIndexes(items.filter((item) => item.barcode !== null));
  const back = new Map<number, DataField>();
  for (const item of failed) for (const { index, field } of item.fields) back.set(index, field);
  const fields: MarcRecord['fields'] = [];
  let next = 0;
  for (let i = 0; i < stored.fields.length + moved.size; i++) {
    if (!moved.has(i)) {
      const field = stored.fields[next++];
      if (field) fields.push(field);
      continue;
    }
    const field = back.get(i);
    if (field) fields.push(field);
  }
  return { leader: stored.leader, fields };
}
