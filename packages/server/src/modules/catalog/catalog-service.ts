import type { Database, Executor } from '../../db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.ts';
import type { BibIdentifierRow, BibRecordRow, BibRecordVersionRow, ItemRow } from '../../db/schema.ts';
import { type Actor, actorRef } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { MAX_AMOUNT_MINOR } from '../../kernel/money.ts';
import { fromMarcJson, type MarcRecord } from '../../marc/index.ts';
import { recordAudit } from '../audit/index.ts';
import { type BibFormat, type BibSummary, summarize } from './bib-summary.ts';
import * as repo from './catalog-repository.ts';
import type { CatalogErrorCode } from './errors.ts';
import { type CallNumberScheme, guessScheme, type ItemStatus, itemShelfKey } from './items.ts';
import { iso2709Excess, type PreparedRecord, prepareRecord } from './record-prepare.ts';
import { parseQuery } from './search-query.ts';
import {
  indexRecords,
  type SearchDocument,
  type SearchFilters,
  type SearchSort,
  searchRecords,
  unindexRecord,
} from './search-repository.ts';

export {
  contentHash,
  identifiersOf,
  type PreparedRecord,
  prepareRecord,
  searchDocument,
} from './record-prepare.ts';

function fail(code: CatalogErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new AppError(code, message, details);
}

/** A bibliographic record as the catalog shows it: the extracted summary and the MARC record. */
export interface BibRecord {
  id: string;
  version: number;
  summary: BibSummary;
  marc: MarcRecord;
  createdAt: string;
  updatedAt: string;
}

