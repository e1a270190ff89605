import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference-runner.mjs');

/**
 * The environment the kubelet gives the automation's container, read back from the cluster as
 * applied: each `envFrom` Secret's data, then the container's `env`, which wins on a clash
 * (Kubernetes' rule). A `valueFrom` the manifests never use is refused rather than guessed at.
 */
export async function podEnvironment(kubeConfig: KubeConfig, namespace: string, automationId: string): Promise<Record<string, string>> {
  const deployment = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name: `automation-${automationId}` });
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'runner');
  if (!container) throw new Error(`automation-${automationId} in ${namespace} has no runner container`);
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.secretRef?.name;
    if (!name) throw new Error(`envFrom other than a secretRef: ${JSON.stringify(source)}`);
    const secret = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name });
    for (const [key, value] of Object.entries(secret.data ?? {})) env[`${source.prefix ?? ''}${key}`] = Buffer.from(value, 'base64').toString('utf8');
  }
  for (const variable of container.env ?? []) {
    if (variable.value === undefined) throw new Error(`env ${variable.name} has no plain value`);
    env[variable.name] = variable.value;
  }
  return env;
}

/**
 * What the container image adds to the pod's environment (its Dockerfile ENV), and the address a
 * test needs because there is no pod network: any free port on the loopback interface.
 */
export const LOCAL_OVERRIDES = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1' };

/** One line the runner printed on stdout. */
export interface RunnerEvent {
  event: string;
  [key: string]: unknown;
}

export interface RunnerProcess {
  port: number;
  events: RunnerEvent[];
  stderr(): string;
  /** Resolves with the first event (already printed or still to come) that `match` accepts. */
  waitFor(match: (event: RunnerEvent) => boolean, timeoutMs?: number): Promise<RunnerEvent>;
  stop(): Promise<void>;
}

/** The runner exited before the awaited event, at start when its code could not be fetched or verified. */
export class RunnerStartError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`the reference runner exited with ${exitCode} before listening: ${stderr}`);
  }
}

/** Starts test/support/runner/reference-runner.mjs with exactly `env`; resolves once it listens. */
export async function startRunner(env: Record<string, string>): Promise<RunnerProcess> {
  const child = spawn(process.execPath, [RUNNER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: RunnerEvent[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  let pending = '';
  let exitCode: number | null | undefined;
  const notify = () => [...listeners].forEach((listener) => listener());
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) events.push(JSON.parse(line) as RunnerEvent);
    notify();
  });
  // 'close' comes after stdout and stderr have ended, so both are complete by then.
  const closed = new Promise<void>((resolve) =>
    child.once('close', (code) => {
      exitCode = code;
      notify();
      resolve();
    }),
  );

  const waitFor = (match: (event: RunnerEvent) => boolean, timeoutMs = 20_000) =>
    new Promise<RunnerEvent>((resolve, reject) => {
      const finish = (outcome: RunnerEvent | Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      function check() {
        const found = events.find(match);
        if (found) finish(found);
        else if (exitCode !== undefined) finish(new RunnerStartError(exitCode, stderr));
      }
      const timer = setTimeout(
        () => finish(new Error(`no such runner event within ${timeoutMs} ms; events ${JSON.stringify(events)}, stderr ${stderr}`)),
        timeoutMs,
      );
      listeners.add(check);
      check();
    });

  const listening = await waitFor((e) => e.event === 'listening');
  return {
    port: Number(listening.port),
    events,
    stderr: () => stderr,
    waitFor,
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      await closed;
    },
  };
}
