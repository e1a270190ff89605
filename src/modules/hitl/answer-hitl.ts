import { ConflictError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { jsonObject } from '../../graphql/validate.js';
import { forwardUrl, postAnswer, type ForwardOutcome, type ForwardPayload } from './forward-answer.js';
import { answerIfOpen, claimRetry, findHitlRequest, markExpired, recordForward } from './hitl.repository.js';
import type { HitlRequestRow } from './hitl.table.js';

export const ANSWER_MAX_BYTES = 65_536;

async function responder(ctx: GraphQLContext, row: HitlRequestRow): Promise<ForwardPayload['answeredBy']> {
  if (row.answeredByUserId) {
    return { principalType: 'USER', id: row.answeredByUserId, name: (await ctx.loaders.users.load(row.answeredByUserId))?.name ?? '' };
  }
  if (row.answeredByServiceAccountId) {
    const account = await ctx.loaders.serviceAccounts.load(row.answeredByServiceAccountId);
    return { principalType: 'SERVICE_ACCOUNT', id: row.answeredByServiceAccountId, name: account?.name ?? '' };
  }
  return null;
}

/**
 * One delivery attempt of a recorded answer (the caller has claimed it). Whatever happens, the
 * outcome is recorded on the request, so a lost answer is always visible as FAILED with a reason.
 */
async function deliver(ctx: GraphQLContext, row: HitlRequestRow): Promise<HitlRequestRow> {
  let outcome: ForwardOutcome;
  try {
    const deployment = await mustLoad(ctx.loaders.deployments, row.deploymentId, 'Deployment');
    const payload: ForwardPayload = { requestId: row.id, answer: row.answer ?? {}, answeredBy: await responder(ctx, row) };
    outcome = await postAnswer(forwardUrl(ctx.config.k8s, row, deployment.namespace), payload, ctx.config.k8s.hitlForwardTimeoutMs);
  } catch (error) {
    ctx.logger.error({ err: error, hitlRequestId: row.id }, 'human-in-the-loop forward failed unexpectedly');
    outcome = {
      delivered: false,
      error: `The forward failed with an internal error (request ${ctx.requestId}). The answer is recorded; retry with Mutation.retryHitlForward.`,
    };
  }
  const recorded = await recordForward(ctx.db, row.id, outcome);
  const fields = { hitlRequestId: row.id, automationId: row.automationId, attempt: recorded.forwardAttempts };
  if (outcome.delivered) ctx.logger.info(fields, 'human-in-the-loop answer delivered');
  else ctx.logger.warn({ ...fields, error: outcome.error }, 'human-in-the-loop answer not delivered');
  return recorded;
}

/**
 * Records the answer, once, then forwards it. The request is re-read after a lost race so that
 * the CONFLICT says what actually happened: answered by someone else, or expired.
 */
export async function answerRequest(ctx: GraphQLContext, request: HitlRequestRow, answer: Record<string, unknown>): Promise<HitlRequestRow> {
  const automation = await mustLoad(ctx.loaders.automations, request.automationId, 'Automation');
  if (automation.deletedAt) throw new ConflictError('The automation that asked this was deleted; nothing is waiting for the answer.');
  const principal = ctx.authz.principal;
  const answered = await answerIfOpen(ctx.db, request.id, {
    answer: jsonObject(answer, 'answer', ANSWER_MAX_BYTES),
    userId: ctx.authz.userId,
    serviceAccountId: principal?.kind === 'service_account' ? principal.serviceAccountId : null,
  });
  if (answered) return deliver(ctx, answered);
  const current = (await findHitlRequest(ctx.db, request.id)) ?? request;
  if (current.status === 'ANSWERED') {
    throw new ConflictError(
      `This request was already answered (at ${current.answeredAt?.toISOString() ?? 'an earlier time'}); a request answers once. Read its answer and answeredBy.`,
    );
  }
  await markExpired(ctx.db, request.id);
  throw new ConflictError(`This request expired at ${current.expiresAt.toISOString()}; the automation no longer waits for an answer.`);
}

/** Delivers a recorded answer again after a failed forward (or one stuck by a crash). */
export async function retryForward(ctx: GraphQLContext, request: HitlRequestRow): Promise<HitlRequestRow> {
  // An attempt still PENDING after twice the timeout was abandoned by a process that died.
  const claimed = await claimRetry(ctx.db, request.id, 2 * ctx.config.k8s.hitlForwardTimeoutMs);
  if (claimed) return deliver(ctx, claimed);
  const current = (await findHitlRequest(ctx.db, request.id)) ?? request;
  if (current.status !== 'ANSWERED') throw new ConflictError('This request has no answer to forward yet; answer it with Mutation.answerHitlRequest.');
  if (current.forwardStatus === 'DELIVERED') throw new ConflictError('The answer was already delivered to the automation; there is nothing to retry.');
  throw new ConflictError(
    `A delivery of this answer is in progress (started ${current.forwardAttemptedAt?.toISOString() ?? 'just now'}); read forwardStatus again shortly.`,
  );
}
