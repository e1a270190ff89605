import { runnerTelemetryEnv } from './runner-env.js';
import { randomUUID } from 'node:crypto';
import { generateIngestToken } from '../../crypto/opaque-token.js';
import { replaceGrants } from '../../authz/entity-grants.repository.js';
import { withUniqueName } from '../../db/unique-name.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { SupersededError } from '../../k8s/superseded-error.js';
import { KubeCallError } from '../../k8s/kube-error.js';
import { automationObjects, redacted } from '../../k8s/manifests.js';
import { NO_CLUSTER_MESSAGE } from '../../k8s/messages.js';
import { asProvisionError } from '../../k8s/provision-namespace.js';
import { insertAutomation, lockAutomation } from '../automations/automations.repository.js';
import { automationNameTaken } from '../automations/automation-names.js';
import type { AutomationRow } from '../automations/automations.table.js';
import { openEnvVarValue } from '../env-vars/env-var-secrets.js';
import { readCredentialEnv } from '../git-repos/git-read-credential.js';
import type { EnvVarRow } from '../env-vars/env-vars.table.js';
import { openApiKey } from '../llm-connections/llm-connection-secrets.js';
import type { LlmConnectionRow } from '../llm-connections/llm-connections.table.js';
import { ensureNamespace } from '../namespaces/ensure-namespace.js';
import { markNamespaceStale } from '../namespaces/namespaces.repository.js';
import { resolveNamespace, type NamespaceTarget } from '../namespaces/resolve-namespace.js';
import type { AutomationVisibility } from '../organizations/organizations.table.js';
import type { PlannedSource } from './planned-source.js';
import { insertDeployment, nextVersion, updateDeployment } from './deployments.repository.js';
import { insertStudioSnapshot } from './studio-snapshots.repository.js';
import type { DeploymentRow } from './deployments.table.js';
import { completeMove, namespaceToLeave } from './move-automation.js';
import { inTransaction } from '../../db/transaction.js';
import { enqueueWebhookEvent } from '../webhooks/enqueue-event.js';
import { deployFailureReason, type DeployFailureReason, type DeployOutcome } from '../../observability/deploy-outcome.js';

export interface DeployRequest {
  organizationId: number;
  automation: { existing: AutomationRow } | { create: { name: string; description: string; visibility: AutomationVisibility } };
  planned: PlannedSource;
  envVars: EnvVarRow[];
  llmConnection: LlmConnectionRow | null;
  rollbackOfVersion: number | null;
}

type Objects = ReturnType<typeof automationObjects>;

function secretData(ctx: GraphQLContext, envVars: EnvVarRow[], llm: LlmConnectionRow | null): Record<string, string> {
  const data: Record<string, string> = {};
  for (const row of envVars) data[row.name] = openEnvVarValue(ctx.secrets, row);
  if (llm) {
    data.GATEHOUSE_LLM_PROVIDER = llm.provider;
    data.GATEHOUSE_LLM_API_KEY = openApiKey(ctx.secrets, llm);
    if (llm.baseUrl) data.GATEHOUSE_LLM_BASE_URL = llm.baseUrl;
    if (llm.defaultModel) data.GATEHOUSE_LLM_MODEL = llm.defaultModel;
  }
  return data;
}

/**
 * Records the version (a new automation with the deployer's full_access grant, SPEC §3 rule 5, or
 * the next version of an existing one) in one transaction, then applies it, after that
 * transaction has committed.
 */
