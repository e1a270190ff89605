import { loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportBundleYaml } from '../../src/cli/namespaces-commands.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { K8S_NAMESPACE_ISOLATION_FLAG, setFlag } from '../../src/modules/feature-flags/feature-flags.repository.js';
import { markNamespaceReady } from '../../src/modules/namespaces/namespaces.repository.js';
import { createOrganization } from '../../src/modules/organizations/create-organization.js';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { CLI_TIMEOUT_MS, createCliStore, type CliStore } from '../support/cli.js';

// `gatehouse manifests support-bundle` (issue 13 item 5, seed "Support Bundle Configuration"): a
// troubleshoot.sh SupportBundle over the shared namespace and every organization namespace.

interface Collector {
  clusterInfo?: Record<string, never>;
  clusterResources?: { namespaces: string[] };
  logs?: { collectorName: string; name: string; namespace: string; selector: string[]; limits: { maxAge: string; maxLines: number } };
  [other: string]: unknown;
}
interface Bundle {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { collectors: Collector[]; analyzers: Array<Record<string, { namespaces?: string[]; namespace?: string; name?: string }>> };
}

function parse(yaml: string): Bundle {
  const documents = loadAllYaml(yaml) as Bundle[];
  expect(documents).toHaveLength(1);
  return documents[0] as Bundle;
}

const logsOf = (bundle: Bundle) => bundle.spec.collectors.flatMap((c) => (c.logs ? [c.logs] : []));
const SECRET_COLLECTORS = ['secret', 'configMap', 'exec', 'copy', 'run', 'runPod', 'copyFromHost'];

describe('the SupportBundle from the database', () => {
  let database: TestDatabase;
  const ids: number[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const owner = await findOrCreateUserByEmail(database.db, 'bundle-owner@example.com');
    for (let i = 0; i < 3; i++) ids.push((await createOrganization(database.db, `Bundle ${i}`, owner.id)).id);
    const [isolated, wasIsolated] = ids as [number, number, number];
    await setFlag(database.db, K8S_NAMESPACE_ISOLATION_FLAG, true, isolated);
    // Provisioned while isolation was on; turned off since: automations may still run there.
    await markNamespaceReady(database.db, wasIsolated, `acme-org-${wasIsolated}`, 'AUTOMATIC');
  });
  afterAll(async () => database.close());

  it('collects cluster resources of, and logs from, the shared namespace and each organization namespace', async () => {
    const bundle = parse(await supportBundleYaml(database.db, loadConfig({ K8S_NAMESPACE: 'acme' })));
    const [isolated, wasIsolated, shared] = ids as [number, number, number];
    expect(bundle).toMatchObject({ apiVersion: 'troubleshoot.sh/v1beta2', kind: 'SupportBundle', metadata: { name: 'gatehouse-acme' } });
    const expected = ['acme', `acme-org-${isolated}`, `acme-org-${wasIsolated}`];
    expect(bundle.spec.collectors.find((c) => c.clusterInfo)).toEqual({ clusterInfo: {} });
    expect(bundle.spec.collectors.find((c) => c.clusterResources)).toEqual({ clusterResources: { namespaces: expected } });
    expect(JSON.stringify(bundle)).not.toContain(`acme-org-${shared}`);

    const logs = logsOf(bundle);
    expect(logs.map((l) => l.namespace)).toEqual(['acme', ...expected]);
    // The gateway's own pods, by the labels `gatehouse manifests` gives them.
    expect(logs[0]).toMatchObject({ name: 'gatehouse/gateway', selector: ['app.kubernetes.io/name=gatehouse', 'app.kubernetes.io/component=gateway'] });
    // Automation pods, by the labels the gateway puts on them (src/k8s/labels.ts).
    expect(logs[1]?.selector).toEqual(['app.kubernetes.io/managed-by=gatehouse', 'gatehouse.dev/automation-id']);
    expect(logs[2]?.selector).toEqual(['app.kubernetes.io/managed-by=gatehouse', 'gatehouse.dev/automation-id', `gatehouse.dev/organization-id=${isolated}`]);
    expect(logs[3]?.selector).toEqual([
      'app.kubernetes.io/managed-by=gatehouse',
      'gatehouse.dev/automation-id',
      `gatehouse.dev/organization-id=${wasIsolated}`,
    ]);
    for (const log of logs) expect(log.limits).toEqual({ maxAge: '72h', maxLines: 10_000 });
    expect(new Set(logs.map((l) => l.name)).size).toBe(logs.length);
    expect(new Set(logs.map((l) => l.collectorName)).size).toBe(logs.length);

    const analyzed = bundle.spec.analyzers.map((a) => Object.keys(a)[0]);
    expect(analyzed).toEqual(['deploymentStatus', 'clusterPodStatuses']);
    expect(bundle.spec.analyzers[0]?.deploymentStatus).toMatchObject({ name: 'gatehouse', namespace: 'acme' });
    expect(bundle.spec.analyzers[1]?.clusterPodStatuses?.namespaces).toEqual(expected);
  });

  it('has no collector that can read Secret values, nor run anything in the cluster', async () => {
    const bundle = parse(await supportBundleYaml(database.db, loadConfig({ K8S_NAMESPACE: 'acme' })));
    const kinds = bundle.spec.collectors.flatMap((c) => Object.keys(c));
    expect(new Set(kinds)).toEqual(new Set(['clusterInfo', 'clusterResources', 'logs']));
    for (const kind of SECRET_COLLECTORS) expect(kinds).not.toContain(kind);
  });

  it('with isolation on globally, lists every organization', async () => {
    await setFlag(database.db, K8S_NAMESPACE_ISOLATION_FLAG, true);
    try {
      const bundle = parse(await supportBundleYaml(database.db, loadConfig({ K8S_NAMESPACE: 'acme' })));
      expect(bundle.spec.collectors.find((c) => c.clusterResources)?.clusterResources?.namespaces).toEqual(['acme', ...ids.map((id) => `acme-org-${id}`)]);
    } finally {
      await setFlag(database.db, K8S_NAMESPACE_ISOLATION_FLAG, false);
    }
  });
});

describe('gatehouse manifests support-bundle', { timeout: CLI_TIMEOUT_MS }, () => {
  // The built bin on a store of its own (test/support/cli.ts), seeded through the bin itself.
  let cli: CliStore;
  let organizationId = 0;
  beforeAll(async () => {
    cli = await createCliStore({ K8S_NAMESPACE: 'crewai' });
    const created = cli.run(['org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test']);
    if (created.status !== 0) throw new Error(created.stderr);
    organizationId = (JSON.parse(created.stdout) as { organizationId: number }).organizationId;
    const enabled = cli.run(['flag', 'enable', K8S_NAMESPACE_ISOLATION_FLAG, '--org', String(organizationId)]);
    if (enabled.status !== 0) throw new Error(enabled.stderr);
  }, CLI_TIMEOUT_MS);
  afterAll(() => cli?.close());

  it('prints the YAML of the organizations it finds in the database', () => {
    const result = cli.run(['manifests', 'support-bundle']);
    expect(result.status, result.stderr).toBe(0);
    const bundle = parse(result.stdout);
    const namespace = `crewai-org-${organizationId}`;
    expect(bundle.spec.collectors.find((c) => c.clusterResources)?.clusterResources?.namespaces).toEqual(['crewai', namespace]);
    expect(logsOf(bundle).map((l) => l.namespace)).toEqual(['crewai', 'crewai', namespace]);
  });
});
