import type { Static } from '@sinclair/typebox';
import type { SearchHit, SearchResponse } from '@stacks/contract';
import { request } from '../common/api.ts';
import { OPAC_ENDPOINTS } from './endpoints.ts';

/** One search result as the API answers it (title, authors, year, format, availability per branch). */
export type Hit = Static<typeof SearchHit>;

// The hits of recent result pages, so a record opened from the results shows its availability at once.
const recentHits = new Map<string, Hit>();

/** Keeps the hits of a results page for the record pages opened from it. */
export function rememberHits(hits: Hit[]): void {
  for (const hit of hits) recentHits.set(hit.id, hit);
  while (recentHits.size > 200) recentHits.delete(recentHits.keys().next().value as string);
}

/**
 * A record's availability per branch. The public record route answers the description only, so this
 * comes from a search hit: one seen on a results page, or a title search that finds the record.
 */
export async function hitOf(recordId: string, title: string): Promise<Hit | null> {
  const seen = recentHits.get(recordId);
  if (seen) return seen;
  const words = title.replace(/["\\]/g, ' ').trim();
  if (!words) return null;
  const answer = await request<SearchResponse>(OPAC_ENDPOINTS.search, {
    query: { q: `title:"${words}"`, limit: 100 },
  });
  const hit = answer.hits.find((h) => h.id === recordId) ?? null;
  if (hit) rememberHits([hit]);
  return hit;
}
