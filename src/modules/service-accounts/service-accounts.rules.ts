import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member } from '../../authz/guards.js';

/** Service accounts are organization configuration: SPEC §2 `organization_settings`. */
const manageServiceAccount = entity({
  typeName: 'ServiceAccount',
  load: (ctx, id) => ctx.loaders.serviceAccounts.load(id),
  feature: 'organization_settings',
  level: 'MANAGE',
});

export const serviceAccountsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      serviceAccounts: feature('organization_settings', 'MANAGE', 'parent.id'),
    },
    Mutation: {
      createServiceAccount: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      disableServiceAccount: manageServiceAccount,
    },
    ServiceAccount: { role: member('parent.organizationId') },
  },
  inherits: {
    // `apiTokens` is left out on purpose: the api-tokens module rules it.
    ServiceAccount: {
      fields: ['id', 'name', 'description', 'createdAt', 'disabledAt'],
      reason: 'plain data of a service account; every field returning one checks organization_settings: MANAGE (Viewer.serviceAccount is the caller itself)',
    },
    ServiceAccountConnection: { fields: '*', reason: 'page of service accounts; Organization.serviceAccounts checks organization_settings: MANAGE' },
    ServiceAccountEdge: { fields: '*', reason: 'edge of a ServiceAccountConnection' },
  },
};