export async function deploy(ctx: GraphQLContext, request: DeployRequest): Promise<DeploymentRow> {
  const { organizationId } = request;
  const target = await resolveNamespace(ctx.db, ctx.config.k8s, organizationId);
  const ingest = generateIngestToken();
  const data = {
    ...secretData(ctx, request.envVars, request.llmConnection),
    // The repository's read credential as it is now, so that a redeploy picks up a rotated token.
    ...(request.planned.gitRepo ? readCredentialEnv(ctx.secrets, request.planned.gitRepo) : {}),
    // The automation reports spans with a standard OpenTelemetry exporter, configured by these.
    ...runnerTelemetryEnv(ctx.config, ingest.token),
  };
  const principal = ctx.authz.principal;
  const { deployment, objects } = await inTransaction(ctx.db, async (trx) => {
    let automationId: string;
    let version = 1;
    if ('create' in request.automation) {
      const spec = request.automation.create;
      automationId = randomUUID();
      await withUniqueName(automationNameTaken(spec.name), () =>
        insertAutomation(trx, { id: automationId, organizationId, ...spec, createdByUserId: ctx.authz.userId }),
      );
      const deployer =
        principal?.kind === 'service_account'
          ? { userId: null, serviceAccountId: principal.serviceAccountId }
          : { userId: ctx.authz.userId, serviceAccountId: null };
      await replaceGrants(trx, organizationId, 'AUTOMATION', automationId, [{ ...deployer, roleId: null, permissions: ['full_access'] }]);
    } else {
      const locked = await lockAutomation(trx, organizationId, request.automation.existing.id);
      if (!locked) throw new NotFoundError('Automation', request.automation.existing.id);
      if (locked.deletedAt) throw new ConflictError('This automation was deleted; deploy it again as a new automation.');
      automationId = locked.id;
      version = await nextVersion(trx, automationId);
    }
    const objects = automationObjects({
      organizationId,
      automationId,
      version,
      namespace: target.namespace,
      runnerImage: ctx.config.k8s.runnerImage,
      registrySecretName: ctx.config.k8s.registrySecretName,
      source: request.planned.source,
      secretData: data,
    });
    const source = request.planned.source;
    const studio = request.planned.studio;
    // A new Studio deploy freezes its document here, in the version's transaction; redeploy and
    // rollback reuse the snapshot of the version they start from.
    const studioSnapshotId = !studio
      ? null
      : 'id' in studio.snapshot
        ? studio.snapshot.id
        : (
            await insertStudioSnapshot(trx, {
              organizationId,
              studioProjectId: studio.projectId,
              projectName: studio.projectName,
              document: studio.snapshot.document,
              sha256: studio.sha256,
            })
          ).id;
    const deployment = await insertDeployment(trx, {
      organizationId,
      automationId,
      version,
      sourceType: source.type,
      gitRepoId: request.planned.gitRepoId,
      gitRepoFullName: source.type === 'GIT' ? source.repository : null,
      gitRef: source.type === 'GIT' ? source.ref : null,
      archiveId: request.planned.archiveId,
      archiveSha256: source.type === 'ZIP' ? source.sha256 : null,
      studioProjectId: studio?.projectId ?? null,
      studioProjectName: studio?.projectName ?? null,
      studioSnapshotId,
      studioDefinitionSha256: studio?.sha256 ?? null,
      envVarIds: request.envVars.map((row) => row.id),
      llmConnectionId: request.llmConnection?.id ?? null,
      namespace: target.namespace,
      isolated: target.isolated,
      manifests: JSON.stringify(redacted(objects)),
      rollbackOfVersion: request.rollbackOfVersion,
      deployedByUserId: ctx.authz.userId,
      deployedByServiceAccountId: principal?.kind === 'service_account' ? principal.serviceAccountId : null,
      ingestTokenHash: ingest.hash,
    });
    return { deployment, objects };
  });
  // The version is recorded (and, in an audited mutation, committed with its audit entry) before
  // any Kubernetes call: no database connection is held while the cluster answers, and a deploy
  // cut short (a shutdown, a crash) leaves a row a redeploy can follow.
  if (ctx.afterCommit) {
    ctx.afterCommit((outer) => outer.deploys.track(deployment, () => apply(outer, deployment, target, objects)));
    return deployment;
  }
  return ctx.deploys.track(deployment, () => apply(ctx, deployment, target, objects));
}

