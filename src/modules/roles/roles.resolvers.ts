import { columnsFromLevels, levelsFromColumns, ROLE_TEMPLATES } from '../../authz/features.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import { withUniqueName } from '../../db/unique-name.js';
import { ConflictError, ForbiddenError, NotFoundError, organizationLimitReached } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { optionalText, requiredText } from '../../graphql/validate.js';
import { applyLevels, featurePermissions, NO_ACCESS_LEVELS } from './role-levels.js';
import { countCustomRoles, deleteCustomRole, insertRole, listRoles, updateRole } from './roles.repository.js';

const nameTaken = (name: string | undefined) => `A role named "${name ?? ''}" already exists in this organization; choose another name.`;

export const rolesResolvers: Resolvers = {
  Query: {
    roleTemplates: () => [...ROLE_TEMPLATES],
  },
  Organization: {
    roles: (org, _args, ctx) => listRoles(ctx.db, org.id),
  },
  Role: {
    features: (role) => featurePermissions(levelsFromColumns(role), role.kind === 'OWNER'),
  },
  RoleTemplate: {
    features: (template) => featurePermissions(template.levels),
  },
  Mutation: {
    createRole: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', 64);
      const template = input.template ? ROLE_TEMPLATES.find((t) => t.template === input.template) : undefined;
      const levels = applyLevels(template?.levels ?? NO_ACCESS_LEVELS, input.features ?? []);
      // Each role is a permission set of its own in the schema cache (src/authz/visible-schema):
      // bounded per organization so that no tenant can fill it. Checked before each create; two
      // creates racing may pass it together, which the bound tolerates.
      const max = ctx.config.limits.maxCustomRolesPerOrganization;
      if ((await countCustomRoles(ctx.db, Number(organizationId))) >= max) {
        throw organizationLimitReached(
          'custom roles',
          'MAX_CUSTOM_ROLES_PER_ORGANIZATION',
          max,
          'Delete a custom role no one holds any more (deleteRole), or ask the operator to raise the limit.',
        );
      }
      return withUniqueName(nameTaken(name), () =>
        insertRole(ctx.db, {
          organizationId: Number(organizationId),
          name,
          kind: 'CUSTOM',
          description: optionalText(input.description, 'description', 500) ?? template?.description ?? '',
          template: template?.template ?? null,
          ...columnsFromLevels(levels),
        }),
      );
    },
    updateRole: async (_root, { id, input }, ctx) => {
      const role = await ctx.loaders.roles.load(id);
      if (!role) throw new NotFoundError('Role', id);
      if (role.kind === 'OWNER') throw new ForbiddenError('The Owner role cannot be edited: it always has full access (SPEC §2).');
      if (role.kind === 'MEMBER' && input.name != null && input.name.trim() !== role.name) {
        throw new ForbiddenError('The Member role keeps its name; its levels and description can change.');
      }
      const name = input.name != null ? requiredText(input.name, 'name', 64) : undefined;
      const levels = applyLevels(levelsFromColumns(role), input.features ?? []);
      const description = optionalText(input.description, 'description', 500);
      const updated = await withUniqueName(nameTaken(name), () =>
        updateRole(ctx.db, role.organizationId, role.id, {
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
          ...columnsFromLevels(levels),
        }),
      );
      if (!updated) throw new NotFoundError('Role', id);
      return updated;
    },
    deleteRole: async (_root, { id }, ctx) => {
      const role = await ctx.loaders.roles.load(id);
      if (!role) throw new NotFoundError('Role', id);
      if (role.kind !== 'CUSTOM') throw new ForbiddenError(`The ${role.name} role is predefined and cannot be deleted.`);
      try {
        if (!(await deleteCustomRole(ctx.db, role.organizationId, role.id))) throw new NotFoundError('Role', id);
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new ConflictError(`The ${role.name} role is still held by members or service accounts; give them another role first.`);
        }
        throw error;
      }
      return role.id;
    },
  },
};