/** An item: one physical copy, with where it lives and its status. */
export interface Item {
  id: string;
  recordId: string;
  barcode: string;
  branchId: string;
  location: string | null;
  callNumber: string | null;
  callNumberScheme: CallNumberScheme;
  itemType: string;
  copyNumber: string | null;
  volume: string | null;
  priceMinor: number | null;
  publicNote: string | null;
  staffNote: string | null;
  status: ItemStatus;
  statusChangedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewItem {
  barcode: string;
  branchId: string;
  location?: string | null;
  callNumber?: string | null;
  callNumberScheme?: CallNumberScheme;
  itemType: string;
  copyNumber?: string | null;
  volume?: string | null;
  priceMinor?: number | null;
  publicNote?: string | null;
  staffNote?: string | null;
  status?: ItemStatus;
}

function toBibRecord(row: BibRecordRow): BibRecord {
  const marc = fromMarcJson(JSON.parse(row.marc)).record;
  if (!marc) throw new Error(`record ${row.id}: stored MARC is unreadable`);
  return {
    id: row.id,
    version: row.version,
    summary: summarize(marc),
    marc,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    recordId: row.record_id,
    barcode: row.barcode,
    branchId: row.branch_id,
    location: row.location,
    callNumber: row.call_number,
    callNumberScheme: row.call_number_scheme as CallNumberScheme,
    itemType: row.item_type,
    copyNumber: row.copy_number,
    volume: row.volume,
    priceMinor: row.price_minor === null ? null : Number(row.price_minor),
    publicNote: row.public_note,
    staffNote: row.staff_note,
    status: row.status as ItemStatus,
    statusChangedAt: row.status_changed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function actorColumns(actor: Actor) {
  const ref = actorRef(actor);
  return { actor_type: ref.type, actor_id: ref.id };
}

function recordRow(
  id: string,
  seq: number,
  version: number,
  marcJson: string,
  summary: BibSummary,
  at: Date,
  createdAt: string,
): BibRecordRow {
  return {
    id,
    seq,
    control_number: summary.controlNumber,
    marc: marcJson,
    title: summary.title,
    title_sort: summary.titleSort,
    responsibility: summary.responsibility,
    main_author: summary.authors[0] ?? null,
    author_sort: (summary.authors[0] ?? '')
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase(),
    authors: JSON.stringify(summary.authors),
    subjects: JSON.stringify(summary.subjects),
    series: JSON.stringify(summary.series),
    publisher: summary.publisher,
    pub_year: summary.year,
    language: summary.language,
    format: summary.format,
    edition: summary.edition,
    isbns: JSON.stringify(summary.isbns),
    version,
    created_at: createdAt,
    updated_at: at.toISOString(),
  };
}

/**
 * Writes new records (with identifiers, subjects, search entries and a version row each) in a few
 * multi-row statements, in the caller's transaction. They are searchable the moment it commits.
 * Version rows keep the MARC a version replaced, so a new record's first version holds none.
 */
export async function writeNewRecords(
  database: Database,
  trx: Executor,
  at: Date,
  actor: Actor,
  prepared: readonly PreparedRecord[],
): Promise<{ id: string; seq: number }[]> {
  if (prepared.length === 0) return [];
  const firstSeq = await repo.allocateSequence(trx, 'bib_records', prepared.length);
  const records: BibRecordRow[] = [];
  const identifiers: BibIdentifierRow[] = [];
  const subjects: { record_id: string; subject: string }[] = [];
  const versions: BibRecordVersionRow[] = [];
  const search: { seq: number; doc: SearchDocument }[] = [];
  const actorCols = actorColumns(actor);
  prepared.forEach((p, i) => {
    const id = newId(at.getTime());
    const seq = firstSeq + i;
    records.push(recordRow(id, seq, 1, p.marcJson, p.summary, at, at.toISOString()));
    for (const identifier of p.identifiers) identifiers.push({ ...identifier, record_id: id });
    for (const subject of p.summary.subjects) subjects.push({ record_id: id, subject });
    versions.push({
      id: newId(at.getTime()),
      record_id: id,
      version: 1,
      at: at.toISOString(),
      ...actorCols,
      change: 'created',
      marc: '',
    });
    search.push({ seq, doc: p.doc });
  });
  await repo.insertRecordRows(trx, database.dialect, { records, identifiers, subjects, versions });
  await indexRecords(database, trx, search, true);
  return records.map((r) => ({ id: r.id, seq: r.seq }));
}

/** Replaces an existing record's MARC, keeping the replaced MARC in a version row, in the caller's transaction. */
export async function replaceRecord(
  database: Database,
  trx: Executor,
  at: Date,
  actor: Actor,
  existing: BibRecordRow,
  p: PreparedRecord,
  change: 'updated' | 'overlaid',
): Promise<void> {
  const version = existing.version + 1;
  const seq = Number(existing.seq);
  const updated = recordRow(existing.id, seq, version, p.marcJson, p.summary, at, existing.created_at);
  await repo.updateFacetRow(trx, updated, p.summary.subjects);
  await repo.updateRecordRow(trx, existing.id, updated);
  await repo.replaceIdentifiers(
    trx,
    existing.id,
    p.identifiers.map((i) => ({ ...i, record_id: existing.id })),
    false,
  );
  await repo.replaceSubjects(trx, existing.id, p.summary.subjects, false);
  await indexRecords(database, trx, [{ seq, doc: p.doc }], false);
  await repo.insertVersion(trx, {
    id: newId(at.getTime()),
    record_id: existing.id,
    version,
    at: at.toISOString(),
    ...actorColumns(actor),
    change,
    marc: existing.marc,
  });
}

/** The catalog: bibliographic records, items and search. */
export function createCatalogService(deps: { database: Database; clock: Clock }) {
  const { database, clock } = deps;
  const db = database.db;

  async function loadRecord(trx: Executor, id: string): Promise<BibRecordRow> {
    const row = await repo.findRecordRow(trx, id);
    if (!row) fail('RECORD_NOT_FOUND', `No record has the id ${id}`, { recordId: id });
    return row;
  }

  async function loadItem(trx: Executor, id: string): Promise<ItemRow> {
    const row = await repo.findItemRow(trx, id);
    if (!row) fail('ITEM_NOT_FOUND', `No item has the id ${id}`, { itemId: id });
    return row;
  }

  function checkMarc(marc: MarcRecord): void {
    if (summarize(marc).title === '')
      fail('INVALID_MARC', 'A record needs a title (245 $a)', { field: '245' });
    // Every record must export whole as ISO 2709 (MARC 21's exchange format).
    const excess = iso2709Excess(marc);
    if (excess !== null) {
      const { message, field, bytes, limit } = excess;
      fail('INVALID_MARC', `${message[0]!.toUpperCase()}${message.slice(1)}`, {
        ...(field === null ? {} : { field }),
        bytes,
        limit,
      });
    }
  }

  return {
    async getRecord(id: string): Promise<BibRecord> {
      return toBibRecord(await loadRecord(db, id));
    },

    async countRecords(): Promise<number> {
      return repo.countRecords(db);
    },

    async createRecord(actor: Actor, marc: MarcRecord): Promise<BibRecord> {
      checkMarc(marc);
      const now = clock.now();
      const written = await db.transaction().execute(async (trx) => {
        const [w] = await writeNewRecords(database, trx, now, actor, [prepareRecord(marc)]);
        await recordAudit(trx, now, actor, {
          action: 'record.created',
          entityType: 'bib_record',
          entityId: w!.id,
        });
        return w!;
      });
      return toBibRecord(await loadRecord(db, written.id));
    },

    /** Replaces a record's MARC. With `expectedVersion`, refuses when someone saved it in between. */
    async updateRecord(
      actor: Actor,
      id: string,
      marc: MarcRecord,
      expectedVersion?: number,
    ): Promise<BibRecord> {
      checkMarc(marc);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await loadRecord(trx, id);
        if (expectedVersion !== undefined && row.version !== expectedVersion) {
          fail(
            'RECORD_VERSION_CONFLICT',
            `The record was changed by someone else (now version ${row.version}); reload it and edit again`,
            {
              version: row.version,
            },
          );
        }
        await replaceRecord(database, trx, now, actor, row, prepareRecord(marc), 'updated');
        await recordAudit(trx, now, actor, {
          action: 'record.updated',
          entityType: 'bib_record',
          entityId: id,
          changes: { version: row.version + 1 },
        });
      });
      return toBibRecord(await loadRecord(db, id));
    },

    /** Deletes a record that has no items; its versions stay in the history. */
    async deleteRecord(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await loadRecord(trx, id);
        const items = await repo.countItemsOfRecord(trx, id);
        if (items > 0)
          fail('RECORD_HAS_ITEMS', `The record has ${items} item(s); delete or move them first`, { items });
        await unindexRecord(database, trx, Number(row.seq));
        await repo.deleteRecordRow(trx, id);
        await repo.noteRecordDeleted(trx);
        await repo.insertVersion(trx, {
          id: newId(now.getTime()),
          record_id: id,
          version: row.version + 1,
          at: now.toISOString(),
          ...actorColumns(actor),
          change: 'deleted',
          marc: row.marc,
        });
        await recordAudit(trx, now, actor, {
          action: 'record.deleted',
          entityType: 'bib_record',
          entityId: id,
          changes: { title: row.title },
        });
      });
    },

