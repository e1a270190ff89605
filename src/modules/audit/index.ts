import type { GatehouseModule } from '../module.js';
import { auditResolvers } from './audit.resolvers.js';
import { auditAuthorization } from './audit.rules.js';

export const auditModule: GatehouseModule = { name: 'audit', resolvers: auditResolvers, authorization: auditAuthorization };
