import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  BarcodesRequest,
  BarcodesResponse,
  BibRecordResponse,
  CreateItemRequest,
  CreateItemTypeRequest,
  ExportJob,
  ExportQuery,
  Id,
  IdParams,
  Item,
  ItemType,
  LabelsQuery,
  MarcJson,
  ProcessingQueueEntry,
  PublicCopy,
  RecordFormatQuery,
  RecordVersion,
  ReleaseRequest,
  SearchQuery,
  SearchResponse,
  ShelfListEntry,
  ShelfListQuery,
  UpdateItemRequest,
  UpdateRecordRequest,
} from '@stacks/contract';
import type { App } from '../../app.ts';
import { AppError } from '../../kernel/app-error.ts';
import {
  fromMarcJson,
  type MarcRecord,
  toMarcJson,
  toMarcText,
  toMarcXml,
  writeIso2709,
} from '../../marc/index.ts';
import { EXPORT_FILE_TYPES, newExportReport, writeExport } from '../../modules/catalog/index.ts';
import { actorOf } from '../plugins/auth.ts';
import { AUTHED_ERRORS, errorResponses } from './responses.ts';

/** Media type and file name ending of an imported record's original, by its format. */
const ORIGINAL_FILE_TYPES = {
  iso2709: { contentType: 'application/marc', extension: 'mrc' },
  marcxml: { contentType: 'application/marcxml+xml; charset=utf-8', extension: 'xml' },
  'marc-json': { contentType: 'application/json; charset=utf-8', extension: 'json' },
} as const;

/**
 * The largest body a record's create or update takes, in bytes. A record holds at most 99,999 bytes
 * (what ISO 2709 can carry; larger ones are refused); its MARC-in-JSON is longer by the JSON around
 * each subfield and by escapes (six bytes for `\u00e9`), never ten times longer. Bounding the body
 * bounds the work one request can cost before the record is checked.
 */
export const MAX_RECORD_BODY_BYTES = 1024 * 1024;

/** MARC-in-JSON from a request, or a 400 naming what is wrong with it. */
function marcFromBody(value: unknown): MarcRecord {
  const { record, problems } = fromMarcJson(value);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!record || errors.length > 0) {
    throw new AppError('INVALID_MARC', errors[0]?.message ?? 'Not a MARC-in-JSON record', {
      problems: errors,
    });
  }
  return record;
}

/** The record format an `Accept` header asks for (MARCXML, ISO 2709, the text view), else JSON. */
export function formatFromAccept(accept: string | undefined): 'json' | 'marcxml' | 'iso2709' | 'text' {
  if (!accept) return 'json';
  if (/application\/marcxml\+xml|application\/xml|text\/xml/.test(accept)) return 'marcxml';
  if (/application\/marc(?![a-z+])/.test(accept)) return 'iso2709';
  if (/text\/plain/.test(accept) && !/application\/json/.test(accept)) return 'text';
  return 'json';
}

