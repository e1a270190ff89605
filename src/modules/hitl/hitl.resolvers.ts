import { actorDisplayName, actorOf } from '../../graphql/actor.js';
import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { automationScope } from '../automations/automation-access.js';
import { answerRequest, retryForward } from './answer-hitl.js';
import { countAutomationRequests, countPendingRequests, listAutomationRequests, listPendingRequests } from './hitl.repository.js';

export const hitlResolvers: Resolvers = {
  Automation: {
    hitlRequests: (automation, args, ctx) => {
      const status = args.status ?? null;
      return pageOf(
        args,
        ctx,
        (page) => listAutomationRequests(ctx.db, automation.id, status, page),
        () => countAutomationRequests(ctx.db, automation.id, status),
      );
    },
  },
  Organization: {
    pendingHitlRequests: async (org, args, ctx) => {
      const scope = await automationScope(ctx, org.id);
      if (!scope) throw new NotFoundError('Organization', org.id);
      return pageOf(
        args,
        ctx,
        (page) => listPendingRequests(ctx.db, scope, page),
        () => countPendingRequests(ctx.db, scope),
      );
    },
  },
  HitlRequest: {
    automation: (request, _args, ctx) => mustLoad(ctx.loaders.automations, request.automationId, 'Automation'),
    // A PENDING row past its expiry is EXPIRED, as in the repository's `statusIs` filter.
    status: (request) => (request.status === 'PENDING' && request.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : request.status),
    answeredBy: (request) => actorOf(request.answeredByUserId, request.answeredByServiceAccountId),
    lastForwardAttemptAt: (request) => request.forwardAttemptedAt,
  },
  HitlResponder: {
    displayName: (responder, _args, ctx) => actorDisplayName(responder, ctx),
  },
  Mutation: {
    answerHitlRequest: async (_root, { id, answer }, ctx) => answerRequest(ctx, await loadFound(ctx.loaders.hitlRequests, id, 'HitlRequest'), answer),
    retryHitlForward: async (_root, { id }, ctx) => retryForward(ctx, await loadFound(ctx.loaders.hitlRequests, id, 'HitlRequest')),
  },
};
