export {
  type Branch,
  type BranchChanges,
  type BranchService,
  createBranchService,
  type Library,
  type NewBranch,
} from './branch-service.ts';
export {
  type CalendarDay,
  type ClosedDay,
  calendarDay,
  calendarDays,
  nextOpenDay,
  type OpeningPeriod,
  openingHoursProblems,
  WEEKDAY_NAMES,
} from './calendar.ts';
export type { BranchErrorCode } from './errors.ts';
