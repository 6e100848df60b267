import { type TSchema, Type } from '@sinclair/typebox';

/** A UUIDv7 id. */
export const Id = Type.String({ format: 'uuid', description: 'UUIDv7 id' });

/** An ISO-8601 UTC instant, e.g. `2026-11-28T17:30:00.000Z`. */
export const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 UTC instant' });

/** A calendar date `YYYY-MM-DD` (in a branch's time zone where it matters). */
export const LocalDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'calendar date YYYY-MM-DD',
  examples: ['2026-12-24'],
});

/** A wall-clock time `HH:MM`. */
export const LocalTime = Type.String({
  pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
  description: 'wall-clock time HH:MM',
  examples: ['09:00'],
});

/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** `{ id }` route parameters. */
export const IdParams = Type.Object({ id: Id });

/** Non-empty trimmed text up to `max` characters. */
export const Text = (max = 200, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) });
