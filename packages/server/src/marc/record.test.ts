import { describe, expect, it } from 'vitest';
import {
  controlValue,
  firstValue,
  getDataFields,
  getFields,
  getSubfields,
  isControlField,
  isControlTag,
  isDataField,
  type MarcRecord,
  padLeader,
  setLeaderPosition,
} from './record.ts';

const record: MarcRecord = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: 'ocm123' },
    {
      tag: '245',
      ind1: '1',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Title :' },
        { code: 'b', value: 'sub' },
      ],
    },
    {
      tag: '650',
      ind1: ' ',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Jazz.' },
        { code: 'x', value: 'History' },
      ],
    },
    {
      tag: '650',
      ind1: ' ',
      ind2: '0',
      subfields: [
        { code: 'a', value: 'Blues.' },
        { code: 'a', value: 'Swing.' },
      ],
    },
  ],
};

describe('record helpers', () => {
  it.each([
    ['001', true],
    ['009', true],
    ['00A', true],
    ['010', false],
    ['245', false],
    ['LDR', false],
    ['00', false],
  ])('isControlTag(%j) is %j (MARC 21: 00X tags are control fields)', (tag, expected) => {
    expect(isControlTag(tag)).toBe(expected);
  });

  it('tells control fields from data fields by their shape', () => {
    expect(isControlField(record.fields[0]!)).toBe(true);
    expect(isDataField(record.fields[1]!)).toBe(true);
  });

  it('finds fields and subfields by tag and code, in record order', () => {
    expect(getFields(record, '650')).toHaveLength(2);
    expect(getDataFields(record, '001')).toEqual([]);
    expect(getSubfields(getDataFields(record, '650')[1]!, 'a')).toEqual(['Blues.', 'Swing.']);
    expect(firstValue(record, '245', 'a')).toBe('Title :');
    expect(firstValue(record, '245', 'z')).toBeUndefined();
    expect(firstValue(record, '001')).toBe('ocm123');
    expect(controlValue(record, '001')).toBe('ocm123');
    expect(controlValue(record, '003')).toBeUndefined();
  });

  it('pads or cuts a leader to 24 characters and sets one position', () => {
    expect(padLeader('abc')).toBe(`abc${' '.repeat(21)}`);
    expect(padLeader('x'.repeat(30))).toBe('x'.repeat(24));
    expect(setLeaderPosition(record.leader, 9, ' ')).toBe('00000nam  2200000 a 4500');
  });
});
