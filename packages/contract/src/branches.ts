import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, LocalDate, LocalTime, Nullable, Text } from './common.ts';

export const OpeningPeriod = Type.Object(
  {
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    opens: LocalTime,
    closes: LocalTime,
  },
  { additionalProperties: false },
);
export type OpeningPeriod = Static<typeof OpeningPeriod>;

export const Library = Type.Object({ id: Id, code: Type.String(), name: Type.String() });

export const CreateLibraryRequest = Type.Object(
  { code: Text(32), name: Text(200) },
  { additionalProperties: false },
);

export const Branch = Type.Object({
  id: Id,
  libraryId: Id,
  code: Type.String(),
  name: Type.String(),
  timeZone: Type.String({ description: 'IANA time zone, e.g. America/Chicago' }),
  address: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  openingHours: Type.Array(OpeningPeriod),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Branch = Static<typeof Branch>;

const BranchCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'short code, e.g. MAIN',
});

export const CreateBranchRequest = Type.Object(
  {
    libraryId: Type.Optional(Id),
    code: BranchCode,
    name: Text(200),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    openingHours: Type.Optional(Type.Array(OpeningPeriod, { maxItems: 70 })),
  },
  { additionalProperties: false },
);
export type CreateBranchRequest = Static<typeof CreateBranchRequest>;

export const UpdateBranchRequest = Type.Object(
  {
    code: Type.Optional(BranchCode),
    name: Type.Optional(Text(200)),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const OpeningHoursRequest = Type.Object(
  { openingHours: Type.Array(OpeningPeriod, { maxItems: 70 }) },
  { additionalProperties: false },
);

export const ClosedDay = Type.Object({
  id: Id,
  branchId: Nullable(Id),
  date: LocalDate,
  reason: Type.String(),
});

export const CreateClosedDayRequest = Type.Object(
  {
    branchId: Nullable(Id),
    date: LocalDate,
    reason: Text(200),
  },
  { additionalProperties: false },
);

export const ClosedDaysQuery = Type.Object(
  {
    branchId: Type.Optional(Id),
    from: Type.Optional(LocalDate),
    to: Type.Optional(LocalDate),
  },
  { additionalProperties: false },
);

export const CalendarQuery = Type.Object(
  { from: Type.Optional(LocalDate), to: Type.Optional(LocalDate) },
  { additionalProperties: false },
);

export const CalendarDay = Type.Object({
  date: LocalDate,
  weekday: Type.Integer(),
  isOpen: Type.Boolean(),
  periods: Type.Array(Type.Object({ opens: LocalTime, closes: LocalTime })),
  closedReason: Nullable(Type.String()),
});

export const CalendarResponse = Type.Object({
  branchId: Id,
  timeZone: Type.String(),
  days: Type.Array(CalendarDay),
});
