import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { namespaceStatus } from '../../k8s/namespace-status.js';
import { automationsOutsideNamespace } from './automations-outside.js';
import { organizationTargets } from './organization-namespaces.js';
import { resolveNamespace } from './resolve-namespace.js';

export const namespacesResolvers: Resolvers = {
  Organization: {
    namespace: async (org, _args, ctx) => {
      const target = await resolveNamespace(ctx.db, ctx.config.k8s, org.id);
      const status = await namespaceStatus(ctx.cluster, ctx.config.k8s, org.id, target.namespace, target.isolated);
      return { ...target, ...status };
    },
  },
  OrganizationNamespace: {
    automationsOutsideNamespace: (parent, _args, ctx) => automationsOutsideNamespace(ctx.db, parent.organizationId, parent.namespace),
  },
  Query: {
    // For support bundles: every organization's namespace without one cluster call per organization.
    organizationNamespaces: async (_root, _args, ctx) =>
      (await organizationTargets(ctx.db, ctx.config.k8s)).map(({ record, ...target }) => {
        const ready = !target.isolated || Boolean(record?.readyAt && record.namespace === target.namespace);
        return { ...target, ready, message: ready ? null : 'Not provisioned yet: the next deploy of this organization provisions it.' };
      }),
  },
};
