import { ensureObject, isStringArray, metadataOf, objectAt, stringAt } from './json.js';
import type { KindDef } from './kinds.js';
import { dns1123Label, validateObjectMeta, validateObjectMetaUpdate } from './validation.js';
import type { JsonObject } from './types.js';

/** core/v1 Namespace (pkg/registry/core/namespace strategy + SetDefaults_Namespace). */

/** SetDefaults_Namespace: the `kubernetes.io/metadata.name` label always mirrors the name. */
function defaultNameLabel(obj: JsonObject): void {
  const meta = metadataOf(obj);
  const name = stringAt(meta, 'name');
  if (!name) return;
  ensureObject(meta, 'labels')['kubernetes.io/metadata.name'] = name;
}

export const namespaceKind: KindDef = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  namespaced: false,
  nameErrors: dns1123Label,
  decode: defaultNameLabel,
  prepareForCreate(obj) {
    obj['status'] = { phase: 'Active' };
    const spec = ensureObject(obj, 'spec');
    const finalizers = isStringArray(spec['finalizers']) ? spec['finalizers'] : [];
    spec['finalizers'] = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
    defaultNameLabel(obj);
  },
  prepareForUpdate(obj, old) {
    // Spec (finalizers) and status only change through the finalize and status subresources.
    obj['spec'] = structuredClone(objectAt(old, 'spec') ?? {});
    obj['status'] = structuredClone(objectAt(old, 'status') ?? {});
    defaultNameLabel(obj);
  },
  validate: (obj) => validateObjectMeta(obj, false, dns1123Label),
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj, old), ...validateObjectMeta(obj, false, dns1123Label)],
};
