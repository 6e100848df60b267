export { BIB_FORMATS, type BibFormat, type BibSummary, summarize } from './bib-summary.ts';
export {
  type BibRecord,
  type CatalogService,
  createCatalogService,
  type Item,
  type NewItem,
} from './catalog-service.ts';
export type { CatalogErrorCode } from './errors.ts';
export {
  createExportJobs,
  EXPORT_KEEP_FILES,
  EXPORT_KEEP_HOURS,
  EXPORT_MAX_RUNNING,
  type ExportJob,
  type ExportJobs,
} from './export-jobs.ts';
export {
  createExportService,
  EXPORT_FILE_TYPES,
  EXPORT_FORMATS,
  type ExportEntry,
  type ExportFormat,
  type ExportProblem,
  type ExportReport,
  type ExportService,
  isExportFormat,
  MAX_EXPORT_PROBLEMS,
  newExportReport,
  writeExport,
} from './export-service.ts';
export { createImportJobs, type ImportJob, type ImportJobs } from './import-jobs.ts';
export {
  asReadResults,
  createImportService,
  DEFAULT_MATCH_POINTS,
  type DuplicateRule,
  type ImportOptions,
  type ImportProblem,
  type ImportReport,
  type ImportService,
  type MatchPoint,
} from './import-service.ts';
export {
  type CirculationItem,
  changeItemStatus,
  circulationItemByBarcode,
  circulationItemById,
  itemsOfRecordForHolds,
} from './item-circulation.ts';
export { ITEM_STATUSES, type ItemStatus } from './items.ts';
export { createProcessingService, type ProcessingService } from './processing-service.ts';
export { parseQuery } from './search-query.ts';
