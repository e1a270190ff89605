import { OWNER_LEVELS } from '../../authz/features.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId, parseUuid } from '../../graphql/ids.js';
import { boundedInt, email, requiredText } from '../../graphql/validate.js';
import { featurePermissions } from '../roles/role-levels.js';
import { createOrganization } from './create-organization.js';
import { updateOrganization } from './organizations.repository.js';
import type { OrganizationUpdate } from './organizations.table.js';

export const organizationsResolvers: Resolvers = {
  Query: {
    organization: async (_root, { id }, ctx) => {
      const organizationId = parseOrganizationId(id);
      const organization = organizationId === null ? null : await ctx.loaders.organizations.load(organizationId);
      if (!organization) throw new NotFoundError('Organization', id);
      return organization;
    },
  },
  Organization: {
    viewerPermissions: async (org, _args, ctx) => {
      await ctx.authz.ensure(org.id);
      const grant = ctx.authz.grant(org.id);
      if (!grant) throw new NotFoundError('Organization', org.id);
      return { organizationId: org.id, isOwner: grant.isOwner, roleId: grant.roleId };
    },
    settings: (org) => org,
    defaults: (org) => org,
  },
  ViewerPermissions: {
    role: (permissions, _args, ctx) => mustLoad(ctx.loaders.roles, permissions.roleId, 'Role'),
    features: async (permissions, _args, ctx) => {
      await ctx.authz.ensure(permissions.organizationId);
      return featurePermissions(ctx.authz.levels(permissions.organizationId) ?? OWNER_LEVELS, permissions.isOwner);
    },
  },
  Mutation: {
    createOrganization: async (_root, { input }, ctx) => {
      const userId = ctx.authz.userId;
      if (!userId) throw new BadUserInputError('Only a signed-in user can create an organization.');
      return createOrganization(ctx.db, requiredText(input.name, 'name', 100), userId);
    },
    updateOrganizationSettings: async (_root, { organizationId, input }, ctx) => {
      const patch: OrganizationUpdate = {};
      if (input.name != null) patch.name = requiredText(input.name, 'name', 100);
      if (input.plan != null) patch.plan = input.plan;
      if (input.billingEmail !== undefined) patch.billingEmail = input.billingEmail === null ? null : email(input.billingEmail, 'billingEmail');
      if (input.zipDeploymentsEnabled != null) patch.zipDeploymentsEnabled = input.zipDeploymentsEnabled;
      if (input.gitRepositoryRbac != null) patch.gitRepositoryRbac = input.gitRepositoryRbac;
      if (input.entityRbac != null) patch.entityRbac = input.entityRbac;
      return updateOrganization(ctx.db, Number(organizationId), patch);
    },
    updateOrganizationDefaults: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      const patch: OrganizationUpdate = {};
      if (input.defaultAutomationVisibility != null) patch.defaultAutomationVisibility = input.defaultAutomationVisibility;
      if (input.defaultRunTimeoutSeconds != null) {
        patch.defaultRunTimeoutSeconds = boundedInt(input.defaultRunTimeoutSeconds, 'defaultRunTimeoutSeconds', 1, 86_400);
      }
      if (input.clearDefaultLlmConnection) patch.defaultLlmConnectionId = null;
      else if (input.defaultLlmConnectionId != null) {
        const id = parseUuid(input.defaultLlmConnectionId);
        const connection = id ? await ctx.loaders.llmConnections.load(id) : null;
        if (!connection || connection.organizationId !== orgId) throw new NotFoundError('LLMConnection', input.defaultLlmConnectionId);
        patch.defaultLlmConnectionId = connection.id;
      }
      return updateOrganization(ctx.db, orgId, patch);
    },
  },
};
