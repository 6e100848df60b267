export { type CirculationPatron, patronByCard, patronById } from './circulation-patron.ts';
export type { PatronErrorCode } from './errors.ts';
export {
  PATRON_CSV_COLUMNS,
  type PatronImportOptions,
  type PatronImportProblem,
  type PatronImportReport,
} from './patron-csv.ts';
export { ageOn, nameKey } from './patron-rules.ts';
export {
  createPatronService,
  type DuplicateCandidate,
  hashPatronToken,
  type NewPatron,
  type NewPatronCategory,
  type NewPatronSession,
  type NoticeChannel,
  type Patron,
  type PatronAuthOptions,
  type PatronBlock,
  type PatronCard,
  type PatronCategory,
  type PatronCategoryChanges,
  type PatronChanges,
  type PatronHooks,
  type PatronPage,
  type PatronService,
  type PatronServiceDeps,
} from './patron-service.ts';
