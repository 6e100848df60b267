/**
 * MARC 21 codecs: ISO 2709 (binary MARC), MARCXML, MARC-in-JSON and a MARCMaker-style text view,
 * all over one record model. Pure: no database, no HTTP, no file system; readers take byte streams.
 *
 * Readers are lenient by default (they recover what they can and report every problem with the
 * record's position) and strict on request (`{ strict: true }` throws on the first problem).
 */
export type { ByteSource } from './byte-source.ts';
export { DETECT_BYTES, detectMarcFormat, type MarcFormat } from './detect.ts';
export {
  type CharacterCoding,
  FIELD_TERMINATOR,
  ISO2709_MAX_FIELD_BYTES,
  ISO2709_MAX_RECORD_BYTES,
  type Iso2709ReadOptions,
  iso2709Size,
  iterateIso2709,
  parseIso2709,
  parseIso2709Record,
  RECORD_TERMINATOR,
  readIso2709,
  SUBFIELD_DELIMITER,
  writeIso2709,
} from './iso2709.ts';
export {
  fromMarcJson,
  type MarcJsonDataField,
  type MarcJsonRecord,
  parseMarcJson,
  readMarcJson,
  toMarcJson,
  toMarcJsonText,
  writeMarcJsonArray,
  writeMarcJsonLines,
} from './marc-json.ts';
export {
  MARCXML_COLLECTION_FOOTER,
  MARCXML_COLLECTION_HEADER,
  MARCXML_NAMESPACE,
  type MarcXmlWriteOptions,
  parseMarcXml,
  readMarcXml,
  toMarcXml,
  toMarcXmlCollection,
  writeMarcXmlCollection,
} from './marcxml.ts';
export {
  MAX_PROBLEMS_OF_A_KIND,
  MarcParseError,
  type MarcProblem,
  type MarcProblemCode,
  type MarcProblemSeverity,
  type MarcReadOptions,
  type MarcWriteOptions,
  REPLACEMENT_SUBFIELD_CODE,
  type ReadResult,
  type RecordSource,
} from './problems.ts';
export { detectFileFormat, readMarc, readMarcFile } from './read-any.ts';
export {
  type ControlField,
  controlValue,
  type DataField,
  firstValue,
  getDataFields,
  getFields,
  getSubfields,
  isControlField,
  isControlTag,
  isDataField,
  LEADER_LENGTH,
  type MarcField,
  type MarcRecord,
  padLeader,
  type Subfield,
  setLeaderPosition,
} from './record.ts';
export { MarcTextError, parseMarcText, parseMarcTextRecords, toMarcText } from './text.ts';
