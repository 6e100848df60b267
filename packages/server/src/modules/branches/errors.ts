/** Error codes of the branches module. */
export type BranchErrorCode =
  | 'LIBRARY_NOT_FOUND'
  | 'LIBRARY_CODE_TAKEN'
  | 'BRANCH_NOT_FOUND'
  | 'BRANCH_CODE_TAKEN'
  | 'INVALID_TIME_ZONE'
  | 'INVALID_OPENING_HOURS'
  | 'INVALID_DATE'
  | 'CLOSED_DAY_NOT_FOUND'
  | 'CLOSED_DAY_EXISTS';
