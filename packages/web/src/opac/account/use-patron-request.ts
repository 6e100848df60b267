import { useCallback } from 'react';
import { ApiError, type EndpointSpec, request } from '../../common/api.ts';
import { useSession } from '../session.tsx';

/**
 * `request()` for the signed-in patron's own routes: when the API answers 401 (the session ended or
 * was signed out elsewhere) the catalog forgets the session, and My account sends the patron to sign
 * in again. The error is still thrown for the caller to report.
 */
export function usePatronRequest() {
  const { expired } = useSession();
  return useCallback(
    async <T>(endpoint: EndpointSpec, options?: Parameters<typeof request>[1]): Promise<T> => {
      try {
        return await request<T>(endpoint, options);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) expired();
        throw error;
      }
    },
    [expired],
  );
}
