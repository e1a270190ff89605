import { parseBody } from './body.js';
import { isObject, objectAt, stringAt } from './json.js';
import type { Decision, Rbac } from './rbac.js';
import { badRequest, invalid } from './status.js';
import type { JsonObject, Reply } from './types.js';
import { invalidValue } from './validation.js';

/**
 * POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews: every authenticated user may
 * create one (system:basic-user); the answer evaluates the attributes against the same RBAC
 * as real requests. Nothing is stored.
 */

const API_VERSION = 'authorization.k8s.io/v1';
const KIND = 'SelfSubjectAccessReview';

export function selfSubjectAccessReview(rbac: Rbac, text: string): Reply {
  const review = parseBody(text, KIND);
  if (!isObject(review)) throw badRequest(`the object provided is unrecognized (must be of type ${KIND})`);
  if (review['apiVersion'] !== undefined && review['apiVersion'] !== API_VERSION) {
    throw badRequest(`the API version in the data (${String(review['apiVersion'])}) does not match the expected API version (${API_VERSION})`);
  }
  if (review['kind'] !== undefined && review['kind'] !== KIND) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${KIND}): no kind "${String(review['kind'])}" is registered for version "${API_VERSION}"`,
    );
  }
  const spec: JsonObject = objectAt(review, 'spec') ?? {};
  const resource = objectAt(spec, 'resourceAttributes');
  const nonResource = objectAt(spec, 'nonResourceAttributes');
  const gk = { group: 'authorization.k8s.io', kind: KIND };
  if (resource && nonResource) {
    throw invalid(gk, '', [invalidValue('spec.nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes')]);
  }
  let decision: Decision;
  if (resource) {
    decision = rbac.authorize({
      verb: stringAt(resource, 'verb') ?? '',
      group: stringAt(resource, 'group') ?? '',
      resource: stringAt(resource, 'resource') ?? '',
      subresource: stringAt(resource, 'subresource') ?? '',
      namespace: stringAt(resource, 'namespace') ?? '',
      name: stringAt(resource, 'name') ?? '',
    });
  } else if (nonResource) {
    decision = rbac.authorizeNonResource(stringAt(nonResource, 'verb') ?? '', stringAt(nonResource, 'path') ?? '');
  } else {
    throw invalid(gk, '', [invalidValue('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
  }
  const status: JsonObject = { allowed: decision.allowed };
  if (decision.reason) status['reason'] = decision.reason;
  return { code: 201, body: { kind: KIND, apiVersion: API_VERSION, metadata: {}, spec, status } };
}
