import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.ts';

describe('newId', () => {
  it('makes UUIDv7 ids that sort by creation time, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => newId(1_800_000_000_000 + Math.floor(i / 1000)));
    for (const id of ids) {
      expect(isId(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the time in the first 48 bits', () => {
    const id = newId(Date.UTC(2026, 10, 30));
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(
      Date.UTC(2026, 10, 30),
    );
  });
});