    /** A record's versions, newest first. */
    async history(id: string) {
      const versions = await repo.findVersions(db, id);
      if (versions.length === 0) fail('RECORD_NOT_FOUND', `No record has the id ${id}`, { recordId: id });
      return versions.map((v) => ({
        version: v.version,
        at: v.at,
        actorType: v.actor_type,
        actorId: v.actor_id,
        change: v.change,
      }));
    },

    /** Keyword search with facets; an empty query matches every record. */
    async search(input: {
      q: string;
      filters?: SearchFilters;
      sort?: SearchSort;
      limit?: number;
      offset?: number;
      facetLimit?: number;
    }) {
      const page = await searchRecords(database, db, {
        query: parseQuery(input.q),
        filters: input.filters ?? {},
        sort: input.sort ?? (input.q.trim() === '' ? 'title' : 'relevance'),
        limit: input.limit ?? 20,
        offset: input.offset ?? 0,
        facetLimit: input.facetLimit ?? 20,
      });
      const items = await repo.findItemsOfRecords(
        db,
        page.rows.map((r) => r.id),
      );
      return {
        total: page.total,
        hits: page.rows.map((row) => ({
          id: row.id,
          title: row.title,
          responsibility: row.responsibility,
          authors: JSON.parse(row.authors) as string[],
          year: row.pub_year,
          format: row.format as BibFormat,
          language: row.language,
          publisher: row.publisher,
          isbns: JSON.parse(row.isbns) as string[],
          score: row.score,
          availability: availabilityByBranch(items.filter((i) => i.record_id === row.id)),
        })),
        facets: page.facets,
      };
    },

    async listItemTypes() {
      return (await repo.findItemTypes(db)).map((r) => ({
        code: r.code,
        name: r.name,
        isCirculating: Boolean(r.is_circulating),
      }));
    },

