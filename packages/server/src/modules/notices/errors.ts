/** Error codes of the notices module. */
export type NoticeErrorCode =
  | 'NOTICE_NOT_FOUND'
  | 'NOTICE_NOT_RETRYABLE'
  | 'NOTICE_TEMPLATE_NOT_FOUND'
  | 'INVALID_TEMPLATE'
  | 'INVALID_NOTICE_KIND'
  | 'INVALID_LANGUAGE'
  | 'INVALID_SMTP_URL'
  | 'NOTHING_TO_PRINT';
