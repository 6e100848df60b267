import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, Nullable, Text } from './common.ts';
import { MoneyMinor } from './money.ts';

const StringList = (description: string) =>
  Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50, description }));

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 1000,
        description:
          'keywords; fields title: author: subject: series: isbn: issn: lccn: oclc:; "phrases"; AND OR NOT; prefix*',
      }),
    ),
    format: StringList('material types, e.g. book, video'),
    language: StringList('MARC language codes, e.g. eng'),
    decade: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 2990 }), { maxItems: 50 })),
    branch: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    subject: StringList('subject headings'),
    available: Type.Optional(Type.Boolean({ description: 'only records with an item on the shelf' })),
    sort: Type.Optional(
      Type.Union([
        Type.Literal('relevance'),
        Type.Literal('title'),
        Type.Literal('author'),
        Type.Literal('date'),
        Type.Literal('date_asc'),
      ]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, default: 0 })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

const FacetCounts = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));

export const SearchHit = Type.Object({
  id: Id,
  title: Type.String(),
  responsibility: Nullable(Type.String()),
  authors: Type.Array(Type.String()),
  year: Nullable(Type.Integer()),
  format: Type.String(),
  language: Nullable(Type.String()),
  publisher: Nullable(Type.String()),
  isbns: Type.Array(Type.String()),
  score: Type.Number(),
  availability: Type.Array(Type.Object({ branchId: Id, total: Type.Integer(), available: Type.Integer() })),
});

export const SearchResponse = Type.Object({
  total: Type.Integer(),
  hits: Type.Array(SearchHit),
  facets: Type.Object({
    format: FacetCounts,
    language: FacetCounts,
    decade: FacetCounts,
    branch: FacetCounts,
    subject: FacetCounts,
    availability: FacetCounts,
  }),
});
export type SearchResponse = Static<typeof SearchResponse>;

/** MARC-in-JSON (code4lib): `{ leader, fields: [{ "001": "…" }, { "245": { ind1, ind2, subfields: [{ a: "…" }] } }] }`. */
export const MarcJson = Type.Object(
  {
    leader: Type.String({ minLength: 24, maxLength: 24 }),
    fields: Type.Array(Type.Record(Type.String({ pattern: '^[0-9A-Za-z]{3}$' }), Type.Unknown()), {
      maxItems: 10000,
    }),
  },
  { description: 'MARC-in-JSON' },
);

export const BibSummary = Type.Object({
  controlNumber: Nullable(Type.String()),
  title: Type.String(),
  responsibility: Nullable(Type.String()),
  authors: Type.Array(Type.String()),
  subjects: Type.Array(Type.String()),
  series: Type.Array(Type.String()),
  isbns: Type.Array(Type.String()),
  issns: Type.Array(Type.String()),
  lccn: Nullable(Type.String()),
  oclcNumbers: Type.Array(Type.String()),
  publisher: Nullable(Type.String()),
  year: Nullable(Type.Integer()),
  language: Nullable(Type.String()),
  format: Type.String(),
  edition: Nullable(Type.String()),
  notes: Type.Array(Type.String()),
  lcCallNumber: Nullable(Type.String()),
  deweyCallNumber: Nullable(Type.String()),
});

export const BibRecordResponse = Type.Object({
  id: Id,
  version: Type.Integer(),
  summary: BibSummary,
  marc: MarcJson,
  createdAt: Instant,
  updatedAt: Instant,
});

