import type { Executor } from '../../db/database.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import * as repo from './staff-repository.ts';

/** Settings of the log-in limits (STACKS_LOGIN_MAX_FAILURES, STACKS_LOGIN_WINDOW_MINUTES). */
export interface LoginLimits {
  /** Failed log-ins allowed per name in the window; a client address may fail five times as often. */
  maxFailures: number;
  windowMinutes: number;
}

/** An attempt that holds its place under the limits until it is known to have succeeded. */
export interface LoginReservation {
  id: string;
}

/**
 * The one limit on log-in attempts, for staff (by user name) and patrons (by a hash of the card) alike,
 * and per client address. Each attempt is reserved, counted as a failure, before its password or PIN is
 * checked ({@link reserve}), and only a success takes it back ({@link succeeded}); the reservation is
 * atomic in the database, so a burst of simultaneous attempts, across processes too, gets at most the
 * limit checked and the rest refused with RATE_LIMITED.
 */
export function createLoginLimiter(deps: { db: Executor; clock: Clock; limits: LoginLimits }) {
  const { db, clock, limits } = deps;
  return {
    /** Reserves an attempt for `name` from `ip`, or throws RATE_LIMITED (and records nothing). */
    async reserve(name: string, ip: string): Promise<LoginReservation> {
      const now = clock.now();
      const since = new Date(now.getTime() - limits.windowMinutes * 60_000).toISOString();
      const id = newId(now.getTime());
      const reserved = await repo.reserveLoginAttempt(
        db,
        { id, username: name, ip, at: now.toISOString(), succeeded: false },
        since,
        { byName: limits.maxFailures, byIp: limits.maxFailures * 5 },
      );
      if (!reserved) {
        throw new AppError(
          'RATE_LIMITED',
          `Too many failed attempts to sign in; try again in ${limits.windowMinutes} minutes`,
          { retryAfterSeconds: limits.windowMinutes * 60 },
        );
      }
      return { id };
    },

    /** The attempt succeeded: it no longer counts. Runs in the transaction that opens the session. */
    async succeeded(trx: Executor, reservation: LoginReservation): Promise<void> {
      await repo.markLoginAttemptSucceeded(trx, reservation.id);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
