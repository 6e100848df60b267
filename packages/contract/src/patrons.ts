import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, LocalDate, Nullable, Text } from './common.ts';
import { IdempotencyKey } from './fines.ts';
import { MAX_BALANCE_MINOR, MoneyMinor } from './money.ts';

// ---------------------------------------------------------------- categories

const CategoryCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'short code, e.g. ADULT',
});

/** A patron category: loan limit, fine limit, enrolment period and age range. */
export const PatronCategory = Type.Object({
  code: Type.String(),
  name: Type.String(),
  loanLimit: Type.Integer({ description: 'items a patron may have out at once' }),
  fineLimitMinor: Nullable(
    Type.Integer({ description: 'borrowing stops above this unpaid balance (minor units); null: no limit' }),
  ),
  enrolmentMonths: Type.Integer(),
  ageMin: Nullable(Type.Integer()),
  ageMax: Nullable(Type.Integer({ description: 'below 18: patrons are minors and need a guarantor' })),
  createdAt: Instant,
  updatedAt: Instant,
});
export type PatronCategory = Static<typeof PatronCategory>;

const Age = Type.Integer({ minimum: 0, maximum: 150 });
/** A category's fine limit: an unpaid balance, so up to MAX_BALANCE_MINOR. */
const FineLimitMinor = Type.Integer({ minimum: 0, maximum: MAX_BALANCE_MINOR });

export const CreatePatronCategoryRequest = Type.Object(
  {
    code: CategoryCode,
    name: Text(200),
    loanLimit: Type.Integer({ minimum: 0 }),
    fineLimitMinor: Type.Optional(Nullable(FineLimitMinor)),
    enrolmentMonths: Type.Integer({ minimum: 1, maximum: 120 }),
    ageMin: Type.Optional(Nullable(Age)),
    ageMax: Type.Optional(Nullable(Age)),
  },
  { additionalProperties: false },
);
export type CreatePatronCategoryRequest = Static<typeof CreatePatronCategoryRequest>;

