export { type AuditQuery, countAuditRows } from './audit-repository.ts';
export {
  type AuditEntry,
  type AuditRecord,
  type AuditService,
  createAuditService,
  recordAudit,
} from './audit-service.ts';
