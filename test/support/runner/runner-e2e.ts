import { DEPLOY, type DeploymentResult } from '../automation-fixtures.js';
import { run, type RunResult } from '../execution-fixtures.js';
import { expectAllowed } from '../expect.js';
import { answerOk, OF_AUTOMATION, type HitlRequestResult } from '../hitl-fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../k8s-setup.js';
import { startPodNetwork, type PodNetwork } from './pod-network.js';
import { LOCAL_OVERRIDES, podEnvironment, startRunner, type RunnerProcess } from './runner-process.js';

/**
 * The whole path of README "Runner contract" on one machine: the gateway on the Kubernetes
 * stand-in, a pod network (pod-network.ts), and reference runners started from what the deploy
 * applied, as the kubelet would start the container.
 */
export interface RunnerEnv {
  cluster: ClusterEnv;
  network: PodNetwork;
  org: Awaited<ReturnType<typeof isolatedOrg>>;
  /** Deploys through GraphQL; the deployment and the new automation's id. */
  deploy(source: Record<string, unknown>): Promise<{ deployment: DeploymentResult; automationId: string }>;
  /** The container's environment as applied: the Secret's data and the Deployment's env. */
  podEnv(automationId: string): Promise<Record<string, string>>;
  /** Starts a runner with exactly `env` plus LOCAL_OVERRIDES, as the automation's only pod. */
  launch(automationId: string, env: Record<string, string>): Promise<RunnerProcess>;
  /** What the runners printed, for a timeout's message: a run that never asks or ends says why there. */
  runnerOutput(): string;
  close(): Promise<void>;
}

export async function startRunnerEnv(): Promise<RunnerEnv> {
  const network = await startPodNetwork();
  const cluster = await startClusterEnv('automatic', {
    INGEST_BASE_URL: network.ingestBaseUrl,
    RUNNER_URL_TEMPLATE: network.runnerUrlTemplate,
    HITL_FORWARD_URL_TEMPLATE: network.hitlForwardUrlTemplate,
  });
  network.setGateway(new URL(cluster.gw.url).origin);
  const org = await isolatedOrg(cluster.gw);
  const runners: RunnerProcess[] = [];
  let n = 0;
  return {
    cluster,
    network,
    org,
    async deploy(source) {
      const data = await expectAllowed<{ deployAutomation: DeploymentResult }>(cluster.gw, org.owner.token, DEPLOY, {
        org: String(org.organizationId),
        input: { name: `runner-e2e-${++n}`, source },
      });
      const row = await cluster.gw.db
        .selectFrom('automationDeployments')
        .select('automationId')
        .where('id', '=', data.deployAutomation.id)
        .executeTakeFirstOrThrow();
      return { deployment: data.deployAutomation, automationId: row.automationId };
    },
    podEnv: (automationId) => podEnvironment(cluster.stub.kubeConfig(), org.namespace, automationId),
    async launch(automationId, env) {
      const runner = await startRunner({ ...env, ...LOCAL_OVERRIDES });
      runners.push(runner);
      network.addPod(org.namespace, automationId, runner.port);
      return runner;
    },
    runnerOutput: () => runners.map((runner) => `events ${JSON.stringify(runner.events)} stderr ${runner.stderr()}`).join('; '),
    async close() {
      await Promise.all(runners.map((runner) => runner.stop()));
      await cluster.close();
      await network.close();
    },
  };
}

/** Polls `read` until it returns a value (not undefined), or fails after `timeoutMs` saying `what`. */
export async function eventually<T>(what: () => string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface StoredSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  statusCode: string;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  resource: { attributes: Record<string, unknown> };
  inputTokens: number | null;
  outputTokens: number | null;
}

export interface FinishedExecution {
  status: string;
  error: string | null;
  finishedAt: string | null;
  spans: StoredSpan[];
}

const EXECUTION = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { status error finishedAt
  spans(first: 50) { edges { node { spanId parentSpanId name kind statusCode statusMessage attributes resource { attributes } inputTokens outputTokens } } } } } }`;

/** The execution once it has ended, with its spans, read through GraphQL. */
export async function finishedExecution(h: RunnerEnv, executionId: string): Promise<FinishedExecution> {
  return eventually(
    () => `execution ${executionId} to end; runners: ${h.runnerOutput()}`,
    async () => {
      const data = await expectAllowed<{ organization: { execution: Omit<FinishedExecution, 'spans'> & { spans: { edges: Array<{ node: StoredSpan }> } } } }>(
        h.cluster.gw,
        h.org.owner.token,
        EXECUTION,
        { o: String(h.org.organizationId), id: executionId },
      );
      const execution = data.organization.execution;
      if (execution.status === 'QUEUED' || execution.status === 'RUNNING') return undefined;
      return { ...execution, spans: execution.spans.edges.map((edge) => edge.node) };
    },
  );
}

/** The question an execution asked, once the gateway has it, pending. */
export async function pendingQuestion(h: RunnerEnv, automationId: string, executionId: string): Promise<HitlRequestResult> {
  return eventually(
    () => `a question from execution ${executionId}; runners: ${h.runnerOutput()}`,
    async () => {
      const data = await expectAllowed<{ organization: { automation: { hitlRequests: { edges: Array<{ node: HitlRequestResult }> } } } }>(
        h.cluster.gw,
        h.org.owner.token,
        OF_AUTOMATION,
        { org: String(h.org.organizationId), id: automationId, status: 'PENDING' },
      );
      return data.organization.automation.hitlRequests.edges.map((edge) => edge.node).find((node) => node.executionId === executionId);
    },
  );
}

export interface Exchange {
  kickoff: RunResult;
  question: HitlRequestResult;
  answered: HitlRequestResult;
  execution: FinishedExecution;
}

/**
 * README "Runner contract", from kickoff to end: runAutomation kicks the runner off, the runner
 * asks a question, the test answers it through GraphQL (answerHitlRequest), and the run ends.
 */
export async function runAndAnswer(h: RunnerEnv, automationId: string, inputs: Record<string, unknown>, answer: Record<string, unknown>): Promise<Exchange> {
  const kickoff = await run(h.cluster.gw, h.org.owner.token, automationId, inputs);
  const question = await pendingQuestion(h, automationId, kickoff.id);
  const answered = await answerOk(h.cluster.gw, h.org.owner.token, question.id, answer);
  return { kickoff, question, answered, execution: await finishedExecution(h, kickoff.id) };
}