    async createItemType(actor: Actor, input: { code: string; name: string; isCirculating: boolean }) {
      const now = clock.now();
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertItemType(trx, {
            code: input.code,
            name: input.name,
            is_circulating: input.isCirculating,
            created_at: now.toISOString(),
          });
          await recordAudit(trx, now, actor, {
            action: 'item_type.created',
            entityType: 'item_type',
            entityId: input.code,
            changes: input,
          });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          fail('ITEM_TYPE_EXISTS', `The item type ${input.code} exists already`, { code: input.code });
        throw error;
      }
      return input;
    },

    async listItems(recordId: string): Promise<Item[]> {
      await loadRecord(db, recordId);
      return (await repo.findItemsOfRecords(db, [recordId])).map(toItem);
    },

    async getItem(id: string): Promise<Item> {
      return toItem(await loadItem(db, id));
    },

    async findItemByBarcode(barcode: string): Promise<Item | undefined> {
      const row = await repo.findItemByBarcode(db, barcode.trim());
      return row ? toItem(row) : undefined;
    },

    /** Adds an item to a record. New items start "in processing" unless a status is given. */
    async addItem(actor: Actor, recordId: string, input: NewItem): Promise<Item> {
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        await loadRecord(trx, recordId);
        const item = itemRow(recordId, input, now, newId(now.getTime()));
        await insertItem(trx, item);
        await repo.refreshAvailability(trx, [recordId]);
        await recordAudit(trx, now, actor, {
          action: 'item.created',
          entityType: 'item',
          entityId: item.id,
          changes: { barcode: item.barcode, recordId },
        });
        return item;
      });
      return toItem(row);
    },

    /** Changes an item's shelving, call number, type, notes or status. */
    async updateItem(actor: Actor, id: string, changes: Partial<NewItem>): Promise<Item> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await loadItem(trx, id);
        const merged = { ...toItem(before), ...changes };
        const next = itemRow(before.record_id, merged, now, id);
        const patch: Partial<ItemRow> = { ...next, created_at: before.created_at };
        if (next.status === before.status) patch.status_changed_at = before.status_changed_at;
        try {
          await repo.updateItemRow(trx, id, patch);
        } catch (error) {
          throw translateItemError(error, next);
        }
        await repo.refreshAvailability(trx, [before.record_id]);
        await recordAudit(trx, now, actor, {
          action: 'item.updated',
          entityType: 'item',
          entityId: id,
          changes: { ...changes },
        });
      });
      return toItem(await loadItem(db, id));
    },

    async deleteItem(actor: Actor, id: string): Promise<void> {
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const before = await loadItem(trx, id);
        await repo.deleteItemRow(trx, id);
        await repo.refreshAvailability(trx, [before.record_id]);
        await recordAudit(trx, now, actor, {
          action: 'item.deleted',
          entityType: 'item',
          entityId: id,
          changes: { barcode: before.barcode },
        });
      });
    },

    /** Items of a branch (and location) in shelf order; page on with the last shelf key seen. */
    async shelfList(q: { branchId: string; location?: string; after?: string; limit?: number }) {
      const rows = await repo.findShelfList(db, {
        branchId: q.branchId,
        location: q.location,
        afterShelfKey: q.after,
        limit: q.limit ?? 100,
      });
      return rows.map((r) => ({
        ...toItem(r),
        shelfKey: r.shelf_key,
        title: r.title,
        author: r.main_author,
      }));
    },
  };
}

/** Builds an item row, filing the call number under its scheme; a price is 0 to MAX_AMOUNT_MINOR. */
export function itemRow(recordId: string, input: NewItem, at: Date, id: string): ItemRow {
  const price = input.priceMinor ?? null;
  if (price !== null && (!Number.isSafeInteger(price) || price < 0 || price > MAX_AMOUNT_MINOR))
    fail('INVALID_PRICE', `A price is a whole number of minor units from 0 to ${MAX_AMOUNT_MINOR}`, {
      field: 'priceMinor',
      priceMinor: price,
    });
  const callNumber = input.callNumber?.trim() || null;
  const scheme = input.callNumberScheme ?? guessScheme(callNumber);
  const volume = input.volume?.trim() || null;
  const copy = input.copyNumber?.trim() || null;
  return {
    id,
    record_id: recordId,
    barcode: input.barcode.trim(),
    branch_id: input.branchId,
    location: input.location?.trim() || null,
    call_number: callNumber,
    call_number_scheme: scheme,
    shelf_key: itemShelfKey(callNumber, scheme, volume, copy),
    item_type: input.itemType,
    copy_number: copy,
    volume,
    price_minor: price,
    public_note: input.publicNote ?? null,
    staff_note: input.staffNote ?? null,
    status: input.status ?? 'in_processing',
    status_changed_at: at.toISOString(),
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
  };
}

/** Inserts an item, turning constraint violations into errors a cataloger can act on. */
export async function insertItem(trx: Executor, row: ItemRow): Promise<void> {
  try {
    await repo.insertItemRow(trx, row);
  } catch (error) {
    throw translateItemError(error, row);
  }
}

function translateItemError(error: unknown, row: ItemRow): unknown {
  if (isUniqueViolation(error))
    return new AppError('ITEM_BARCODE_TAKEN', `Another item has the barcode ${row.barcode}`, {
      barcode: row.barcode,
    });
  if (isForeignKeyViolation(error)) {
    return new AppError(
      'ITEM_TYPE_NOT_FOUND',
      `Check the branch and item type: one of them does not exist (item type ${row.item_type})`,
      {
        branchId: row.branch_id,
        itemType: row.item_type,
      },
    );
  }
  return error;
}

/** Per branch: how many items, and how many on the shelf now. */
function availabilityByBranch(items: ItemRow[]) {
  const byBranch = new Map<string, { branchId: string; total: number; available: number }>();
  for (const item of items) {
    const entry = byBranch.get(item.branch_id) ?? { branchId: item.branch_id, total: 0, available: 0 };
    entry.total++;
    if (item.status === 'available') entry.available++;
    byBranch.set(item.branch_id, entry);
  }
  return [...byBranch.values()];
}

export type CatalogService = ReturnType<typeof createCatalogService>;
