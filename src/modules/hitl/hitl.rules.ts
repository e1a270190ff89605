import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';
import { automationAction } from '../automations/automation.rule.js';
import { parentAutomationAction } from '../automations/parent-automation.rule.js';
import { hitlRequestAction } from './hitl-request.rule.js';

/** Issue 4 "Human in the loop", on SPEC §3's human_in_the_loop permission. */
const humanInTheLoop = hitlRequestAction('HUMAN_IN_THE_LOOP');

export const hitlAuthorization: ModuleAuthorization = {
  rules: {
    Automation: {
      hitlRequests: automationAction('HUMAN_IN_THE_LOOP', 'parent'),
    },
    Organization: {
      // The list is filtered in SQL by mayActOn(scope, 'human_in_the_loop'), the guard's own rule.
      pendingHitlRequests: feature('crews_dashboards', 'READ', 'parent.id'),
    },
    Mutation: {
      answerHitlRequest: humanInTheLoop,
      retryHitlForward: humanInTheLoop,
    },
    HitlRequest: { automation: parentAutomationAction('VIEW') },
  },
  inherits: {
    HitlRequest: {
      fields: [
        'id',
        'executionId',
        'question',
        'context',
        'status',
        'createdAt',
        'expiresAt',
        'answer',
        'answeredBy',
        'answeredAt',
        'forwardStatus',
        'forwardError',
        'forwardAttempts',
        'lastForwardAttemptAt',
      ],
      reason: 'a request of an automation on which the caller has human_in_the_loop: every field returning one checks it, in the guard or in SQL',
    },
    HitlResponder: {
      fields: ['principalType', 'principalId', 'displayName'],
      reason: 'who answered a request the caller may see (HitlRequest.answeredBy): a name, never an email',
      partOf: ['HitlRequest'],
    },
    HitlRequestConnection: { fields: '*', reason: 'page of requests filtered by human_in_the_loop on their automation' },
    HitlRequestEdge: { fields: '*', reason: 'edge of a HitlRequestConnection' },
  },
};
