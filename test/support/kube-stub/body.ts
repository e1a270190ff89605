import { isObject, isString, metadataOf, objectAt, parseJson, stringAt } from './json.js';
import { apiVersionOf, type KindDef } from './kinds.js';
import { badRequest, unsupportedMediaType } from './status.js';
import type { JsonObject } from './types.js';

/** Request decoding shared by the write handlers: media type, JSON, TypeMeta, name checks, dryRun. */

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** POST/PUT bodies: JSON only (an absent Content-Type defaults to JSON, as in the apiserver). */
export function requireJson(contentType: string | undefined): void {
  const type = mediaType(contentType);
  if (type !== '' && type !== 'application/json') {
    throw unsupportedMediaType(
      ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/cbor'],
      ' (kube-stub serves JSON only)',
    );
  }
}

export function parseBody(text: string, kind: string): unknown {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    throw badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${parsed.message}`);
  }
  return parsed.value;
}

/**
 * Turns a decoded value into an object of `def`'s kind: it must be a JSON object, its
 * apiVersion/kind (when given) must be the endpoint's, metadata must be an object; then the
 * kind's own conversion and defaulting run.
 */
export function decodeObject(def: KindDef, value: unknown): JsonObject {
  if (!isObject(value)) {
    const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    throw badRequest(
      `the object provided is unrecognized (must be of type ${def.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${type} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  const expected = apiVersionOf(def);
  const apiVersion = value['apiVersion'];
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== expected) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expected})`);
  }
  const kind = value['kind'];
  if (kind !== undefined && kind !== '' && kind !== def.kind) {
    throw badRequest(`the object provided is unrecognized (must be of type ${def.kind}): no kind "${String(kind)}" is registered for version "${expected}"`);
  }
  if (value['metadata'] !== undefined && value['metadata'] !== null && !isObject(value['metadata'])) {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata: expected an object`);
  }
  const meta = metadataOf(value);
  for (const key of ['name', 'namespace', 'generateName', 'resourceVersion', 'uid']) {
    if (meta[key] !== undefined && meta[key] !== null && !isString(meta[key])) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata.${key}: expected a string`);
    }
  }
  def.decode(value);
  return value;
}

/** handlers.checkName for PUT and PATCH: the object must be the one the URL names. */
export function checkName(def: KindDef, obj: JsonObject, name: string, namespace: string): void {
  const meta = objectAt(obj, 'metadata') ?? {};
  const objName = stringAt(meta, 'name') ?? '';
  if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
  const objNamespace = stringAt(meta, 'namespace') ?? '';
  if (def.namespaced && objNamespace && objNamespace !== namespace) {
    throw badRequest(`the namespace of the object (${objNamespace}) does not match the namespace on the request (${namespace})`);
  }
}

/** rest.EnsureObjectNamespaceMatchesRequestNamespace. */
export function ensureNamespace(def: KindDef, obj: JsonObject, namespace: string): void {
  const meta = metadataOf(obj);
  if (!def.namespaced) {
    delete meta['namespace'];
    return;
  }
  const objNamespace = stringAt(meta, 'namespace') ?? '';
  if (objNamespace && objNamespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta['namespace'] = namespace;
}

/** `?dryRun=All`: validate and answer, store nothing. */
export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun').filter((v) => v !== '');
  for (const value of values) if (value !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(value)}: supported values: "All"`);
  return values.length > 0;
}
