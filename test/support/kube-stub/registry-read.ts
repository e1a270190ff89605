import { isObject, isString, objectAt, parseJson, stringAt } from './json.js';
import { apiVersionOf, type KindDef } from './kinds.js';
import { fieldsMatch, labelsOf, matches, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, notFound } from './status.js';
import type { Store } from './store.js';
import type { JsonObject, Reply } from './types.js';

/** GET of one object and of a collection (label/field selectors, limit/continue). */

export function getObject(store: Store, def: KindDef, namespace: string, name: string): Reply {
  const obj = store.get(def, namespace, name);
  if (!obj) throw notFound(def, name);
  return { code: 200, body: obj };
}

function sortKey(def: KindDef, obj: JsonObject): string {
  const meta = objectAt(obj, 'metadata');
  const name = stringAt(meta, 'name') ?? '';
  return def.namespaced ? `${stringAt(meta, 'namespace') ?? ''}/${name}` : name;
}

function decodeContinue(token: string): string {
  const parsed = parseJson(Buffer.from(token, 'base64url').toString('utf8'));
  if (parsed.ok && isObject(parsed.value) && isString(parsed.value['start'])) return parsed.value['start'];
  throw badRequest(`continue key is not valid: ${token}`);
}

/** Lists `def` in `namespace` (null: all namespaces). A missing namespace lists as empty, as in Kubernetes. */
export function listObjects(store: Store, def: KindDef, namespace: string | null, query: URLSearchParams): Reply {
  const labelSelector = parseLabelSelector(query.get('labelSelector') ?? '');
  const fieldSelector = parseFieldSelector(query.get('fieldSelector') ?? '', def.resource === 'secrets' ? ['type'] : []);
  const continueToken = query.get('continue');
  const start = continueToken ? decodeContinue(continueToken) : null;
  let items = store
    .list(def, namespace)
    .filter((obj) => matches(labelSelector, labelsOf(obj)) && fieldsMatch(fieldSelector, obj))
    .filter((obj) => start === null || sortKey(def, obj) > start);
  const metadata: JsonObject = { resourceVersion: store.currentVersion() };
  const limit = Number(query.get('limit') ?? '0');
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    metadata['continue'] = Buffer.from(JSON.stringify({ start: last ? sortKey(def, last) : '' })).toString('base64url');
    metadata['remainingItemCount'] = remaining;
  }
  // List items carry no TypeMeta on the wire.
  for (const item of items) {
    delete item['kind'];
    delete item['apiVersion'];
  }
  return { code: 200, body: { kind: def.listKind, apiVersion: apiVersionOf(def), metadata, items } };
}
