/**
 * Where domain code gets the time. Services receive a Clock; tests pass {@link fixedClock} so due
 * dates, fines and expiry are reproducible. Domain code never calls `new Date()` without arguments.
 */
export interface Clock {
  now(): Date;
}

/** The real clock, for the running server and the CLI. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that can be set and advanced, for tests and simulations. */
export interface FixedClock extends Clock {
  set(instant: string | Date): void;
  advance(ms: number): void;
}

/** A clock stopped at `instant` (ISO-8601) until the test moves it. */
export function fixedClock(instant: string | Date): FixedClock {
  let current = new Date(instant);
  if (Number.isNaN(current.getTime())) throw new Error(`fixedClock: not an instant: ${String(instant)}`);
  return {
    now: () => new Date(current.getTime()),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}
