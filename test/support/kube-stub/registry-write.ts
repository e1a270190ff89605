import { randomInt } from 'node:crypto';
import { checkName, decodeObject, ensureNamespace, mediaType, parseBody } from './body.js';
import { clone, deepEqual, ensureObject, isObject, metadataOf, objectAt, stringAt } from './json.js';
import type { KindDef } from './kinds.js';
import { APPLY_PATCH, JSON_PATCH, jsonPatch, MERGE_PATCH, mergePatch, PATCH_TYPES, STRATEGIC_MERGE_PATCH } from './patch.js';
import { alreadyExists, badRequest, conflict, internalError, invalid, namespaceNotFound, notFound, success, unsupportedMediaType } from './status.js';
import { now, Store } from './store.js';
import type { JsonObject, Reply } from './types.js';

/** The generic registry's create / update / patch / delete, in the apiserver's order of checks. */

export interface WriteRequest {
  store: Store;
  def: KindDef;
  namespace: string;
  name: string;
  body: string;
  contentType: string | undefined;
  dryRun: boolean;
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function resourceVersionOf(obj: JsonObject): string {
  return stringAt(objectAt(obj, 'metadata'), 'resourceVersion') ?? '';
}

function nameOf(obj: JsonObject): string {
  return stringAt(objectAt(obj, 'metadata'), 'name') ?? '';
}

/** 400 decode → 404 namespace (NamespaceLifecycle admission) → 422 validation → 409 exists. */
export function createObject(r: WriteRequest): Reply {
  const obj = decodeObject(r.def, parseBody(r.body, r.def.kind));
  ensureNamespace(r.def, obj, r.namespace);
  if (r.def.namespaced && !r.store.namespaceExists(r.namespace)) throw namespaceNotFound(r.namespace);
  const meta = metadataOf(obj);
  const requestedVersion = resourceVersionOf(obj);
  Store.fillSystemFields(r.def, obj);
  r.def.prepareForCreate(obj);
  const generateName = stringAt(meta, 'generateName');
  if (!nameOf(obj) && generateName) {
    meta['name'] = generateName + Array.from({ length: 5 }, () => GENERATE_ALPHABET[randomInt(GENERATE_ALPHABET.length)]).join('');
  }
  const errors = r.def.validate(obj);
  if (errors.length > 0) throw invalid(r.def, nameOf(obj), errors);
  if (requestedVersion) throw internalError('resourceVersion should not be set on objects to be created');
  if (r.store.get(r.def, r.namespace, nameOf(obj))) throw alreadyExists(r.def, nameOf(obj));
  if (r.dryRun) return { code: 201, body: obj };
  return { code: 201, body: r.store.write(r.def, obj) };
}

/** rest.BeforeUpdate + GuaranteedUpdate: carry server fields, validate, skip no-op writes. */
function applyUpdate(r: WriteRequest, obj: JsonObject, old: JsonObject): Reply {
  ensureNamespace(r.def, obj, r.namespace);
  const meta = metadataOf(obj);
  const oldMeta = metadataOf(old);
  obj['kind'] = old['kind'];
  obj['apiVersion'] = old['apiVersion'];
  if (oldMeta['generation'] === undefined) delete meta['generation'];
  else meta['generation'] = oldMeta['generation'];
  r.def.prepareForUpdate(obj, old);
  if (!stringAt(meta, 'uid')) meta['uid'] = oldMeta['uid'];
  meta['creationTimestamp'] = oldMeta['creationTimestamp'];
  if (oldMeta['deletionTimestamp'] === undefined) delete meta['deletionTimestamp'];
  else meta['deletionTimestamp'] = oldMeta['deletionTimestamp'];
  const errors = r.def.validateUpdate(obj, old);
  if (errors.length > 0) throw invalid(r.def, r.name, errors);
  meta['resourceVersion'] = oldMeta['resourceVersion'];
  if (deepEqual(obj, old) || r.dryRun) return { code: 200, body: deepEqual(obj, old) ? old : obj };
  return { code: 200, body: r.store.write(r.def, obj) };
}

function optimisticLock(r: WriteRequest, requested: string, old: JsonObject): void {
  if (requested === '') return;
  if (!/^\d+$/.test(requested)) throw badRequest(`invalid resource version: ${JSON.stringify(requested)}`);
  if (requested !== resourceVersionOf(old)) throw conflict(r.def, r.name);
}

/** PUT: no create-on-update; an empty resourceVersion is an unconditional update. */
export function updateObject(r: WriteRequest): Reply {
  const obj = decodeObject(r.def, parseBody(r.body, r.def.kind));
  checkName(r.def, obj, r.name, r.namespace);
  const old = r.store.get(r.def, r.namespace, r.name);
  if (!old) throw notFound(r.def, r.name);
  optimisticLock(r, resourceVersionOf(obj), old);
  return applyUpdate(r, obj, old);
}

export function patchObject(r: WriteRequest): Reply {
  const type = mediaType(r.contentType);
  if (type === APPLY_PATCH || !PATCH_TYPES.includes(type)) {
    throw unsupportedMediaType(PATCH_TYPES, type === APPLY_PATCH ? ' (kube-stub does not implement server-side apply)' : '');
  }
  const old = r.store.get(r.def, r.namespace, r.name);
  if (!old) throw notFound(r.def, r.name);
  const patch = parseBody(r.body, r.def.kind);
  if (type !== JSON_PATCH && !isObject(patch)) throw badRequest('Invalid JSON Patch');
  const patched = type === MERGE_PATCH || type === STRATEGIC_MERGE_PATCH ? mergePatch(old, patch) : jsonPatch(old, patch);
  const obj = decodeObject(r.def, patched);
  checkName(r.def, obj, r.name, r.namespace);
  optimisticLock(r, resourceVersionOf(obj), old);
  return applyUpdate(r, obj, old);
}

function checkPreconditions(r: WriteRequest, old: JsonObject): void {
  if (r.body.trim() === '') return;
  const options = parseBody(r.body, 'DeleteOptions');
  const preconditions = isObject(options) ? objectAt(options, 'preconditions') : undefined;
  const uid = stringAt(preconditions, 'uid');
  const oldUid = stringAt(objectAt(old, 'metadata'), 'uid') ?? '';
  if (uid && uid !== oldUid) {
    throw conflict(r.def, r.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${oldUid}`);
  }
  const rv = stringAt(preconditions, 'resourceVersion');
  if (rv && rv !== resourceVersionOf(old)) {
    throw conflict(r.def, r.name, `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${resourceVersionOf(old)}`);
  }
}

/**
 * Secrets and deployments answer a success Status, a service itself; a namespace answers itself, Terminating.
 * The stub then removes the namespace and its contents at once (the apiserver would leave it
 * Terminating until the namespace controller had emptied it).
 */
export function deleteObject(r: WriteRequest, onNamespaceDeleted: (name: string) => void): Reply {
  const old = r.store.get(r.def, r.namespace, r.name);
  if (!old) throw notFound(r.def, r.name);
  checkPreconditions(r, old);
  if (r.def.resource === 'namespaces') {
    const terminating = clone(old);
    metadataOf(terminating)['deletionTimestamp'] = now();
    ensureObject(terminating, 'status')['phase'] = 'Terminating';
    if (r.dryRun) return { code: 200, body: terminating };
    const answered = r.store.write(r.def, terminating);
    r.store.remove(r.def, '', r.name);
    r.store.removeNamespaceContents(r.name);
    onNamespaceDeleted(r.name);
    return { code: 200, body: answered };
  }
  if (!r.dryRun) r.store.remove(r.def, r.namespace, r.name);
  // The service registry answers the deleted Service itself (ReturnDeletedObject).
  if (r.def.resource === 'services') return { code: 200, body: old };
  return { code: 200, body: success(r.def, r.name, stringAt(objectAt(old, 'metadata'), 'uid') ?? '') };
}
