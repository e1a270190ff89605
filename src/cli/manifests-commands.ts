import { dumpYaml, type KubernetesObject } from '@kubernetes/client-node';
import type { Config } from '../config.js';
import { gatewayManifests, organizationNamespaceManifests } from '../k8s/gateway-manifests.js';
import { CliError } from './commands.js';

/** Objects as one multi-document YAML stream, ready for `kubectl apply -f -`. */
export function toYaml(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => `---\n${dumpYaml(object, { noRefs: true, lineWidth: -1 })}`).join('');
}

/**
 * `gatehouse manifests` and `gatehouse manifests namespace --org ID`: YAML only, from the
 * configuration; no database, no cluster, no secret value.
 */
export function manifestsCommand(config: Config, command: 'manifests' | 'manifests namespace', organizationId: number | undefined): string {
  if (command === 'manifests') return toYaml(gatewayManifests(config));
  if (organizationId === undefined) throw new CliError('manifests namespace needs --org ID (the organization id).');
  if (config.k8s.rbacNamespaceIsolation) {
    process.stderr.write(
      'gatehouse: RBAC_NAMESPACE_ISOLATION=true (automatic mode): the gateway creates organization namespaces itself; these manifests are for manual mode.\n',
    );
  }
  return toYaml(organizationNamespaceManifests(config.k8s, organizationId));
}
