import type { ColumnDataType, Expression } from 'kysely';

/**
 * Column types for migrations, so one migration runs on both dialects. Migrations receive the
 * dialect name and call these; they never import application code (they are frozen in time).
 */
export interface ColumnTypes {
  /** UUIDv7 ids: `uuid` on PostgreSQL, `text` on SQLite. */
  id: ColumnDataType | Expression<unknown>;
  /** ISO-8601 UTC instants with `Z`, as text on both (lexical order = time order). */
  instant: ColumnDataType;
  /** Calendar dates `YYYY-MM-DD`, as text. */
  localDate: ColumnDataType;
  /** Booleans: `boolean` on PostgreSQL, 0/1 `integer` on SQLite. */
  bool: ColumnDataType;
  /** Money in minor units: `bigint` on PostgreSQL, `integer` on SQLite. */
  money: ColumnDataType;
  /** JSON documents kept as text on both. */
  json: ColumnDataType;
}

/** The column types for `dialect`. */
export function columnTypes(dialect: 'sqlite' | 'postgres'): ColumnTypes {
  return dialect === 'postgres'
    ? { id: 'uuid', instant: 'text', localDate: 'text', bool: 'boolean', money: 'bigint', json: 'text' }
    : { id: 'text', instant: 'text', localDate: 'text', bool: 'integer', money: 'integer', json: 'text' };
}
