import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { sharedNamespaceMissing } from '../../k8s/messages.js';
import { namespaceStatus, sharedNamespacePresence } from '../../k8s/namespace-status.js';
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
    // One cluster call in all: whether the shared namespace, where every organization without
    // isolation deploys, exists.
    organizationNamespaces: async (_root, _args, ctx) => {
      const [targets, shared] = await Promise.all([
        organizationTargets(ctx.db, ctx.config.k8s),
        ctx.cluster ? sharedNamespacePresence(ctx.cluster, ctx.config.k8s) : 'unknown',
      ]);
      return targets.map(({ record, ...target }) => {
        if (!target.isolated) return { ...target, ready: shared !== 'missing', message: shared === 'missing' ? sharedNamespaceMissing(ctx.config.k8s) : null };
        const ready = Boolean(record?.readyAt && record.namespace === target.namespace);
        return { ...target, ready, message: ready ? null : 'Not provisioned yet: the next deploy of this organization provisions it.' };
      });
    },
  },
};