/** Bibliographic records, items, item types, search and shelf lists. */
export function catalogRoutes(app: App): FastifyPluginAsyncTypebox {
  const { catalog } = app.services;
  const edit = { access: { permission: 'catalog.edit' as const } };
  const session = { access: 'authenticated' as const };
  const tags = ['catalog'];

  const recordResponse = async (id: string) => {
    const record = await catalog.getRecord(id);
    return { ...record, marc: toMarcJson(record.marc) };
  };

  return async (fastify) => {
    fastify.get(
      '/api/catalog/search',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary:
            'Search the catalog with facets; an empty query matches every record (anonymous use allowed for the public catalog)',
          querystring: SearchQuery,
          response: { 200: SearchResponse, ...errorResponses(400) },
        },
      },
      async (request) => {
        const { q, sort, limit, offset, format, language, decade, branch, subject, available } =
          request.query;
        return catalog.search({
          q: q ?? '',
          filters: {
            format,
            language,
            decade,
            branch,
            subject,
            ...(available === undefined ? {} : { available }),
          },
          ...(sort ? { sort } : {}),
          limit: limit ?? 20,
          offset: offset ?? 0,
        });
      },
    );

    fastify.get(
      '/api/catalog/records/:id',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary:
            'One record: JSON with its summary and MARC-in-JSON, or MARCXML, ISO 2709 or the text view by ?format=marcxml|iso2709|text or by Accept (application/marcxml+xml, application/marc, text/plain)',
          params: IdParams,
          querystring: RecordFormatQuery,
          response: { 200: BibRecordResponse, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const format = request.query.format ?? formatFromAccept(request.headers.accept);
        if (format === 'json') return recordResponse(request.params.id);
        const { marc } = await catalog.getRecord(request.params.id);
        // The response schema describes the JSON form; the other formats are sent as they are.
        if (format === 'marcxml')
          return reply.type('application/marcxml+xml; charset=utf-8').send(toMarcXml(marc) as never);
        if (format === 'text') return reply.type('text/plain; charset=utf-8').send(toMarcText(marc) as never);
        return reply.type('application/marc').send(Buffer.from(writeIso2709(marc)) as never);
      },
    );

    fastify.post(
      '/api/catalog/records',
      {
        config: edit,
        bodyLimit: MAX_RECORD_BODY_BYTES,
        schema: {
          tags,
          summary: 'Add a record (MARC-in-JSON)',
          body: MarcJson,
          response: { 201: BibRecordResponse, ...AUTHED_ERRORS },
        },
      },
      async (request, reply) => {
        const record = await catalog.createRecord(actorOf(request), marcFromBody(request.body));
        return reply.status(201).send(await recordResponse(record.id));
      },
    );

    fastify.put(
      '/api/catalog/records/:id',
      {
        config: edit,
        bodyLimit: MAX_RECORD_BODY_BYTES,
        schema: {
          tags,
          summary:
            'Replace a record’s MARC; with expectedVersion, refused (409) when someone else saved it first',
          params: IdParams,
          body: UpdateRecordRequest,
          response: { 200: BibRecordResponse, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        await catalog.updateRecord(
          actorOf(request),
          request.params.id,
          marcFromBody(request.body.marc),
          request.body.expectedVersion,
        );
        return recordResponse(request.params.id);
      },
    );

    fastify.delete(
      '/api/catalog/records/:id',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Delete a record that has no items',
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) => {
        await catalog.deleteRecord(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/catalog/records/:id/history',
      {
        config: session,
        schema: {
          tags,
          summary: 'A record’s versions, newest first',
          params: IdParams,
          response: { 200: Type.Array(RecordVersion), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => catalog.history(request.params.id),
    );

    fastify.get(
      '/api/catalog/records/:id/source',
      {
        config: session,
        schema: {
          tags,
          summary:
            'The original a record was last imported from, byte for byte, as a download: an ISO 2709 record, a MARCXML <record> element or a MARC-in-JSON object',
          params: IdParams,
          response: {
            200: { type: 'string', format: 'binary', description: 'the original bytes' },
            ...AUTHED_ERRORS,
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const source = await app.services.catalogImport.recordSource(request.params.id);
        const { contentType, extension } = ORIGINAL_FILE_TYPES[source.format];
        return (
          reply
            .type(contentType)
            .header('content-disposition', `attachment; filename="${source.recordId}.original.${extension}"`)
            // The bytes are whatever the file held: never let a browser render or run them here.
            .header('content-security-policy', "default-src 'none'; sandbox; frame-ancestors 'none'")
            .send(Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength))
        );
      },
    );

    fastify.get(
      '/api/catalog/records/:id/items',
      {
        config: session,
        schema: {
          tags,
          summary: 'A record’s items in shelf order',
          params: IdParams,
          response: { 200: Type.Array(Item), ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => catalog.listItems(request.params.id),
    );

    fastify.get(
      '/api/catalog/records/:id/copies',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary:
            'A record’s copies for the public catalog: branch, location, call number, status (withdrawn copies left out)',
          params: IdParams,
          response: { 200: Type.Array(PublicCopy), ...errorResponses(400, 404) },
        },
      },
      async (request) =>
        (await catalog.listItems(request.params.id))
          .filter((item) => item.status !== 'withdrawn')
          .map((item) => ({
            id: item.id,
            recordId: item.recordId,
            branchId: item.branchId,
            location: item.location,
            callNumber: item.callNumber,
            itemType: item.itemType,
            copyNumber: item.copyNumber,
            volume: item.volume,
            publicNote: item.publicNote,
            status: item.status,
          })),
    );

    fastify.post(
      '/api/catalog/records/:id/items',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Add an item; it starts "in processing" unless a status is given',
          params: IdParams,
          body: CreateItemRequest,
          response: { 201: Item, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await catalog.addItem(actorOf(request), request.params.id, request.body)),
    );

    fastify.get(
      '/api/catalog/items',
      {
        config: session,
        schema: {
          tags,
          summary: 'Find an item by barcode',
          querystring: Type.Object(
            { barcode: Type.String({ minLength: 1, maxLength: 64 }) },
            { additionalProperties: false },
          ),
          response: { 200: Item, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => {
        const item = await catalog.findItemByBarcode(request.query.barcode);
        if (!item) throw new AppError('ITEM_NOT_FOUND', `No item has the barcode ${request.query.barcode}`);
        return item;
      },
    );

    fastify.get(
      '/api/catalog/items/:id',
      {
        config: session,
        schema: {
          tags,
          summary: 'One item',
          params: IdParams,
          response: { 200: Item, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => catalog.getItem(request.params.id),
    );

    fastify.patch(
      '/api/catalog/items/:id',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Change an item',
          params: IdParams,
          body: UpdateItemRequest,
          response: { 200: Item, ...AUTHED_ERRORS, ...errorResponses(404, 409) },
        },
      },
      async (request) => catalog.updateItem(actorOf(request), request.params.id, request.body),
    );

    fastify.delete(
      '/api/catalog/items/:id',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Delete an item',
          params: IdParams,
          response: { 204: { type: 'null' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await catalog.deleteItem(actorOf(request), request.params.id);
        return reply.status(204).send();
      },
    );

    fastify.get(
      '/api/catalog/item-types',
      {
        config: session,
        schema: {
          tags,
          summary: 'List item types',
          response: { 200: Type.Array(ItemType), ...AUTHED_ERRORS },
        },
      },
      async () => catalog.listItemTypes(),
    );

    fastify.post(
      '/api/catalog/item-types',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Add an item type',
          body: CreateItemTypeRequest,
          response: { 201: ItemType, ...AUTHED_ERRORS, ...errorResponses(409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await catalog.createItemType(actorOf(request), request.body)),
    );

    fastify.get(
      '/api/catalog/shelf-list',
      {
        config: session,
        schema: {
          tags,
          summary: 'Items of a branch (and shelving location) in shelf order',
          querystring: ShelfListQuery,
          response: { 200: Type.Array(ShelfListEntry), ...AUTHED_ERRORS },
        },
      },
      async (request) => catalog.shelfList(request.query),
    );

    fastify.post(
      '/api/catalog/barcodes',
      {
        config: edit,
        schema: {
          tags,
          summary:
            'New item barcodes (14-digit library barcodes with a Mod 10 check digit), never one an item has',
          body: BarcodesRequest,
          response: { 200: BarcodesResponse, ...AUTHED_ERRORS },
        },
      },
      async (request) => ({ barcodes: await app.services.processing.nextItemBarcodes(request.body.count) }),
    );

    fastify.get(
      '/api/catalog/processing',
      {
        config: session,
        schema: {
          tags,
          summary: 'Items still in processing, oldest first',
          querystring: Type.Object({ branchId: Type.Optional(Id) }, { additionalProperties: false }),
          response: { 200: Type.Array(ProcessingQueueEntry), ...AUTHED_ERRORS },
        },
      },
      async (request) => app.services.processing.queue(request.query.branchId),
    );

    fastify.post(
      '/api/catalog/processing/release',
      {
        config: edit,
        schema: {
          tags,
          summary: 'Release processed items to the shelf (in processing → available)',
          body: ReleaseRequest,
          response: { 200: Type.Object({ released: Type.Integer() }), ...AUTHED_ERRORS },
        },
      },
      async (request) => ({
        released: await app.services.processing.release(actorOf(request), request.body.itemIds),
      }),
    );

    fastify.get(
      '/api/catalog/export',
      {
        config: edit,
        schema: {
          tags,
          summary:
            'Export records with their items (as 952 fields) as a file to download: every record, or those a search finds (?q=); streamed. Values a format cannot carry are repaired as the export job report describes, but this stream has no report: use POST /api/catalog/exports for one. A failure mid-stream cuts the connection (never a clean end)',
          querystring: ExportQuery,
          response: { 200: { type: 'string', format: 'binary' }, ...AUTHED_ERRORS },
        },
      },
      async (request, reply) => {
        const { format, q } = request.query;
        const { contentType, extension } = EXPORT_FILE_TYPES[format];
        const date = app.clock.now().toISOString().slice(0, 10);
        const entries = app.services.catalogExport.exportRecords(q?.trim() ?? '');
        const report = newExportReport(format);
        // A record never stops the stream (the writers repair or skip it, see writeExport); a failure of
        // the database does: it is logged here (with the request id) and the connection is cut, so the
        // client sees a failed download, never a truncated file passed off as complete.
        async function* logged() {
          try {
            yield* writeExport(entries, format, report);
          } catch (error) {
            request.log.error(
              { err: error, format, recordsWritten: report.written },
              'catalog export failed mid-stream',
            );
            throw error;
          }
          if (report.repaired > 0 || report.skipped > 0)
            request.log.warn(
              { format, written: report.written, repaired: report.repaired, skipped: report.skipped },
              'catalog export wrote repaired records or left some out',
            );
        }
        return reply
          .type(contentType)
          .header('content-disposition', `attachment; filename="catalog-${date}.${extension}"`)
          .send(Readable.from(logged()) as never);
      },
    );

    fastify.post(
      '/api/catalog/exports',
      {
        config: edit,
        schema: {
          tags,
          summary:
            'Start an export job (every record, or those a search finds); answers at once: follow it with GET, then download its file. The report lists every repair and skipped record',
          body: ExportQuery,
          response: { 202: ExportJob, ...AUTHED_ERRORS, ...errorResponses(422) },
        },
      },
      async (request, reply) =>
        reply.status(202).send(
          await app.services.catalogExportJobs.start(actorOf(request), {
            format: request.body.format,
            ...(request.body.q === undefined ? {} : { q: request.body.q }),
          }),
        ),
    );

    fastify.get(
      '/api/catalog/exports/:id',
      {
        config: edit,
        schema: {
          tags,
          summary: 'How far an export job is, and its report when done',
          params: IdParams,
          response: { 200: ExportJob, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request) => app.services.catalogExportJobs.get(request.params.id),
    );

    fastify.get(
      '/api/catalog/exports/:id/file',
      {
        config: edit,
        schema: {
          tags,
          summary: 'The file of a finished export job (kept for 24 hours)',
          params: IdParams,
          response: {
            200: { type: 'string', format: 'binary' },
            ...AUTHED_ERRORS,
            ...errorResponses(404, 422),
          },
        },
      },
      async (request, reply) => {
        const file = await app.services.catalogExportJobs.file(request.params.id);
        return reply
          .type(file.contentType)
          .header('content-disposition', `attachment; filename="${file.fileName}"`)
          .header('content-length', file.sizeBytes)
          .send(createReadStream(file.path) as never);
      },
    );

    fastify.get(
      '/api/catalog/labels',
      {
        config: session,
        schema: {
          tags,
          summary: 'Barcode or spine labels as a PDF to print (Avery 5160 30-up, Demco spine sheet)',
          querystring: LabelsQuery,
          response: { 200: { type: 'string', format: 'binary' }, ...AUTHED_ERRORS, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { kind, item, skip } = request.query;
        const pdf =
          kind === 'spine'
            ? await app.services.processing.spineLabels(item, skip ?? 0)
            : await app.services.processing.barcodeLabels(item, skip ?? 0);
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${kind}-labels.pdf"`)
          .send(pdf as never);
      },
    );
  };
}
