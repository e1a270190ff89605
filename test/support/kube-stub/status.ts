/**
 * `Status` objects as k8s.io/apimachinery/pkg/api/errors builds them (same messages, reasons,
 * details and JSON field order).
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown by handlers; the HTTP layer answers with `status`. */
export class KubeError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

/** Identifies a resource in messages: `secrets`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource | null, name: string, extra: StatusDetails = {}): StatusDetails {
  const out: StatusDetails = {};
  if (name) out.name = name;
  if (gr?.group) out.group = gr.group;
  if (gr) out.kind = gr.resource;
  return { ...out, ...extra };
}

/** Field order as the apiserver serialises it: kind, apiVersion, metadata, status, message, reason, details, code. */
export function failure(code: number, reason: string, message: string, statusDetails?: StatusDetails): Status {
  if (statusDetails) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: statusDetails, code };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function success(gr: GroupResource, name: string, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: details(gr, name, { uid }), code: 200 };
}

export function notFound(gr: GroupResource, name: string): KubeError {
  return new KubeError(failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name)));
}

export function namespaceNotFound(namespace: string): KubeError {
  return notFound({ group: '', resource: 'namespaces' }, namespace);
}

export function alreadyExists(gr: GroupResource, name: string): KubeError {
  return new KubeError(failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name)));
}

export const OPTIMISTIC_LOCK = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, reason = OPTIMISTIC_LOCK): KubeError {
  const message = `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${reason}`;
  return new KubeError(failure(409, 'Conflict', message, details(gr, name)));
}

export interface ForbiddenAttributes {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name: string;
}

/** responsewriters.ForbiddenStatusError: the RBAC denial of a resource request. */
export function forbidden(a: ForbiddenAttributes): KubeError {
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const why = `User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
  const gr = { group: a.group, resource: a.resource };
  const subject = a.name ? `${qualified(gr)} "${a.name}"` : qualified(gr);
  return new KubeError(failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, details(gr, a.name)));
}

/** The RBAC denial of a non-resource request (e.g. GET /foo). */
export function forbiddenPath(user: string, verb: string, path: string): KubeError {
  return new KubeError(failure(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {}));
}

/** A field error as k8s.io/apimachinery/pkg/util/validation/field prints it. */
export interface FieldError {
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong';
  field: string;
  /** ErrorBody(): e.g. `Invalid value: "Bad_Name": a lowercase RFC 1123 label must ...`. */
  body: string;
}

export function invalid(kind: { group: string; kind: string }, name: string, errors: FieldError[]): KubeError {
  const lines = [...new Set(errors.map((e) => `${e.field}: ${e.body}`))];
  const aggregate = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const statusDetails: StatusDetails = {};
  if (name) statusDetails.name = name;
  if (kind.group) statusDetails.group = kind.group;
  statusDetails.kind = kind.kind;
  statusDetails.causes = errors.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
  return new KubeError(failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregate}`, statusDetails));
}

export function badRequest(message: string): KubeError {
  return new KubeError(failure(400, 'BadRequest', message));
}

export function internalError(cause: string): KubeError {
  return new KubeError(failure(500, 'InternalError', `Internal error occurred: ${cause}`, { causes: [{ message: cause }] }));
}

export function unauthorized(): KubeError {
  return new KubeError(failure(401, 'Unauthorized', 'Unauthorized'));
}

export function pathNotFound(): KubeError {
  return new KubeError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function methodNotAllowed(): KubeError {
  return new KubeError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}

export function unsupportedMediaType(accepted: string[], note = ''): KubeError {
  const message = `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${note}`;
  return new KubeError(failure(415, 'UnsupportedMediaType', message, {}));
}

const GENERIC_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  502: 'ServiceUnavailable',
};

/** The Status an injected failure answers with, as the apiserver phrases each code. */
export function injected(code: number): Status {
  switch (code) {
    case 429:
      return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    case 500:
      return internalError('kube-stub: injected failure').status;
    case 503:
      return failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    case 504:
      return failure(504, 'Timeout', 'Timeout: request did not complete within the allowed duration', { retryAfterSeconds: 1 });
    default:
      return failure(code, GENERIC_REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown'), `kube-stub: injected failure (HTTP ${code})`);
  }
}
