import { randomBytes } from 'node:crypto';
import type { Executor } from '../../db/database.ts';
import type { StaffActor } from '../../kernel/actor.ts';
import { AppError } from '../../kernel/app-error.ts';
import type { Clock } from '../../kernel/clock.ts';
import { createLoginLimiter } from './login-limiter.ts';
import { dummyHash, verifyPassword } from './password.ts';
import * as repo from './staff-repository.ts';
import { hashSecret } from './staff-service.ts';

/** Settings of the login policy. */
export interface AuthOptions {
  sessionTtlHours: number;
  /** Failed logins allowed per user name in the window; a client address may fail five times as often. */
  loginMaxFailures: number;
  loginWindowMinutes: number;
}

/** A new staff session; `token` goes into the cookie and is never stored. */
export interface NewSession {
  token: string;
  userId: string;
  username: string;
  expiresAt: string;
}

/** Touch a session's last-seen time at most this often, so reads do not all become writes. */
const TOUCH_AFTER_MS = 60_000;

/** Staff login with sessions, and authentication of sessions and API tokens on every request. */
export function createAuthService(deps: { db: Executor; clock: Clock; options: AuthOptions }) {
  const { db, clock, options } = deps;
  const limiter = createLoginLimiter({
    db,
    clock,
    limits: { maxFailures: options.loginMaxFailures, windowMinutes: options.loginWindowMinutes },
  });

  async function actorFor(
    userId: string,
    username: string,
    via: 'session' | 'token',
    limit: string[] | null,
    tokenId?: string,
  ) {
    let permissions = await repo.findUserPermissions(db, userId);
    if (limit !== null) {
      // A token limited to some permissions gets those its user holds (the wildcard holds them all).
      permissions = permissions.includes('*') ? limit : limit.filter((p) => permissions.includes(p));
    }
    const actor: StaffActor = { type: 'staff', id: userId, username, permissions: new Set(permissions), via };
    if (tokenId !== undefined) actor.tokenId = tokenId;
    return actor;
  }

  return {
    /**
     * Checks a user name and password and opens a session. Each attempt first reserves its place under
     * the log-in limits (per user name and per address), counted as a failure until it succeeds; past
     * the limits logins are refused with RATE_LIMITED before the password is even checked. The answer
     * for an unknown user and a wrong password is the same, and takes the same time.
     */
    async login(input: { username: string; password: string; ip: string }): Promise<NewSession> {
      const username = input.username.trim().toLowerCase();
      const reservation = await limiter.reserve(username, input.ip);
      const user = await repo.findStaffUserByUsername(db, username);
      const matches = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash()));
      const succeeded = matches && user !== undefined && Boolean(user.is_active);
      if (!succeeded || user === undefined) {
        throw new AppError('INVALID_CREDENTIALS', 'The user name or password is not right');
      }
      const now = clock.now();
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + options.sessionTtlHours * 3_600_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await limiter.succeeded(trx, reservation);
        await repo.insertSession(trx, {
          token_hash: hashSecret(token),
          user_id: user.id,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          last_seen_at: now.toISOString(),
        });
        await repo.updateStaffUserRow(trx, user.id, { last_login_at: now.toISOString() });
      });
      return { token, userId: user.id, username: user.username, expiresAt };
    },

    /** Ends the session with this cookie value (nothing happens for an unknown one). */
    async logout(token: string): Promise<void> {
      await repo.deleteSession(db, hashSecret(token));
    },

    /** The staff member behind a session cookie, or null when it is unknown, expired or the account is off. */
    async authenticateSession(token: string): Promise<StaffActor | null> {
      const now = clock.now();
      const session = await repo.findLiveSession(db, hashSecret(token), now.toISOString());
      if (!session?.is_active) return null;
      if (now.getTime() - Date.parse(session.last_seen_at) > TOUCH_AFTER_MS) {
        await repo.touchSession(db, session.token_hash, now.toISOString());
      }
      return actorFor(session.user_id, session.username, 'session', null);
    },

    /** The staff member an API token acts as, or null when it is unknown, revoked, expired or its account is off. */
    async authenticateToken(secret: string): Promise<StaffActor | null> {
      const now = clock.now();
      const token = await repo.findLiveApiToken(db, hashSecret(secret), now.toISOString());
      if (!token?.is_active) return null;
      if (token.last_used_at === null || now.getTime() - Date.parse(token.last_used_at) > TOUCH_AFTER_MS) {
        await repo.updateApiTokenRow(db, token.id, { last_used_at: now.toISOString() });
      }
      const limit = token.permissions === null ? null : (JSON.parse(token.permissions) as string[]);
      return actorFor(token.user_id, token.username, 'token', limit, token.id);
    },

    /** Removes expired sessions and login attempts older than a day (a daily job). */
    async purgeExpired(): Promise<{ sessions: number }> {
      const now = clock.now();
      const sessions = await repo.deleteExpiredSessions(db, now.toISOString());
      await repo.deleteLoginAttemptsBefore(db, new Date(now.getTime() - 86_400_000).toISOString());
      return { sessions };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
