import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { namespaceStatus } from '../../k8s/namespace-status.js';
import { K8S_NAMESPACE_ISOLATION_FLAG, listFlags } from '../feature-flags/feature-flags.repository.js';
import { listOrganizationIds } from '../organizations/organizations.repository.js';
import { listNamespaceRecords } from './namespaces.repository.js';
import { resolveNamespace, targetFor } from './resolve-namespace.js';

export const namespacesResolvers: Resolvers = {
  Organization: {
    namespace: async (org, _args, ctx) => {
      const target = await resolveNamespace(ctx.db, ctx.config.k8s, org.id);
      const status = await namespaceStatus(ctx.cluster, ctx.config.k8s, org.id, target.namespace, target.isolated);
      return { ...target, ...status };
    },
  },
  Query: {
    // For support bundles: every organization's namespace from the flags and what the gateway
    // recorded, without one cluster call per organization.
    organizationNamespaces: async (_root, _args, ctx) => {
      const [ids, flags, records] = await Promise.all([listOrganizationIds(ctx.db), listFlags(ctx.db), listNamespaceRecords(ctx.db)]);
      const flag = flags.find((f) => f.name === K8S_NAMESPACE_ISOLATION_FLAG);
      return ids.map((id) => {
        const target = targetFor(ctx.config.k8s, id, Boolean(flag?.enabledGlobally || flag?.organizationIds.includes(id)));
        const record = records.find((r) => r.organizationId === id);
        const ready = !target.isolated || Boolean(record?.readyAt && record.namespace === target.namespace);
        return { ...target, ready, message: ready ? null : 'Not provisioned yet: the next deploy of this organization provisions it.' };
      });
    },
  },
};
