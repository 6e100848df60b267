import type { Static } from '@sinclair/typebox';
import type {
  ApiToken as ApiTokenSchema,
  CirculationRule as CirculationRuleSchema,
  ClosedDay as ClosedDaySchema,
  CreatedApiToken as CreatedApiTokenSchema,
  ItemType as ItemTypeSchema,
  NoticePreview as NoticePreviewSchema,
  NoticeTemplate as NoticeTemplateSchema,
  OpeningPeriod as OpeningPeriodSchema,
  PermissionInfo as PermissionInfoSchema,
  Role as RoleSchema,
  RuleExplanation as RuleExplanationSchema,
  StaffUser as StaffUserSchema,
} from '@stacks/contract';

/**
 * The API's shapes the administration pages use, derived from the contract's schemas (type-only: no
 * schema code reaches the browser).
 */
export type CirculationRule = Static<typeof CirculationRuleSchema>;
export type RuleExplanation = Static<typeof RuleExplanationSchema>;
export type ItemType = Static<typeof ItemTypeSchema>;
export type ClosedDay = Static<typeof ClosedDaySchema>;
export type OpeningPeriod = Static<typeof OpeningPeriodSchema>;
export type StaffUser = Static<typeof StaffUserSchema>;
export type Role = Static<typeof RoleSchema>;
export type PermissionInfo = Static<typeof PermissionInfoSchema>;
export type NoticeTemplate = Static<typeof NoticeTemplateSchema>;
export type NoticePreview = Static<typeof NoticePreviewSchema>;
export type ApiToken = Static<typeof ApiTokenSchema>;
export type CreatedApiToken = Static<typeof CreatedApiTokenSchema>;
