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
}

/** Tags that describe items; they are turned into items and kept out of the stored record. */
export const HOLDINGS_TAGS = new Set(['952', '852', '876']);

function sub(field: DataField, code: string): string | null {
  const value = field.subfields.find((s) => s.code === code)?.value.trim();
  return value ? value : null;
}

/** A price written `12.50` or `$12.50` in minor units (two decimals); null when it is not a price. */
export function priceToMinor(text: string | null): number | null {
  if (!text) return null;
  const match = /(\d+)(?:[.,](\d{1,2}))?/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

const flagged = (value: string | null) => value !== null && value !== '0';

function fromKoha952(f: DataField): EmbeddedItem {
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
  };
}

function fromMarc852(f: DataField, item: DataField | undefined): EmbeddedItem {
  // MARC 21 Holdings 852: $b sublocation (branch), $c shelving location, $k prefix, $h classification
  // part, $i item part, $m suffix, $t copy number, $p piece designation (barcode), $z public note,
  // $x nonpublic note. 876: $p barcode, $c cost, $3 materials specified (volume).
  const callNumber =
    ['k', 'h', 'i', 'm']
      .map((c) => sub(f, c))
      .filter(Boolean)
      .join(' ') || null;
  return {
    barcode: (item && sub(item, 'p')) ?? sub(f, 'p'),
    branchCode: sub(f, 'b'),
    location: sub(f, 'c'),
    callNumber,
    itemType: null,
    copyNumber: sub(f, 't'),
    volume: item ? sub(item, '3') : null,
    priceMinor: item ? priceToMinor(sub(item, 'c')) : null,
    publicNote: sub(f, 'z'),
    staffNote: sub(f, 'x'),
    status: 'available',
    tag: '852',
  };
}

/** The items a record carries, and the record without its holdings tags. */
export function splitHoldings(record: MarcRecord): { record: MarcRecord; items: EmbeddedItem[] } {
  const items: EmbeddedItem[] = [];
  const f876 = record.fields.filter((f): f is DataField => isDataField(f) && f.tag === '876');
  const f852 = record.fields.filter((f): f is DataField => isDataField(f) && f.tag === '852');
  for (const f of record.fields) if (isDataField(f) && f.tag === '952') items.push(fromKoha952(f));
  f852.forEach((f, i) => {
    // 876 links to its 852 by $8; without links they pair up in order.
    const link = sub(f, '8');
    const item = (link && f876.find((x) => sub(x, '8') === link)) || f876[i];
    items.push(fromMarc852(f, item));
  });
  if (items.length === 0) return { record, items };
  return {
    record: { leader: record.leader, fields: record.fields.filter((f) => !HOLDINGS_TAGS.has(f.tag)) },
    items,
  };
}
