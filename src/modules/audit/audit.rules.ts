import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';

export const auditAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { auditLog: feature('organization_settings', 'MANAGE', 'parent.id') },
  },
  inherits: {
    AuditEntry: {
      fields: ['id', 'action', 'actorUserId', 'actorServiceAccountId', 'actorName', 'targetType', 'targetId', 'before', 'after', 'requestId', 'createdAt'],
      reason: 'entries of Organization.auditLog, which needs organization_settings: MANAGE; secrets are redacted when written',
    },
    AuditEntryConnection: { fields: '*', reason: 'page of Organization.auditLog' },
    AuditEntryEdge: { fields: '*', reason: 'edge of an AuditEntryConnection' },
  },
};
