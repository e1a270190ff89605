import { BadUserInputError, ForbiddenError, NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { createdBy, loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { optionalText, requiredText } from '../../graphql/validate.js';
import { deciderFor } from '../automations/automation-access.js';
import { AUTOMATION_NAME_MAX } from '../automations/automation-names.js';
import type { AutomationRow } from '../automations/automations.table.js';
import { planEnvVars, planLlmConnection, planSource } from './deploy-plan.js';
import { deploy } from './deploy-service.js';
import { countDeployments, findVersion, listDeployments } from './deployments.repository.js';
import type { DeploymentRow } from './deployments.table.js';
import { recheckEnvVars, recheckLlmConnection } from './redeploy-checks.js';
import { removeAutomation } from './remove-automation.js';
import { planStudioSnapshot } from './studio-source.js';
import type { GraphQLContext } from '../../graphql/context.js';

/**
 * A new version from an earlier one's source and attachments (redeploy, rollback), each checked
 * again for the caller (redeploy-checks.ts); a Studio version reuses its snapshot.
 */
async function deployAgain(ctx: GraphQLContext, automation: AutomationRow, from: DeploymentRow, rollbackOfVersion: number | null, field: string) {
  const planned =
    from.sourceType === 'STUDIO'
      ? await planStudioSnapshot(ctx, from, field)
      : await planSource(ctx, automation.organizationId, { gitRepoId: from.gitRepoId, ref: from.gitRef, archiveId: from.archiveId });
  const envVars = await recheckEnvVars(ctx, from, field);
  const llmConnection = await recheckLlmConnection(ctx, from, field);
  return deploy(ctx, { organizationId: automation.organizationId, automation: { existing: automation }, planned, envVars, llmConnection, rollbackOfVersion });
}

export const deploymentsResolvers: Resolvers = {
  Automation: {
    deployments: (automation, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listDeployments(ctx.db, automation.id, page),
        () => countDeployments(ctx.db, automation.id),
      ),
    latestDeployment: (automation, _args, ctx) => ctx.loaders.latestDeployment.load(automation.id),
  },
  Deployment: {
    // Served from the request's loader, which the rule (parentAutomationAction) filled already.
    automation: (deployment, _args, ctx) => mustLoad(ctx.loaders.automations, deployment.automationId, 'Automation'),
    deployedBy: (deployment, args, ctx) => createdBy({ createdByUserId: deployment.deployedByUserId }, args, ctx),
  },
  Mutation: {
    deployAutomation: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      let automation: { existing: AutomationRow } | { create: { name: string; description: string; visibility: 'ORGANIZATION' | 'PRIVATE' } };
      if (input.automationId != null) {
        const id = parseUuid(input.automationId);
        const existing = id ? await ctx.loaders.automations.load(id) : null;
        const decideAction = existing && existing.organizationId === orgId ? await deciderFor(ctx, existing) : null;
        if (!existing || !decideAction || !decideAction('VIEW').allowed) throw new NotFoundError('Automation', input.automationId);
        const manage = decideAction('MANAGE_SETTINGS');
        if (!manage.allowed)
          throw new ForbiddenError(`Mutation.deployAutomation of a new version needs manage_settings on the automation: ${manage.explanation}`, {
            permission: 'manage_settings',
          });
        automation = { existing };
      } else {
        if (input.name == null)
          throw new BadUserInputError('name is required to deploy a new automation (or pass automationId for a new version).', { field: 'name' });
        const organization = await ctx.loaders.organizations.load(orgId);
        automation = {
          create: {
            name: requiredText(input.name, 'name', AUTOMATION_NAME_MAX),
            description: optionalText(input.description, 'description', 2000) ?? '',
            visibility: input.visibility ?? organization?.defaultAutomationVisibility ?? 'ORGANIZATION',
          },
        };
      }
      const planned = await planSource(ctx, orgId, input.source);
      const envVars = await planEnvVars(ctx, orgId, input.envVarIds ?? []);
      const llmConnection = await planLlmConnection(ctx, orgId, input.llmConnectionId);
      return deploy(ctx, { organizationId: orgId, automation, planned, envVars, llmConnection, rollbackOfVersion: null });
    },
    redeployAutomation: async (_root, { id }, ctx) => {
      const automation = await loadFound(ctx.loaders.automations, id, 'Automation');
      const latest = await ctx.loaders.latestDeployment.load(automation.id);
      if (!latest) throw new BadUserInputError('This automation has no deployment to redeploy; use deployAutomation.');
      return deployAgain(ctx, automation, latest, null, 'Mutation.redeployAutomation');
    },
    rollbackAutomation: async (_root, { id, toVersion }, ctx) => {
      const automation = await loadFound(ctx.loaders.automations, id, 'Automation');
      const earlier = await findVersion(ctx.db, automation.id, toVersion);
      if (!earlier) throw new NotFoundError('Deployment version', toVersion);
      return deployAgain(ctx, automation, earlier, toVersion, 'Mutation.rollbackAutomation');
    },
    deleteAutomation: async (_root, { id }, ctx) => removeAutomation(ctx, await loadFound(ctx.loaders.automations, id, 'Automation')),
  },
};
