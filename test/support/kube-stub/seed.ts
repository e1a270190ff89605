import type { KindDef } from './kinds.js';
import { createObject } from './registry-write.js';
import { KubeError } from './status.js';
import type { Store } from './store.js';
import type { JsonObject } from './types.js';

/**
 * Test setup that bypasses RBAC and recording but not the registry: seeded objects get the
 * same defaults, metadata and validation as created ones (a seed Kubernetes would refuse throws).
 */
export function seed(store: Store, def: KindDef, namespace: string, obj: JsonObject): void {
  try {
    createObject({ store, def, namespace, name: '', body: JSON.stringify(obj), contentType: 'application/json', dryRun: false });
  } catch (error) {
    if (error instanceof KubeError) throw new Error(`kube-stub: cannot seed ${def.resource}: ${error.status.code} ${error.status.message ?? ''}`);
    throw error;
  }
}
