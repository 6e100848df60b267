export { type AuditQuery, countAuditRows } from './audit-repository.ts';
export {
  type AuditEntry,
  type AuditRecord,
  type AuditService,
  createAuditService,
  recordAudit,
  recordAudits,
} from './audit-service.ts';
