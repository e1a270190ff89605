import { isDryRun, requireJson } from './body.js';
import { discovery } from './discovery.js';
import { deploymentKind } from './kind-deployment.js';
import { namespaceKind } from './kind-namespace.js';
import { secretKind } from './kind-secret.js';
import { serviceKind } from './kind-service.js';
import type { KindDef } from './kinds.js';
import type { Rbac } from './rbac.js';
import { getObject, listObjects } from './registry-read.js';
import { createObject, deleteObject, patchObject, updateObject, type WriteRequest } from './registry-write.js';
import type { RequestInfo } from './request-info.js';
import { selfSubjectAccessReview } from './ssar.js';
import { forbidden, forbiddenPath, methodNotAllowed, pathNotFound } from './status.js';
import type { Store } from './store.js';
import type { Reply } from './types.js';

/**
 * After authentication: authorization (RBAC, before any lookup, as the apiserver's filter
 * chain does), then the resource's handler. Throws KubeError for every failure.
 */

export const KINDS: KindDef[] = [namespaceKind, secretKind, deploymentKind, serviceKind];

export interface Call {
  method: string;
  info: RequestInfo;
  query: URLSearchParams;
  body: string;
  contentType: string | undefined;
  host: string;
}

function isSelfSubjectAccessReview(info: RequestInfo): boolean {
  return info.group === 'authorization.k8s.io' && info.version === 'v1' && info.resource === 'selfsubjectaccessreviews' && !info.namespace;
}

/** The served kind for the request, or null (unknown resource, subresource, or scope). */
function kindFor(info: RequestInfo): KindDef | null {
  const def = KINDS.find((k) => k.group === info.group && k.version === info.version && k.resource === info.resource);
  if (!def || info.subresource) return null;
  if (def.resource === 'namespaces') return info.namespace === info.name ? def : null;
  if (!def.namespaced && info.namespace) return null;
  if (def.namespaced && !info.namespace && info.name) return null;
  return def;
}

export function route(store: Store, rbac: Rbac, call: Call): Reply {
  const { info } = call;
  if (!info.isResourceRequest) {
    if (!rbac.authorizeNonResource(info.verb, info.path).allowed) throw forbiddenPath(rbac.user, info.verb, info.path);
    const reply = call.method === 'GET' ? discovery(info.path, call.host) : null;
    if (!reply) throw pathNotFound();
    return reply;
  }
  const ssar = isSelfSubjectAccessReview(info);
  if (!(ssar && info.verb === 'create' && !info.name && !info.subresource)) {
    const decision = rbac.authorize(info);
    if (!decision.allowed) throw forbidden({ user: rbac.user, ...info });
  }
  if (ssar && !info.name && !info.subresource) {
    if (info.verb !== 'create') throw methodNotAllowed();
    requireJson(call.contentType);
    return selfSubjectAccessReview(rbac, call.body);
  }
  const def = kindFor(info);
  if (!def) throw pathNotFound();
  const namespace = def.namespaced ? info.namespace : '';
  if (info.verb === 'list') return listObjects(store, def, def.namespaced ? info.namespace || null : null, call.query);
  if (info.verb === 'get') return getObject(store, def, namespace, info.name);
  if (!['create', 'update', 'patch', 'delete'].includes(info.verb)) throw methodNotAllowed();
  if (info.verb === 'create' ? info.name !== '' || (def.namespaced && !namespace) : info.name === '') throw methodNotAllowed();
  const request: WriteRequest = {
    store,
    def,
    namespace,
    name: info.name,
    body: call.body,
    contentType: call.contentType,
    dryRun: isDryRun(call.query),
  };
  switch (info.verb) {
    case 'create':
      requireJson(call.contentType);
      return createObject(request);
    case 'update':
      requireJson(call.contentType);
      return updateObject(request);
    case 'patch':
      return patchObject(request);
    default:
      return deleteObject(request, (name) => rbac.unbindNamespace(name));
  }
}