/** Provisions the namespace and applies the objects; every outcome ends in DEPLOYED, SUPERSEDED or FAILED. */
async function apply(ctx: GraphQLContext, deployment: DeploymentRow, target: NamespaceTarget, objects: Objects): Promise<DeploymentRow> {
  // Counted once the outcome is recorded, so that gatehouse_deploys_total agrees with the table.
  const finish = async (patch: Parameters<typeof updateDeployment>[2] & { status: DeployOutcome }, reason?: DeployFailureReason) => {
    const finished = await inTransaction(ctx.db, async (trx) => {
      const row = await updateDeployment(trx, deployment.id, { ...patch, finishedAt: new Date() });
      await enqueueWebhookEvent(trx, { type: 'deployment.finished', deployment: row });
      return row;
    });
    ctx.metrics.deployFinished(patch.status, reason);
    return finished;
  };
  const cluster = ctx.cluster;
  if (!cluster) return finish({ status: 'FAILED', message: NO_CLUSTER_MESSAGE, retryable: false }, 'no_cluster');
  await updateDeployment(ctx.db, deployment.id, { status: 'PROVISIONING' });
  // Recorded after the try: a failure to record the outcome is not a failure of the cluster.
  let deployed: Parameters<typeof finish>[0];
  try {
    await ensureNamespace(ctx.db, cluster, ctx.config.k8s, target);
    // Isolation turned on or off since the automation last deployed: this deploy moves it.
    const leaving = await namespaceToLeave(ctx.db, deployment.automationId, target.namespace);
    const secret = await cluster.applySecret(target.namespace, objects.secret);
    const applied = await cluster.applyDeployment(target.namespace, objects.deployment);
    // After the Deployment, so that the address runAutomation uses never points at nothing new.
    const service = await cluster.applyService(target.namespace, objects.service);
    if (leaving)
      await completeMove(cluster, ctx.config.k8s, {
        organizationId: deployment.organizationId,
        automationId: deployment.automationId,
        from: leaving,
        to: target.namespace,
      });
    const appliedObjects = [
      { apiVersion: 'v1', kind: 'Secret', namespace: target.namespace, name: objects.secret.metadata?.name ?? '', resourceVersion: secret.resourceVersion },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: target.namespace,
        name: objects.deployment.metadata?.name ?? '',
        resourceVersion: applied.resourceVersion,
      },
      { apiVersion: 'v1', kind: 'Service', namespace: target.namespace, name: objects.service.metadata?.name ?? '', resourceVersion: service.resourceVersion },
    ];
    ctx.logger.info({ deploymentId: deployment.id, namespace: target.namespace, version: deployment.version }, 'automation deployed');
    const moved = leaving ? `Moved from "${leaving}" to "${target.namespace}": the new version was ready before the old objects were removed.` : null;
    deployed = { status: 'DEPLOYED', message: moved, retryable: false, appliedObjects: JSON.stringify(appliedObjects) };
  } catch (error) {
    if (error instanceof SupersededError) {
      const { resource, name } = error.call;
      const message =
        `Version ${error.runningVersion} of this automation was applied in "${target.namespace}" while this version was applying (${resource} "${name ?? ''}" already carried it), ` +
        `so this one stopped instead of replacing it: the cluster runs version ${error.runningVersion}. Nothing to do; to run this version's source again, rollbackAutomation to version ${deployment.version}.`;
      ctx.logger.info(
        { deploymentId: deployment.id, namespace: target.namespace, version: deployment.version, runningVersion: error.runningVersion },
        'deploy superseded',
      );
      return finish({ status: 'SUPERSEDED', message, retryable: false });
    }
    let message: string;
    let retryable = false;
    let reason = deployFailureReason(error);
    try {
      const failure = asProvisionError(error, ctx.config.k8s, deployment.organizationId);
      message = failure.message;
      retryable = failure.retryable;
    } catch {
      ctx.logger.error({ err: error, deploymentId: deployment.id }, 'deploy failed unexpectedly');
      message = `The deploy failed with an internal error (request ${ctx.requestId}); nothing further was applied. Redeploy to retry.`;
      retryable = true;
      reason = 'internal';
    }
    // A namespace that vanished or lost its permissions must be provisioned again next time.
    if (error instanceof KubeCallError && (error.status === 403 || error.status === 404)) await markNamespaceStale(ctx.db, deployment.organizationId);
    ctx.logger.warn({ deploymentId: deployment.id, namespace: target.namespace, message }, 'deploy failed');
    return finish({ status: 'FAILED', message, retryable }, reason);
  }
  return finish(deployed);
}
