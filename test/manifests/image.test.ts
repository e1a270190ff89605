import fs from 'node:fs';
import path from 'node:path';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GATEWAY_PORT, GATEWAY_UID, gatewayManifests } from '../../src/k8s/gateway-manifests.js';
import { ROOT_DIR } from '../../src/paths.js';

// The Dockerfile and `gatehouse manifests` describe one container (issue 13 item 4): what the
// image declares is what the Deployment expects of it. `npm run image:check` builds the image and
// checks the same against the built image; this reads the Dockerfile, so it runs in every test run.

interface Instruction {
  stage: string;
  keyword: string;
  value: string;
}

/** The Dockerfile's instructions, continuation lines joined, each with the stage it is in. */
function dockerfile(): Instruction[] {
  const text = fs.readFileSync(path.join(ROOT_DIR, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  let stage = '';
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      const value = rest.join(' ');
      if (keyword.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)$/i.exec(value)?.[1] ?? value;
      return { stage, keyword: keyword.toUpperCase(), value };
    });
}

const instructions = dockerfile();
const stages = [...new Set(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.stage))];
const runtimeStage = stages[stages.length - 1];
const runtime = (keyword: string) => instructions.filter((i) => i.stage === runtimeStage && i.keyword === keyword).map((i) => i.value);
const imageEnv = Object.fromEntries(runtime('ENV').flatMap((value) => [...value.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));

const objects = gatewayManifests(loadConfig({ K8S_NAMESPACE: 'crewai' }));
const deployment = objects.find((o): o is V1Deployment => o.kind === 'Deployment');
const configMap = objects.find((o): o is V1ConfigMap => o.kind === 'ConfigMap');
const pod = deployment?.spec?.template.spec;
const container = pod?.containers[0];

describe('the Dockerfile builds what `gatehouse manifests` runs', () => {
  it('multi-stage: npm ci and the build in one stage, production dependencies only, on a public Node 22 image by default', () => {
    expect(instructions[0]).toMatchObject({ keyword: 'ARG' });
    expect(instructions[0]?.value).toMatch(/^NODE_IMAGE=node:22(-|$)/);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = instructions
      .filter((i) => i.keyword === 'RUN' && i.stage !== runtimeStage)
      .map((i) => i.value)
      .join(' && ');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm run build');
    expect(runs).toMatch(/npm (prune|ci) .*--omit=dev/);
    expect(instructions.filter((i) => i.keyword === 'FROM').every((i) => i.value.startsWith('${NODE_IMAGE}'))).toBe(true);
  });

  it("the image's numeric USER is the pod's runAsUser and runAsGroup; non-root, read-only root, nothing added, RuntimeDefault seccomp", () => {
    expect(runtime('USER')).toEqual([`${GATEWAY_UID}:${GATEWAY_UID}`]);
    expect(pod?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: GATEWAY_UID, runAsGroup: GATEWAY_UID, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('the ENTRYPOINT (exec form) is what the container runs: no command, no args; it is what `npm start` runs', () => {
    expect(runtime('ENTRYPOINT').map((value) => JSON.parse(value) as unknown)).toEqual([['node', 'dist/src/main.js']]);
    expect(container?.command).toBeUndefined();
    expect(container?.args).toBeUndefined();
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.start).toContain('node dist/src/main.js');
  });

  it('only /tmp is writable: an emptyDir there, and DATA_DIR under it in the image and the ConfigMap alike', () => {
    const tmp = container?.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(tmp?.readOnly).toBeUndefined();
    expect(container?.volumeMounts).toEqual([tmp]);
    expect(pod?.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(imageEnv.DATA_DIR).toMatch(/^\/tmp\//);
    expect(configMap?.data?.DATA_DIR).toBe(imageEnv.DATA_DIR);
    expect(imageEnv.NODE_ENV).toBe('production');
    expect(configMap?.data?.NODE_ENV).toBe('production');
  });

  it('the exposed port is the container port; the files the server reads at run time are copied', () => {
    expect(runtime('EXPOSE')).toEqual([String(GATEWAY_PORT)]);
    expect(imageEnv.PORT).toBe(String(GATEWAY_PORT));
    // The metrics port (METRICS_PORT) is for Prometheus inside the cluster, not a port of the image's API.
    expect(container?.ports?.[0]).toEqual({ name: 'http', containerPort: GATEWAY_PORT, protocol: 'TCP' });
    // package.json marks the root (src/paths.ts); schema/ is the SDL, proto/ the OTLP declarations.
    const copied = runtime('COPY').join('\n');
    for (const source of ['package.json', 'schema', 'proto', '/app/node_modules', '/app/dist']) expect(copied).toContain(source);
  });

  it('.dockerignore keeps local state, build output and the Git directory out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT_DIR, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', 'dist', 'data', 'test-artifacts', '.git']) expect(ignored).toContain(entry);
  });
});
