export { BIB_FORMATS, type BibFormat, type BibSummary, summarize } from './bib-summary.ts';
export {
  type BibRecord,
  type CatalogService,
  createCatalogService,
  type Item,
  type NewItem,
} from './catalog-service.ts';
export type { CatalogErrorCode } from './errors.ts';
export { ITEM_STATUSES, type ItemStatus } from './items.ts';
export { parseQuery } from './search-query.ts';
