import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { gatewayManifests } from '../../src/k8s/gateway-manifests.js';
import { validateObject } from './validate.js';

// Issue 15 §6: the manifests serve /metrics on a port of its own (METRICS_PORT), which the pods
// declare and Prometheus scrapes, and which the Service, the gateway's public face, never lists.
const manifests = (env: Record<string, string> = {}) => gatewayManifests(loadConfig({ K8S_NAMESPACE: 'crewai', ...env }));
const find = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string) => objects.find((o) => o.kind === kind) as T | undefined;

function parts(objects: KubernetesObject[]) {
  const deployment = find<V1Deployment>(objects, 'Deployment');
  return {
    settings: find<V1ConfigMap>(objects, 'ConfigMap')?.data ?? {},
    ports: deployment?.spec?.template.spec?.containers[0]?.ports ?? [],
    annotations: deployment?.spec?.template.metadata?.annotations,
    serviceTargets: (find<V1Service>(objects, 'Service')?.spec?.ports ?? []).map((p) => p.targetPort),
  };
}

describe('the metrics port of the manifests', () => {
  it('by default: METRICS_PORT 9464, a `metrics` container port, scrape annotations, and the Service reaches only `http`', () => {
    const objects = manifests();
    for (const object of objects) validateObject(object);
    const { settings, ports, annotations, serviceTargets } = parts(objects);
    expect(settings.METRICS_PORT).toBe('9464');
    expect(settings.PORT).toBe('4000');
    expect(ports).toContainEqual({ name: 'metrics', containerPort: 9464, protocol: 'TCP' });
    expect(annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
    expect(serviceTargets).toEqual(['http', 'http']);
  });

  it('follows METRICS_PORT', () => {
    const { settings, ports, annotations } = parts(manifests({ METRICS_PORT: '9100' }));
    expect(settings.METRICS_PORT).toBe('9100');
    expect(ports).toContainEqual({ name: 'metrics', containerPort: 9100, protocol: 'TCP' });
    expect(annotations?.['prometheus.io/port']).toBe('9100');
  });

  it('METRICS_ENABLED=false: no metrics port, no annotations, and the pods serve no /metrics', () => {
    const { settings, ports, annotations } = parts(manifests({ METRICS_ENABLED: 'false' }));
    expect(settings.METRICS_ENABLED).toBe('false');
    expect(settings.METRICS_PORT).toBeUndefined();
    expect(ports.map((p) => p.name)).toEqual(['http']);
    expect(annotations).toBeUndefined();
  });
});
