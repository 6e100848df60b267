import type { Static } from '@sinclair/typebox';
import type { Branch, SearchResponse } from '@stacks/contract';
import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from '../common/api.ts';
import { useI18n } from '../common/i18n.ts';
import { OPAC_ENDPOINTS } from './endpoints.ts';

/** A branch as the catalog names it: its name when the server tells us, else a number (Branch 1, 2 …). */
export interface BranchEntry {
  id: string;
  name: string | null;
  number: number;
}

let directory: Promise<BranchEntry[]> | undefined;

/**
 * The library's branches, asked for once per page load (`GET /api/branches` is public). Should it fail,
 * the catalog falls back to the branches that hold items (the search's branch facet), numbered in the
 * order they were created (their ids are UUIDv7, so they sort by age).
 */
export function loadBranches(): Promise<BranchEntry[]> {
  directory ??= (async () => {
    try {
      const branches = await request<Static<typeof Branch>[]>(OPAC_ENDPOINTS.branches);
      return [...branches]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((b, i) => ({ id: b.id, name: b.name, number: i + 1 }));
    } catch {
      try {
        const all = await request<SearchResponse>(OPAC_ENDPOINTS.search, { query: { limit: 1 } });
        return all.facets.branch
          .map((f) => f.value)
          .sort()
          .map((id, i) => ({ id, name: null, number: i + 1 }));
      } catch {
        directory = undefined; // try again next time
        return [];
      }
    }
  })();
  return directory;
}

/** The branch list and a function naming a branch by id, for components. */
export function useBranches(): { branches: BranchEntry[]; branchName(id: string): string } {
  const { t } = useI18n();
  const [branches, setBranches] = useState<BranchEntry[]>([]);
  // Read through refs, so a message written earlier names branches in the language shown now.
  const current = useRef({ t, branches });
  current.current = { t, branches };
  useEffect(() => {
    let live = true;
    void loadBranches().then((list) => {
      if (live) setBranches(list);
    });
    return () => {
      live = false;
    };
  }, []);
  const branchName = useCallback((id: string): string => {
    const { t, branches } = current.current;
    const entry = branches.find((b) => b.id === id);
    if (!entry) return t('branch.unknown');
    return entry.name ?? t('branch.numbered', { n: entry.number });
  }, []);
  return { branches, branchName };
}

/** Entries with a `branchId` in the order of their branches' names. */
export function sortByName<T extends { branchId: string }>(
  list: T[],
  branchName: (id: string) => string,
): T[] {
  return [...list].sort((a, b) => branchName(a.branchId).localeCompare(branchName(b.branchId)));
}
