import type { GraphQLContext } from '../../graphql/context.js';
import { isStorableText } from '../../db/storable-text.js';
import { BadUserInputError } from '../../errors.js';
import type { AutomationRow } from '../automations/automations.table.js';
import { latestDeployedVersion } from '../deployments/deployments.repository.js';
import { advanceExecution, insertExecution, OPEN_STATUSES } from './executions.repository.js';
import type { ExecutionRow } from './executions.table.js';
import { sendKickoff } from './kickoff.js';
import { runnerUrl } from './runner-url.js';
import { inTransaction } from '../../db/transaction.js';
import { enqueueWebhookEvent } from '../webhooks/enqueue-event.js';

/** Largest `inputs` a run accepts, as JSON. */
export const MAX_INPUT_BYTES = 64 * 1024;

/** The inputs as JSON text, refused (BAD_USER_INPUT) when too large or not storable. */
function inputsJson(inputs: Record<string, unknown>): string {
  const text = JSON.stringify(inputs, (key, value: unknown) => {
    if (!isStorableText(key) || (typeof value === 'string' && !isStorableText(value))) {
      throw new BadUserInputError('inputs may not contain NUL characters or unpaired UTF-16 surrogates.', { field: 'inputs' });
    }
    return value;
  });
  if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES)
    throw new BadUserInputError(`inputs must be at most ${MAX_INPUT_BYTES} bytes of JSON.`, { field: 'inputs' });
  return text;
}

/**
 * SPEC §3 `run`: records the execution first, then forwards the kickoff to the deployed
 * automation's runtime. Every outcome is on the record: RUNNING once the runtime took it, FAILED
 * with the reason when there was nothing to send it to or the forward failed. No run is lost
 * silently, and none is forwarded without a record the runtime's spans can be filed under.
 */
export async function runAutomation(ctx: GraphQLContext, automation: AutomationRow, inputs: Record<string, unknown>): Promise<ExecutionRow> {
  const json = inputsJson(inputs);
  const deployment = automation.deletedAt ? undefined : await latestDeployedVersion(ctx.db, automation.id);
  const principal = ctx.authz.principal;
  const base = {
    organizationId: automation.organizationId,
    automationId: automation.id,
    inputs: json,
    startedByUserId: ctx.authz.userId,
    startedByServiceAccountId: principal?.kind === 'service_account' ? principal.serviceAccountId : null,
  };
  if (!deployment) {
    const error = automation.deletedAt
      ? 'This automation was deleted: its runtime is gone. Deploy it again as a new automation to run it.'
      : 'This automation has no deployed version to run: no deploy of it has reached the cluster. Deploy it (or redeploy it) and run it again.';
    return inTransaction(ctx.db, async (trx) => {
      const failed = await insertExecution(trx, { ...base, deploymentId: null, status: 'FAILED', error, finishedAt: new Date() });
      await enqueueWebhookEvent(trx, { type: 'execution.finished', execution: failed });
      return failed;
    });
  }
  const execution = await insertExecution(ctx.db, { ...base, deploymentId: deployment.id, status: 'QUEUED' });
  // The kickoff goes out once the execution (and its audit entry) committed: the runtime's first
  // spans name it, and no database connection waits on the runtime's answer.
  const kickoff = (outer: GraphQLContext) => sendAndRecord(outer, automation, deployment, execution, json);
  if (ctx.afterCommit) {
    ctx.afterCommit(kickoff);
    return execution;
  }
  return kickoff(ctx);
}

/** Forwards the kickoff and records what came of it: RUNNING, or FAILED with the reason. */
async function sendAndRecord(
  ctx: GraphQLContext,
  automation: AutomationRow,
  deployment: { id: string; namespace: string; version: number },
  execution: ExecutionRow,
  json: string,
): Promise<ExecutionRow> {
  const url = runnerUrl(ctx.config.k8s.runnerUrlTemplate, {
    automationId: automation.id,
    namespace: deployment.namespace,
    organizationId: String(automation.organizationId),
  });
  const body = `{"executionId":${JSON.stringify(execution.id)},"inputs":${json}}`;
  const outcome = await sendKickoff(url, body, ctx.config.k8s.runnerTimeoutMs, ctx.requestId);
  if (outcome.delivered) {
    ctx.logger.info({ executionId: execution.id, automationId: automation.id, version: deployment.version }, 'execution started');
    return advanceExecution(ctx.db, execution.id, ['QUEUED'], { status: 'RUNNING' });
  }
  ctx.logger.warn({ executionId: execution.id, automationId: automation.id, reason: outcome.reason }, 'kickoff failed');
  return inTransaction(ctx.db, async (trx) => {
    const failed = await advanceExecution(trx, execution.id, OPEN_STATUSES, { status: 'FAILED', error: outcome.reason, finishedAt: new Date() });
    await enqueueWebhookEvent(trx, { type: 'execution.finished', execution: failed });
    return failed;
  });
}
