import { type Static, Type } from '@sinclair/typebox';
import { Id, Instant, Nullable, Text } from './common.ts';

/** What a notice is about. */
export const NoticeKind = Type.Union(
  [
    Type.Literal('courtesy'),
    Type.Literal('overdue1'),
    Type.Literal('overdue2'),
    Type.Literal('overdue3'),
    Type.Literal('hold_available'),
    Type.Literal('hold_expiring'),
    Type.Literal('fines_bill'),
    Type.Literal('lost'),
    Type.Literal('card_replaced'),
  ],
  {
    description:
      'courtesy (due soon), overdue1–3 (first, second, third overdue notice), hold_available, hold_expiring, fines_bill, lost, card_replaced',
  },
);
export type NoticeKind = Static<typeof NoticeKind>;

/** How a notice reaches the patron. */
export const NoticeChannel = Type.Union([Type.Literal('email'), Type.Literal('print')]);

/** Where a notice is in the outbox. */
export const NoticeStatus = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('sending'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('printed'),
  ],
  {
    description:
      'pending (waiting to be sent or printed), sending (claimed by a sender), sent, failed (gave up after 6 attempts; can be retried), printed',
  },
);

/** A language tag such as `en` or `es` (lower case; a region like `es-mx` is allowed). */
export const NoticeLanguage = Type.String({
  pattern: '^[a-z]{2,3}(-[a-z0-9]{2,8})*$',
  maxLength: 35,
  description: 'language tag, lower case, e.g. en, es, pt-br',
  examples: ['en', 'es'],
});

/** One notice in the outbox, with the text as it was when queued. */
export const Notice = Type.Object({
  id: Id,
  patronId: Id,
  kind: NoticeKind,
  channel: NoticeChannel,
  language: Type.String(),
  recipient: Nullable(Type.String({ description: 'e-mail address, or the patron’s name for print' })),
  subject: Type.String(),
  body: Type.String(),
  dedupeKey: Type.String(),
  status: NoticeStatus,
  attempts: Type.Integer(),
  nextAttemptAt: Instant,
  lastError: Nullable(Type.String()),
  messageId: Type.String(),
  sentAt: Nullable(Instant),
  createdAt: Instant,
});
export type Notice = Static<typeof Notice>;

export const NoticesQuery = Type.Object(
  {
    status: Type.Optional(NoticeStatus),
    patronId: Type.Optional(Id),
    kind: Type.Optional(NoticeKind),
    before: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

/** Which print notices to print: of the patrons of one home branch (`branchId`), or all. */
export const PrintBatchQuery = Type.Object({ branchId: Type.Optional(Id) }, { additionalProperties: false });

/** The placeholders a kind's template may use. */
export const NoticePlaceholders = Type.Object({
  fields: Type.Array(Type.String(), { description: 'usable as {{name}}' }),
  lists: Type.Record(Type.String(), Type.Array(Type.String()), {
    description: 'list blocks {{#list}}…{{/list}} and the fields each item has',
  }),
});

/** A template in force: the library's own wording, or the built-in one. */
export const NoticeTemplate = Type.Object({
  kind: NoticeKind,
  language: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  source: Type.Union([Type.Literal('custom'), Type.Literal('built-in')]),
  updatedAt: Nullable(Instant),
  placeholders: NoticePlaceholders,
});

export const NoticeTemplateParams = Type.Object({ kind: NoticeKind, language: NoticeLanguage });

export const PutNoticeTemplateRequest = Type.Object(
  {
    subject: Text(300, 'one line; may use placeholders'),
    body: Type.String({ minLength: 1, maxLength: 20000, pattern: '\\S' }),
  },
  { additionalProperties: false },
);

export const PreviewNoticeTemplateRequest = Type.Object(
  {
    kind: NoticeKind,
    language: Type.Optional(NoticeLanguage),
    subject: Type.Optional(Text(300)),
    body: Type.Optional(Type.String({ minLength: 1, maxLength: 20000, pattern: '\\S' })),
    data: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'placeholder values to use instead of the sample ones',
      }),
    ),
  },
  { additionalProperties: false },
);

export const NoticePreview = Type.Object({ subject: Type.String(), body: Type.String() });

/** When a job runs: every N minutes, or once a day at a UTC wall-clock time. */
export const JobSchedule = Type.Union([
  Type.Object({ everyMinutes: Type.Integer({ minimum: 1 }) }),
  Type.Object({ dailyAt: Type.String({ description: 'HH:MM, UTC' }) }),
]);

/** A scheduled job and how its last run went. */
export const JobInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schedule: JobSchedule,
  running: Type.Boolean({ description: 'a process holds the job’s lease now' }),
  lastStartedAt: Nullable(Instant),
  lastFinishedAt: Nullable(Instant),
  lastOutcome: Nullable(Type.String({ description: 'ok, or error: <message>' })),
  lastSummary: Nullable(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))),
  nextRunAt: Instant,
});

export const JobNameParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 64 }),
});

/** What running a job by hand did. */
export const JobRunResult = Type.Object({
  ran: Type.Boolean(),
  outcome: Type.String({ description: 'ok, or error: <message>' }),
  summary: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
});
