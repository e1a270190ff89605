import { resolveAccessEntries } from '../access-lists/access-list-input.js';
import { replaceGrants } from '../../authz/entity-grants.repository.js';
import { withUniqueName } from '../../db/unique-name.js';
import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { createdBy, found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { requiredText } from '../../graphql/validate.js';
import { automationScope, deciderFor, decideFor } from './automation-access.js';
import { AUTOMATION_ACTIONS } from '../../authz/entity-permissions.js';
import { AUTOMATION_NAME_MAX, automationNameTaken } from './automation-names.js';
import { automationPageColumns } from './automation-page-columns.js';
import { countAutomations, listAutomations, updateAutomation } from './automations.repository.js';
import { inTransaction } from '../../db/transaction.js';

export const automationsResolvers: Resolvers = {
  Organization: {
    automations: async (org, args, ctx, info) => {
      const scope = await automationScope(ctx, org.id);
      if (!scope) throw new NotFoundError('Organization', org.id);
      const includeDeleted = args.includeDeleted ?? false;
      return pageOf(
        args,
        ctx,
        (page) => listAutomations(ctx.db, scope, page, includeDeleted, automationPageColumns(info)),
        () => countAutomations(ctx.db, scope, includeDeleted),
      );
    },
    automation: async (org, args, ctx) => {
      const id = parseUuid(args.id);
      const automation = id ? await ctx.loaders.automations.load(id) : null;
      // Another organization's automation, or a private one off the caller's whitelist, does not exist for it.
      if (!automation || automation.organizationId !== org.id || !(await decideFor(ctx, automation, 'VIEW')).allowed) {
        throw new NotFoundError('Automation', args.id);
      }
      return automation;
    },
  },
  Automation: {
    createdBy,
    viewerPermissions: async (automation, _args, ctx) => AUTOMATION_ACTIONS.map(await deciderFor(ctx, automation)),
    accessList: (automation, _args, ctx) => ctx.loaders.accessLists.load({ resourceType: 'AUTOMATION', resourceId: automation.id }),
  },
  AutomationAccessEntry: {
    principalType: (grant) => (grant.userId ? 'USER' : grant.roleId ? 'ROLE' : 'SERVICE_ACCOUNT'),
    principalId: (grant) => grant.userId ?? grant.roleId ?? grant.serviceAccountId ?? '',
    displayName: async (grant, _args, ctx) => {
      if (grant.userId) return (await mustLoad(ctx.loaders.users, grant.userId, 'User')).name;
      if (grant.roleId) return (await mustLoad(ctx.loaders.roles, grant.roleId, 'Role')).name;
      return (await mustLoad(ctx.loaders.serviceAccounts, grant.serviceAccountId ?? '', 'ServiceAccount')).name;
    },
    permissions: (grant) =>
      grant.permissions.flatMap((p) => {
        switch (p) {
          case 'run':
            return ['RUN' as const];
          case 'traces':
            return ['TRACES' as const];
          case 'manage_settings':
            return ['MANAGE_SETTINGS' as const];
          case 'human_in_the_loop':
            return ['HUMAN_IN_THE_LOOP' as const];
          case 'full_access':
            return ['FULL_ACCESS' as const];
          default:
            return [];
        }
      }),
  },
  Mutation: {
    updateAutomation: async (_root, { id, input }, ctx) => {
      const automation = await loadFound(ctx.loaders.automations, id, 'Automation');
      const name = input.name != null ? requiredText(input.name, 'name', AUTOMATION_NAME_MAX) : undefined;
      const patch = { ...(name !== undefined ? { name } : {}), ...textFields(input, { description: 2000 }) };
      return found(
        await withUniqueName(automationNameTaken(name ?? ''), () => updateAutomation(ctx.db, automation.organizationId, automation.id, patch)),
        'Automation',
        id,
      );
    },
    setAutomationAccess: async (_root, { id, visibility, access }, ctx) => {
      const automation = await loadFound(ctx.loaders.automations, id, 'Automation');
      const entries = await Promise.all(
        access.map(async (entry) => {
          const permissions = [...new Set((entry.permissions ?? []).map((p) => p.toLowerCase()))];
          const [resolved] = await resolveAccessEntries(ctx, automation.organizationId, [entry], permissions);
          if (!resolved) throw new NotFoundError(entry.principalType, entry.principalId);
          return resolved;
        }),
      );
      const updated = await inTransaction(ctx.db, async (trx) => {
        await replaceGrants(trx, automation.organizationId, 'AUTOMATION', automation.id, entries);
        return updateAutomation(trx, automation.organizationId, automation.id, { visibility });
      });
      return found(updated, 'Automation', id);
    },
  },
};
