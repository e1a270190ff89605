import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAllYaml, type KubernetesObject, type V1Deployment, type V1Role } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { toYaml } from '../../src/cli/manifests-commands.js';
import { loadConfig } from '../../src/config.js';
import { gatewayManifests, organizationNamespaceManifests } from '../../src/k8s/gateway-manifests.js';
import { CLUSTER_PERMISSIONS, NAMESPACE_PERMISSIONS } from '../../src/k8s/required-permissions.js';
import { ROOT_DIR } from '../../src/paths.js';
import { validateObject } from './validate.js';

// Sentinel secret values: they must appear nowhere in what the command prints.
const DATABASE_URL = 'postgres://gatehouse:db-password-sentinel@db.invalid:5432/gatehouse';
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const JWT_SECRET = 'jwt-secret-sentinel';
// A DATA_DIR that must not come into existence: the manifests commands open no database.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-manifests-'));
const dataDir = path.join(scratch, 'never-created');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function gatehouse(env: Record<string, string>, ...args: string[]) {
  const childEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL,
    GATEHOUSE_SECRET_KEY: SECRET_KEY,
    AUTH_JWT_SECRET: JWT_SECRET,
    NODE_ENV: 'development',
    ...env,
  };
  return spawnSync(process.execPath, [path.join(ROOT_DIR, 'dist/src/cli/main.js'), ...args], { env: childEnv, encoding: 'utf8', timeout: 20_000 });
}

const plain = (objects: readonly unknown[]): Record<string, unknown>[] => JSON.parse(JSON.stringify(objects));
const kinds = (objects: readonly KubernetesObject[]) => objects.map((o) => o.kind);
const config = (env: Record<string, string>) => loadConfig({ K8S_NAMESPACE: 'crewai', ...env });
const rbacRules = (rules: readonly { apiGroup: string; resource: string; verbs: readonly string[] }[]) =>
  rules.map((r) => ({ apiGroups: [r.apiGroup], resources: [r.resource], verbs: [...r.verbs] }));

describe("gatehouse manifests (the gateway's own deployment)", () => {
  it.each(['true', 'false'])('RBAC_NAMESPACE_ISOLATION=%s: every object validates against the Kubernetes OpenAPI schemas', (isolation) => {
    const objects = gatewayManifests(config({ RBAC_NAMESPACE_ISOLATION: isolation, REGISTRY_SECRET_NAME: 'regcred' }));
    for (const object of objects) validateObject(object);
    // YAML goes through client-node's OpenAPI models, which drop unknown fields: nothing may be lost.
    expect(plain(loadAllYaml(toYaml(objects)))).toEqual(plain(objects));
  });

  it("automatic mode has the ClusterRole of namespaces plus the deploy's permissions; manual mode nothing cluster-wide", () => {
    const automatic = gatewayManifests(config({ RBAC_NAMESPACE_ISOLATION: 'true' }));
    expect(kinds(automatic)).toEqual([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(plain(automatic)[1]).toMatchObject({ rules: rbacRules([...CLUSTER_PERMISSIONS, ...NAMESPACE_PERMISSIONS]) });
    const manual = gatewayManifests(config({ RBAC_NAMESPACE_ISOLATION: 'false' }));
    expect(kinds(manual)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
    expect(manual.every((o) => o.metadata?.namespace === 'crewai')).toBe(true);
  });

  it('follows the settings: namespace, replicas, image, grace period; probes, hardening, secrets by reference', () => {
    const objects = gatewayManifests(
      config({ K8S_NAMESPACE: 'acme', GATEHOUSE_REPLICAS: '3', GATEHOUSE_IMAGE: 'registry.test/gh:1.2', SHUTDOWN_GRACE_MS: '30000' }),
    );
    const deployment = objects.find((o): o is V1Deployment => o.kind === 'Deployment');
    const pod = deployment?.spec?.template.spec;
    const container = pod?.containers[0];
    expect(deployment?.metadata?.namespace).toBe('acme');
    expect(deployment?.spec?.replicas).toBe(3);
    expect(container?.image).toBe('registry.test/gh:1.2');
    expect(pod?.terminationGracePeriodSeconds).toBeGreaterThan(30);
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container?.ports).toEqual([
      { name: 'http', containerPort: 4000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    expect(container?.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.resources?.requests).toBeDefined();
    expect(container?.env?.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name])).toEqual([
      ['DATABASE_URL', 'gatehouse-secrets'],
      ['GATEHOUSE_SECRET_KEY', 'gatehouse-secrets'],
    ]);
    expect(plain(objects).find((o) => o.kind === 'PodDisruptionBudget')).toMatchObject({ spec: { minAvailable: 1 } });
    expect(plain(objects).find((o) => o.kind === 'Service')).toMatchObject({
      spec: {
        ports: [
          { port: 80, targetPort: 'http' },
          { port: 4000, targetPort: 'http' },
        ],
      },
    });
  });

  it('the command prints valid YAML without opening the database and without any secret value', () => {
    for (const isolation of ['true', 'false']) {
      const result = gatehouse({ RBAC_NAMESPACE_ISOLATION: isolation }, 'manifests');
      expect(result.status, result.stderr).toBe(0);
      for (const secret of [DATABASE_URL, 'db-password-sentinel', SECRET_KEY, JWT_SECRET]) expect(result.stdout).not.toContain(secret);
      const objects = loadAllYaml(result.stdout) as KubernetesObject[];
      expect(objects.some((o) => o.kind === 'ClusterRole')).toBe(isolation === 'true');
      for (const object of objects) validateObject(object);
      expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    }
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

describe('gatehouse manifests namespace --org ID (manual mode, by hand)', () => {
  it("Namespace, Role with exactly NAMESPACE_PERMISSIONS, RoleBinding to the gateway's ServiceAccount; all valid", () => {
    const objects = organizationNamespaceManifests(config({ RBAC_NAMESPACE_ISOLATION: 'false', K8S_SERVICE_ACCOUNT: 'gh-sa' }).k8s, 4);
    for (const object of objects) validateObject(object);
    const [namespace, role, binding] = plain(objects);
    expect(namespace).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'crewai-org-4', labels: { 'app.kubernetes.io/managed-by': 'gatehouse', 'gatehouse.dev/organization-id': '4' } },
    });
    expect(role).toMatchObject({ kind: 'Role', metadata: { namespace: 'crewai-org-4' } });
    expect((role as V1Role).rules).toEqual(rbacRules(NAMESPACE_PERMISSIONS));
    expect(binding).toMatchObject({
      kind: 'RoleBinding',
      metadata: { namespace: 'crewai-org-4' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: (role as V1Role).metadata?.name },
      subjects: [{ kind: 'ServiceAccount', name: 'gh-sa', namespace: 'crewai' }],
    });
  });

  it('the command prints them, needs --org, and opens no database', () => {
    const result = gatehouse({ RBAC_NAMESPACE_ISOLATION: 'false' }, 'manifests', 'namespace', '--org', '12');
    expect(result.status, result.stderr).toBe(0);
    const objects = loadAllYaml(result.stdout) as KubernetesObject[];
    expect(objects.map((o) => [o.kind, o.metadata?.name])).toEqual([
      ['Namespace', 'crewai-org-12'],
      ['Role', 'gatehouse-deployer'],
      ['RoleBinding', 'gatehouse-deployer'],
    ]);
    for (const object of objects) validateObject(object);
    const missing = gatehouse({}, 'manifests', 'namespace');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--org');
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
