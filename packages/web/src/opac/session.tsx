import type { PatronMe } from '@stacks/contract';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, request } from '../common/api.ts';
import { OPAC_ENDPOINTS } from './endpoints.ts';

/**
 * The patron signed in to the public catalog. The session itself is an HttpOnly cookie the page cannot
 * read, so a flag in localStorage remembers that there may be one: only then does a page load ask
 * `GET /api/patron/me` (anonymous visitors, the most, cost no request).
 */
export type SessionStatus = 'checking' | 'signed-in' | 'signed-out';

export interface Session {
  status: SessionStatus;
  me: PatronMe | null;
  signIn(cardBarcode: string, pin: string): Promise<PatronMe>;
  signOut(): Promise<void>;
  /** Re-reads the patron's record (after a change), or learns the session has ended. */
  refresh(): Promise<void>;
  /** Replaces the record with one the API just answered. */
  setMe(me: PatronMe): void;
  /** The API said the session is gone (401): forget it. */
  expired(): void;
}

const HINT = 'stacks.opac.signedIn';

function hint(on: boolean): void {
  try {
    if (on) globalThis.localStorage?.setItem(HINT, '1');
    else globalThis.localStorage?.removeItem(HINT);
  } catch {
    // Storage may be unavailable (private mode); the session still works for this page.
  }
}

function hinted(): boolean {
  try {
    return globalThis.localStorage?.getItem(HINT) === '1';
  } catch {
    return false;
  }
}

const SessionContext = createContext<Session | null>(null);

/** Provides the patron session to the catalog's pages. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>(() => (hinted() ? 'checking' : 'signed-out'));
  const [me, setMeState] = useState<PatronMe | null>(null);

  const expired = useCallback(() => {
    hint(false);
    setMeState(null);
    setStatus('signed-out');
  }, []);

  const setMe = useCallback((next: PatronMe) => {
    hint(true);
    setMeState(next);
    setStatus('signed-in');
  }, []);

  const refresh = useCallback(async () => {
    try {
      setMe(await request<PatronMe>(OPAC_ENDPOINTS.patronMe));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) expired();
      else if (!hinted()) setStatus('signed-out');
      else throw error;
    }
  }, [expired, setMe]);

  useEffect(() => {
    if (status === 'checking') refresh().catch(() => setStatus('signed-out'));
  }, [status, refresh]);

  const signIn = useCallback(
    async (cardBarcode: string, pin: string) => {
      const answer = await request<PatronMe>(OPAC_ENDPOINTS.patronLogin, { body: { cardBarcode, pin } });
      setMe(answer);
      return answer;
    },
    [setMe],
  );

  const signOut = useCallback(async () => {
    try {
      await request(OPAC_ENDPOINTS.patronLogout);
    } catch (error) {
      // Already signed out on the server: the outcome is the same.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    expired();
  }, [expired]);

  const value = useMemo(
    () => ({ status, me, signIn, signOut, refresh, setMe, expired }),
    [status, me, signIn, signOut, refresh, setMe, expired],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The patron session (inside {@link SessionProvider}). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
