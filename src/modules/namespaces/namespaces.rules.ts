import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';
import { instanceAdmin } from '../../authz/instance-admin.rule.js';

export const namespacesAuthorization: ModuleAuthorization = {
  rules: {
    // The organization's admin page (SPEC §5): organization configuration.
    Organization: { namespace: feature('organization_settings', 'MANAGE', 'parent.id') },
    Query: { organizationNamespaces: instanceAdmin },
    // Names automations the organization's admin page may not otherwise show (private ones): operators only.
    OrganizationNamespace: { automationsOutsideNamespace: instanceAdmin },
  },
  inherits: {
    OrganizationNamespace: { fields: '*', reason: 'namespace facts shown only through fields checked for organization_settings or instance administrators' },
    AutomationOutsideNamespace: {
      fields: ['automationId', 'name', 'namespace', 'version'],
      reason:
        'an automation id, name, namespace and version, returned only by OrganizationNamespace.automationsOutsideNamespace, which is for instance administrators',
    },
  },
};
