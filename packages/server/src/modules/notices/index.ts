export { BUILT_IN_TEMPLATES, FALLBACK_LANGUAGE, type TemplateText } from './builtin-templates.ts';
export type { NoticeErrorCode } from './errors.ts';
export {
  COMMON_FIELDS,
  isNoticeKind,
  NOTICE_KINDS,
  type NoticeKind,
  type NoticePlaceholders,
  placeholdersFor,
  sampleData,
} from './notice-kinds.ts';
export {
  createNoticeService,
  languageCandidates,
  MAX_ATTEMPTS,
  type NewNotice,
  type Notice,
  type NoticeChannel,
  type NoticePatron,
  type NoticeService,
  type NoticeSettings,
  type NoticeStatus,
  type NoticeTemplate,
  RETRY_DELAYS_MINUTES,
  SEND_LEASE_MINUTES,
  type SendResult,
} from './notice-service.ts';
export { parseTemplate, renderTemplate, templateProblems } from './notice-template.ts';
export type { Mailer, OutgoingMail } from './smtp-mailer.ts';