export const RecordFormatQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([
        Type.Literal('json'),
        Type.Literal('marcxml'),
        Type.Literal('iso2709'),
        Type.Literal('text'),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const UpdateRecordRequest = Type.Object(
  { marc: MarcJson, expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

export const ItemStatus = Type.Union([
  Type.Literal('in_processing'),
  Type.Literal('available'),
  Type.Literal('checked_out'),
  Type.Literal('in_transit'),
  Type.Literal('on_hold_shelf'),
  Type.Literal('missing'),
  Type.Literal('lost'),
  Type.Literal('damaged'),
  Type.Literal('withdrawn'),
]);

const CallNumberScheme = Type.Union([Type.Literal('lc'), Type.Literal('dewey'), Type.Literal('local')]);

export const Item = Type.Object({
  id: Id,
  recordId: Id,
  barcode: Type.String(),
  branchId: Id,
  location: Nullable(Type.String()),
  callNumber: Nullable(Type.String()),
  callNumberScheme: CallNumberScheme,
  itemType: Type.String(),
  copyNumber: Nullable(Type.String()),
  volume: Nullable(Type.String()),
  priceMinor: Nullable(Type.Integer()),
  publicNote: Nullable(Type.String()),
  staffNote: Nullable(Type.String()),
  status: ItemStatus,
  statusChangedAt: Instant,
  createdAt: Instant,
  updatedAt: Instant,
});

/** A copy as the public catalog shows it: where it is and whether it is on the shelf, no staff fields. */
export const PublicCopy = Type.Pick(Item, [
  'id',
  'recordId',
  'branchId',
  'location',
  'callNumber',
  'itemType',
  'copyNumber',
  'volume',
  'publicNote',
  'status',
]);

const ItemFields = {
  branchId: Id,
  location: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  callNumber: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  callNumberScheme: Type.Optional(CallNumberScheme),
  itemType: Text(32),
  copyNumber: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  volume: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  priceMinor: Type.Optional(Nullable(MoneyMinor({ description: 'replacement price, minor units' }))),
  publicNote: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  staffNote: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  status: Type.Optional(ItemStatus),
};

export const CreateItemRequest = Type.Object(
  { barcode: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$' }), ...ItemFields },
  { additionalProperties: false },
);

export const UpdateItemRequest = Type.Partial(
  Type.Object({ barcode: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$' }), ...ItemFields }),
  {
    additionalProperties: false,
    minProperties: 1,
  },
);

export const ItemType = Type.Object({
  code: Type.String(),
  name: Type.String(),
  isCirculating: Type.Boolean(),
});

export const CreateItemTypeRequest = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Z0-9_-]+$' }),
    name: Text(100),
    isCirculating: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const ShelfListQuery = Type.Object(
  {
    branchId: Id,
    location: Type.Optional(Type.String({ maxLength: 100 })),
    after: Type.Optional(Type.String({ maxLength: 500, description: 'the shelfKey of the last item seen' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export const ShelfListEntry = Type.Intersect([
  Item,
  Type.Object({ shelfKey: Type.String(), title: Type.String(), author: Nullable(Type.String()) }),
]);

export const RecordVersion = Type.Object({
  version: Type.Integer(),
  at: Instant,
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  change: Type.String(),
});

export const ImportUploadQuery = Type.Object(
  {
    fileName: Type.Optional(
      Type.String({ maxLength: 255, description: 'the uploaded file’s name, for the report' }),
    ),
    onDuplicate: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('overlay'), Type.Literal('add')], { default: 'skip' }),
    ),
    match: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'comma-separated match points: oclc,system,lccn,isbn,issn,control',
      }),
    ),
    branch: Type.Optional(
      Type.String({ maxLength: 32, description: 'branch code for items that name none or an unknown one' }),
    ),
    itemType: Type.Optional(
      Type.String({ maxLength: 32, description: 'item type for items that name none' }),
    ),
  },
  { additionalProperties: false },
);

const ImportProblem = Type.Object({
  recordIndex: Type.Integer({ description: 'position of the record in the file, from 0' }),
  byteOffset: Type.Integer({ description: 'byte offset of the problem itself in the file' }),
  recordOffset: Type.Integer({ description: 'byte offset of the record’s first byte in the file' }),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  code: Nullable(
    Type.String({
      description: 'the reader’s code for the problem (e.g. INVALID_MARC8); null for the import’s own',
    }),
  ),
  tag: Nullable(Type.String({ description: 'the field the problem is in; null for the whole record' })),
  message: Type.String(),
});

export const ImportJob = Type.Object({
  id: Id,
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
    Type.Literal('interrupted'),
  ]),
  fileName: Type.String(),
  format: Nullable(Type.String()),
  sizeBytes: Type.Integer(),
  bytesDone: Type.Integer(),
  recordsRead: Type.Integer(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  report: Nullable(
    Type.Object({
      read: Type.Integer(),
      created: Type.Integer(),
      overlaid: Type.Integer(),
      skipped: Type.Integer(),
      failed: Type.Integer(),
      itemsCreated: Type.Integer(),
      itemsExisting: Type.Integer(),
      itemsFailed: Type.Integer(),
      problems: Type.Array(ImportProblem),
      problemsOmitted: Type.Integer(),
    }),
  ),
  error: Nullable(Type.String()),
  createdAt: Instant,
  finishedAt: Nullable(Instant),
});

export const BarcodesRequest = Type.Object(
  { count: Type.Integer({ minimum: 1, maximum: 500 }) },
  { additionalProperties: false },
);
export const BarcodesResponse = Type.Object({ barcodes: Type.Array(Type.String()) });

export const ProcessingQueueEntry = Type.Object({
  itemId: Id,
  barcode: Type.String(),
  branchId: Id,
  callNumber: Nullable(Type.String()),
  recordId: Id,
  title: Type.String(),
  since: Instant,
});

export const ReleaseRequest = Type.Object(
  { itemIds: Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true }) },
  { additionalProperties: false },
);

export const ExportQuery = Type.Object(
  {
    format: Type.Union([Type.Literal('iso2709'), Type.Literal('marcxml'), Type.Literal('json')], {
      description: 'ISO 2709 (.mrc), a MARCXML collection (.xml) or a MARC-in-JSON array (.json)',
    }),
    q: Type.Optional(
      Type.String({
        maxLength: 1000,
        description:
          'a catalog search (the same language as /api/catalog/search); empty or absent: every record',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const ExportProblem = Type.Object({
  recordIndex: Type.Integer({ description: '0-based position of the record in the export' }),
  recordId: Type.String(),
  controlNumber: Nullable(Type.String({ description: 'the record’s 001' })),
  tag: Nullable(Type.String({ description: 'the field’s tag as the catalog holds it' })),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')], {
    description: 'error: data was left out or cut; warning: written in a repaired form, nothing lost',
  }),
  code: Type.String({
    description: 'e.g. TAG_INVALID, SUBFIELD_CODE_INVALID, FIELD_TOO_LONG, RECORD_SKIPPED',
  }),
  message: Type.String(),
});

export const ExportReport = Type.Object({
  format: ExportQuery.properties.format,
  records: Type.Integer({ description: 'records read from the catalog' }),
  written: Type.Integer({ description: 'records in the file' }),
  repaired: Type.Integer({ description: 'records in the file with at least one repair' }),
  skipped: Type.Integer({ description: 'records left out of the file' }),
  problems: Type.Array(ExportProblem),
  problemsOmitted: Type.Integer(),
});

export const ExportJob = Type.Object({
  id: Id,
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
    Type.Literal('interrupted'),
    Type.Literal('expired'),
  ]),
  format: ExportQuery.properties.format,
  query: Type.String(),
  recordsTotal: Type.Integer(),
  recordsDone: Type.Integer(),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  report: Nullable(ExportReport),
  error: Nullable(Type.String()),
  sizeBytes: Nullable(Type.Integer()),
  fileName: Type.String(),
  createdAt: Instant,
  finishedAt: Nullable(Instant),
});

export const LabelsQuery = Type.Object(
  {
    kind: Type.Union([Type.Literal('barcode'), Type.Literal('spine')], {
      description: 'barcode labels (30-up sheet) or spine labels',
    }),
    item: Type.Array(Id, { minItems: 1, maxItems: 1000, description: 'item ids, repeated: ?item=…&item=…' }),
    skip: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 999,
        default: 0,
        description: 'label positions already used on the first sheet',
      }),
    ),
  },
  { additionalProperties: false },
);
