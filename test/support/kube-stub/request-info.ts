/**
 * k8s.io/apiserver's RequestInfoFactory: which verb, group, resource, namespace and name a
 * request path means. Note that `/api/v1/namespaces/{name}` has namespace = name.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  /** URL path as sent, without query string. */
  path: string;
  verb: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function decodeSegments(path: string): string[] | null {
  try {
    return path
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const base: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  const parts = decodeSegments(path);
  if (!parts) return base;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    base.version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    base.group = parts[1] ?? '';
    base.version = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return base;
  }
  const info: RequestInfo = { ...base, isResourceRequest: true };
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1] ?? '';
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (rest.length > 3) {
    // Deeper paths are not a resource the apiserver knows; keep them so routing answers 404.
    info.subresource = rest.slice(2).join('/');
  }
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const watch = query.get('watch');
      info.verb = info.name ? 'get' : watch === 'true' || watch === '1' ? 'watch' : 'list';
      break;
    }
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = '';
  }
  return info;
}