export const UpdatePatronCategoryRequest = Type.Object(
  {
    name: Type.Optional(Text(200)),
    loanLimit: Type.Optional(Type.Integer({ minimum: 0 })),
    fineLimitMinor: Type.Optional(Nullable(FineLimitMinor)),
    enrolmentMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    ageMin: Type.Optional(Nullable(Age)),
    ageMax: Type.Optional(Nullable(Age)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePatronCategoryRequest = Static<typeof UpdatePatronCategoryRequest>;

export const CategoryCodeParams = Type.Object({ code: CategoryCode });

// ---------------------------------------------------------------- patrons

const NoticeChannel = Type.Union([Type.Literal('email'), Type.Literal('print')]);
const PatronStatus = Type.Union([Type.Literal('active'), Type.Literal('merged'), Type.Literal('deleted')]);
const CardBarcode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'library card barcode',
});
const Pin = Type.String({
  minLength: 4,
  maxLength: 64,
  description: '4 to 64 characters, digits or a passphrase; trivial PINs such as 0000 or 1234 are refused',
});
const Language = Type.String({ minLength: 2, maxLength: 12, description: 'language code, e.g. en, es' });

/** A patron record as staff see it (the PIN never leaves the server; `hasPin` says whether one is set). */
export const Patron = Type.Object({
  id: Id,
  cardBarcode: Type.String({ description: 'the current library card' }),
  firstName: Type.String(),
  lastName: Type.String(),
  birthDate: Nullable(LocalDate),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  categoryCode: Type.String(),
  homeBranchId: Id,
  expiresOn: LocalDate,
  notes: Nullable(Type.String()),
  guarantorId: Nullable(Id),
  noticeChannel: NoticeChannel,
  language: Type.String(),
  keepHistory: Type.Boolean({ description: 'keep circulation history instead of anonymising it' }),
  hasPin: Type.Boolean(),
  status: PatronStatus,
  mergedIntoId: Nullable(Id),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Patron = Static<typeof Patron>;

const PatronFields = {
  firstName: Text(100),
  lastName: Text(100),
  birthDate: Type.Optional(Nullable(LocalDate)),
  email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  categoryCode: CategoryCode,
  homeBranchId: Id,
  expiresOn: Type.Optional(Nullable(LocalDate)),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  guarantorId: Type.Optional(Nullable(Id)),
  noticeChannel: Type.Optional(NoticeChannel),
  language: Type.Optional(Language),
  keepHistory: Type.Optional(Type.Boolean()),
  allowDuplicate: Type.Optional(
    Type.Boolean({
      description: 'save even though an active patron looks the same (PATRON_POSSIBLE_DUPLICATE)',
    }),
  ),
};

export const CreatePatronRequest = Type.Object(
  {
    ...PatronFields,
    cardBarcode: Type.Optional(Nullable(CardBarcode)),
    pin: Type.Optional(Nullable(Pin)),
  },
  { additionalProperties: false },
);
export type CreatePatronRequest = Static<typeof CreatePatronRequest>;

export const UpdatePatronRequest = Type.Partial(Type.Object(PatronFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdatePatronRequest = Static<typeof UpdatePatronRequest>;

export const PatronSearchQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'name words (any order), card barcode, e-mail or phone' }),
    ),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    status: Type.Optional(
      Type.Union(
        [Type.Literal('active'), Type.Literal('merged'), Type.Literal('deleted'), Type.Literal('all')],
        {
          description: 'default active',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PatronSearchQuery = Static<typeof PatronSearchQuery>;

export const PatronSearchResponse = Type.Object({
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  patrons: Type.Array(Patron),
});

export const DuplicateCheckRequest = Type.Object(
  {
    firstName: Text(100),
    lastName: Text(100),
    birthDate: Type.Optional(Nullable(LocalDate)),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    excludeId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const DuplicateCandidate = Type.Object({
  id: Id,
  name: Type.String(),
  cardBarcode: Type.String(),
  birthDate: Nullable(LocalDate),
  email: Nullable(Type.String()),
});

export const DuplicateCheckResponse = Type.Object({ candidates: Type.Array(DuplicateCandidate) });

export const CardBarcodeParams = Type.Object({ barcode: Type.String({ minLength: 1, maxLength: 64 }) });

/** A membership renewal; the key may come as the `Idempotency-Key` header instead. */
export const RenewMembershipRequest = Type.Object(
  { idempotencyKey: Type.Optional(IdempotencyKey) },
  { additionalProperties: false },
);
export type RenewMembershipRequest = Static<typeof RenewMembershipRequest>;

export const SetPinRequest = Type.Object(
  { pin: Nullable(Pin) },
  { additionalProperties: false, description: 'null clears the PIN' },
);

// ---------------------------------------------------------------- blocks and cards

export const PatronBlock = Type.Object({
  id: Id,
  patronId: Id,
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: Instant,
  liftedAt: Nullable(Instant),
  liftedBy: Nullable(Type.String()),
});

export const CreateBlockRequest = Type.Object({ reason: Text(500) }, { additionalProperties: false });

export const BlockListQuery = Type.Object(
  { includeLifted: Type.Optional(Type.Boolean({ description: 'default true' })) },
  { additionalProperties: false },
);

export const BlockParams = Type.Object({ id: Id, blockId: Id });

export const PatronCard = Type.Object({
  id: Id,
  barcode: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('replaced')]),
  issuedAt: Instant,
  replacedAt: Nullable(Instant),
  replaceReason: Nullable(Type.String()),
});

export const ReplaceCardRequest = Type.Object(
  {
    cardBarcode: Type.Optional(Nullable(CardBarcode)),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'e.g. lost, damaged' }))),
    feeMinor: Type.Optional(MoneyMinor({ description: 'replacement fee to charge (minor units)' })),
  },
  { additionalProperties: false },
);

export const ReplaceCardResponse = Type.Object({ patron: Patron, card: PatronCard });

export const MergePatronsRequest = Type.Object(
  { keepId: Id, mergeId: Id },
  { additionalProperties: false, description: 'mergeId is merged into keepId' },
);

/** Everything about one patron (privacy export): record, cards, blocks, and other modules' parts by key. */
export const PatronDataExport = Type.Object(
  {
    exportedAt: Instant,
    patron: Patron,
    cards: Type.Array(PatronCard),
    blocks: Type.Array(PatronBlock),
  },
  { additionalProperties: true },
);

// ---------------------------------------------------------------- CSV import

export const PatronImportQuery = Type.Object(
  {
    onExisting: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('update')], {
        description: 'a row whose card barcode a patron has: skip it (default) or update that patron',
      }),
    ),
    dryRun: Type.Optional(Type.Boolean({ description: 'check every row, write nothing' })),
  },
  { additionalProperties: false },
);

const ImportProblem = Type.Object({
  row: Type.Integer({ description: 'spreadsheet row: the header is row 1' }),
  line: Type.Integer(),
  column: Nullable(Type.String()),
  code: Type.String(),
  message: Type.String(),
});

export const PatronImportReport = Type.Object({
  dryRun: Type.Boolean(),
  rows: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  errors: Type.Array(ImportProblem),
  warnings: Type.Array(ImportProblem),
});
export type PatronImportReport = Static<typeof PatronImportReport>;

// ---------------------------------------------------------------- public catalog sign-in

export const PatronLoginRequest = Type.Object(
  {
    cardBarcode: Type.String({ minLength: 1, maxLength: 64 }),
    pin: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type PatronLoginRequest = Static<typeof PatronLoginRequest>;

/** The signed-in patron's own record and cards, as the public catalog shows them. */
export const PatronMe = Type.Object({
  patron: Type.Omit(Patron, ['notes'], { description: 'staff notes are not shown to the patron' }),
  cards: Type.Array(PatronCard),
  sessionExpiresAt: Type.Optional(Instant),
});
export type PatronMe = Static<typeof PatronMe>;
