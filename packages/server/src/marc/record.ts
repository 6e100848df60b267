/**
 * The MARC 21 record model shared by every codec in this folder: a leader and an ordered list of
 * variable fields, as in ISO 2709 / MARC 21 "Record Structure". Strings are Unicode (already decoded
 * from UTF-8 or MARC-8); the model holds no byte lengths or offsets, which writers recompute.
 *
 * @see https://www.loc.gov/marc/specifications/specrecstruc.html
 */

/**
 * One subfield of a data field: a one-character subfield code and its data
 * (e.g. MARC 21 245 $a = title proper).
 */
export interface Subfield {
  code: string;
  value: string;
}

/**
 * A variable control field (MARC 21 tags 001-009): no indicators, no subfields
 * (e.g. 001 = control number, 008 = fixed-length data elements).
 */
export interface ControlField {
  tag: string;
  value: string;
}

/**
 * A variable data field (MARC 21 tags 010-999): two indicator positions and subfields. A blank
 * indicator is the space character `' '`.
 */
export interface DataField {
  tag: string;
  ind1: string;
  ind2: string;
  subfields: Subfield[];
}

/** A variable field: control field (001-009) or data field (010-999). */
export type MarcField = ControlField | DataField;

/**
 * A MARC 21 record: the 24-character leader and the variable fields in record order. Record order
 * is kept as read (it is not necessarily tag order).
 */
export interface MarcRecord {
  leader: string;
  fields: MarcField[];
}

/** Length of the MARC 21 leader (ISO 2709 record label). */
export const LEADER_LENGTH = 24;

/**
 * True for a MARC 21 control field tag: `00` followed by one character (001-009; `00A`-style
 * local control tags too, as MARC21slim.xsd allows).
 */
export function isControlTag(tag: string): boolean {
  return tag.length === 3 && tag.charCodeAt(0) === 0x30 && tag.charCodeAt(1) === 0x30;
}

/** True when the field is a control field (it carries `value`, no indicators or subfields). */
export function isControlField(field: MarcField): field is ControlField {
  return (field as Partial<DataField>).subfields === undefined;
}

/** True when the field is a data field (indicators and subfields). */
export function isDataField(field: MarcField): field is DataField {
  return (field as Partial<DataField>).subfields !== undefined;
}

/** All fields with the given tag, in record order (e.g. every 650 = subject added entry, topical term). */
export function getFields(record: MarcRecord, tag: string): MarcField[] {
  return record.fields.filter((field) => field.tag === tag);
}

/** All data fields with the given tag, in record order. */
export function getDataFields(record: MarcRecord, tag: string): DataField[] {
  const out: DataField[] = [];
  for (const field of record.fields) if (field.tag === tag && isDataField(field)) out.push(field);
  return out;
}

/** The value of the first control field with the given tag (e.g. `controlValue(rec, '001')`). */
export function controlValue(record: MarcRecord, tag: string): string | undefined {
  for (const field of record.fields) if (field.tag === tag && isControlField(field)) return field.value;
  return undefined;
}

/** The values of all subfields with the given code in a data field, in field order. */
export function getSubfields(field: DataField, code: string): string[] {
  const out: string[] = [];
  for (const subfield of field.subfields) if (subfield.code === code) out.push(subfield.value);
  return out;
}

/**
 * The first value of `tag` $`code` in the record (e.g. `firstValue(rec, '245', 'a')` = title
 * proper). For a control field, `code` is ignored and the field value is returned.
 */
export function firstValue(record: MarcRecord, tag: string, code?: string): string | undefined {
  for (const field of record.fields) {
    if (field.tag !== tag) continue;
    if (isControlField(field)) return field.value;
    for (const subfield of field.subfields)
      if (code === undefined || subfield.code === code) return subfield.value;
  }
  return undefined;
}

/**
 * The leader padded with spaces or cut to 24 characters, so positions can be read and written
 * safely (leader/09 = character coding scheme, leader/06 = type of record, …).
 */
export function padLeader(leader: string): string {
  return leader.length === LEADER_LENGTH ? leader : leader.padEnd(LEADER_LENGTH, ' ').slice(0, LEADER_LENGTH);
}

/** The leader with the character at `position` (0-based, as in "leader/09") replaced by `char`. */
export function setLeaderPosition(leader: string, position: number, char: string): string {
  const padded = padLeader(leader);
  return padded.slice(0, position) + char + padded.slice(position + 1);
}
