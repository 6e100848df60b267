/**
 * Test support (not a test) for the import/export round trip and the import fuzz test: a seeded
 * random generator, and the check that an export gives back every field of what the catalog holds
 * unless the writer reported a repair.
 */
import {
  isControlField,
  type MarcField,
  type MarcRecord,
  parseIso2709,
  parseMarcJson,
  parseMarcXml,
  type ReadResult,
} from '../../marc/index.ts';
import {
  type ExportFormat,
  type ExportProblem,
  type ExportService,
  newExportReport,
  writeExport,
} from './export-service.ts';

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return {
    next,
    /** An integer in [0, below). */
    int,
    /** True with probability `p`. */
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
  };
}
export type Random = ReturnType<typeof seeded>;

/** A field as a string, to compare fields whole. */
export function fieldKey(field: MarcField): string {
  return isControlField(field)
    ? JSON.stringify([field.tag, field.value])
    : JSON.stringify([field.tag, field.ind1, field.ind2, field.subfields.map((s) => [s.code, s.value])]);
}

/** Leader positions a writer recomputes or sets by rule (documented): not compared. */
const RECOMPUTED_LEADER: Record<ExportFormat, readonly number[]> = {
  // record length, coding scheme "a", "22", base address, "4500"
  iso2709: [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23],
  // the XML is Unicode (leader/09 = a)
  marcxml: [9],
  json: [],
};

/**
 * What in `written` (a record as read back from an export) differs from `expected` (the record handed
 * to the writer) without a repair reported for it: a field lost or changed whose tag no problem names,
 * fields out of order, a leader changed where no rule or problem says so. MARCXML puts control fields
 * before data fields (MARC21slim's order), so order is compared within each of the two groups.
 */
export function unexplained(
  expected: MarcRecord,
  written: MarcRecord | null,
  problems: readonly ExportProblem[],
  format: ExportFormat,
): string[] {
  if (written === null) return ['the record could not be read back from the export'];
  const out: string[] = [];
  const tags = new Set(problems.map((p) => p.tag).filter((t): t is string => t !== null));
  const tooLong = problems.some((p) => p.code === 'RECORD_TOO_LONG');
  const leaderRepaired = problems.some((p) => p.code === 'LEADER_INVALID');
  const skip = new Set(RECOMPUTED_LEADER[format]);
  const leader = (l: string) =>
    [...l.padEnd(24, ' ').slice(0, 24)].map((c, i) => (skip.has(i) ? '_' : c)).join('');
  if (!leaderRepaired && leader(expected.leader) !== leader(written.leader))
    out.push(`leader ${JSON.stringify(expected.leader)} came back as ${JSON.stringify(written.leader)}`);

  const available = new Map<string, number[]>();
  written.fields.forEach((field, i) => {
    const key = fieldKey(field);
    available.set(key, [...(available.get(key) ?? []), i]);
  });
  const used = new Set<number>();
  const positions: { group: boolean; at: number }[] = [];
  for (const field of expected.fields) {
    const at = available.get(fieldKey(field))?.shift();
    if (at !== undefined) {
      used.add(at);
      positions.push({ group: isControlField(field), at });
    } else if (!tags.has(field.tag) && !tooLong) {
      out.push(`field ${fieldKey(field)} did not come back and no repair names ${field.tag}`);
    }
  }
  written.fields.forEach((field, i) => {
    if (used.has(i)) return;
    // a repaired field comes back under its tag, or the tag the writer padded it to
    const repaired = [...tags].some((t) => t === field.tag || t.padStart(3, '0') === field.tag);
    if (!repaired) out.push(`field ${fieldKey(field)} came back though nothing like it was written`);
  });
  for (const group of [true, false]) {
    const order = positions.filter((p) => format !== 'marcxml' || p.group === group).map((p) => p.at);
    if (order.some((at, i) => i > 0 && at < order[i - 1]!)) out.push('fields came back in another order');
    if (format !== 'marcxml') break;
  }
  return out;
}

/** Every record of the catalog exported in `format`, read back, each beside what was handed to the writer. */
export async function exportAndReadBack(
  exports: ExportService,
  format: ExportFormat,
): Promise<{
  pairs: { id: string; expected: MarcRecord; written: MarcRecord | null; problems: ExportProblem[] }[];
  skipped: ExportProblem[];
  readBack: ReadResult[];
}> {
  const handed: { id: string; record: MarcRecord | null }[] = [];
  async function* entries() {
    for await (const entry of exports.exportRecords('')) {
      handed.push({ id: entry.id, record: entry.record });
      yield entry;
    }
  }
  const report = newExportReport(format);
  const chunks: Buffer[] = [];
  for await (const chunk of writeExport(entries(), format, report))
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  const bytes = Buffer.concat(chunks);
  const readBack =
    format === 'iso2709'
      ? parseIso2709(bytes)
      : format === 'marcxml'
        ? parseMarcXml(bytes)
        : parseMarcJson(bytes);
  const skippedIds = new Set(
    report.problems.filter((p) => p.code === 'RECORD_SKIPPED').map((p) => p.recordId),
  );
  const written = handed.filter((h) => !skippedIds.has(h.id));
  if (readBack.length !== written.length)
    throw new Error(`${format}: ${written.length} records written but ${readBack.length} read back`);
  return {
    pairs: written.map((h, i) => ({
      id: h.id,
      expected: h.record!,
      written: readBack[i]!.record,
      problems: report.problems.filter((p) => p.recordId === h.id),
    })),
    skipped: report.problems.filter((p) => p.code === 'RECORD_SKIPPED'),
    readBack,
  };
}
