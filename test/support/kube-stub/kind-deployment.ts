import { deepEqual, isObject, isString, isStringMap, metadataOf, objectAt } from './json.js';
import type { KindDef } from './kinds.js';
import { defaultDeployment, generationOf, reconcileDeploymentStatus } from './deployment-defaults.js';
import { fromLabelSelector, matches } from './selectors.js';
import type { FieldError } from './status.js';
import type { JsonObject } from './types.js';
import {
  dns1123Label,
  dns1123Subdomain,
  immutable,
  invalidValue,
  notSupported,
  required,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

/** apps/v1 Deployment: defaulting, generation bumps, ValidateDeployment (the parts a gateway can trip on). */

function validateContainers(podSpec: JsonObject | undefined, path: string): FieldError[] {
  const containers = podSpec?.['containers'];
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${path}.containers`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((container: unknown, i) => {
    const at = `${path}.containers[${i}]`;
    const c = isObject(container) ? container : {};
    const name = isString(c['name']) ? c['name'] : '';
    if (!name) errs.push(required(`${at}.name`));
    else for (const msg of dns1123Label(name)) errs.push(invalidValue(`${at}.name`, name, msg));
    if (name && seen.has(name)) errs.push({ type: 'FieldValueInvalid', field: `${at}.name`, body: `Duplicate value: ${JSON.stringify(name)}` });
    seen.add(name);
    if (!isString(c['image']) || c['image'].trim() === '') errs.push(required(`${at}.image`));
  });
  return errs;
}

function validateSpec(obj: JsonObject): FieldError[] {
  const spec = objectAt(obj, 'spec');
  if (!spec) return [required('spec.selector'), required('spec.template.spec.containers')];
  const errs: FieldError[] = [];
  const replicas = spec['replicas'];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) errs.push(invalidValue('spec.replicas', replicas, 'must be an integer'));
  else if (replicas < 0) errs.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  const rawSelector = spec['selector'];
  const selector = fromLabelSelector(rawSelector);
  if (rawSelector === undefined || rawSelector === null) errs.push(required('spec.selector'));
  else if (selector === null) errs.push(invalidValue('spec.selector', rawSelector, 'invalid label selector'));
  else if (selector.length === 0) errs.push(invalidValue('spec.selector', rawSelector, 'empty selector is invalid for deployment'));
  const template = objectAt(spec, 'template');
  if (!template) return [...errs, required('spec.template.spec.containers')];
  const templateLabels = objectAt(template, 'metadata')?.['labels'];
  if (selector && selector.length > 0 && !matches(selector, isStringMap(templateLabels) ? templateLabels : {})) {
    errs.push(invalidValue('spec.template.metadata.labels', templateLabels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(templateLabels, 'spec.template.metadata.labels'));
  const podSpec = objectAt(template, 'spec');
  errs.push(...validateContainers(podSpec, 'spec.template.spec'));
  const restartPolicy = podSpec?.['restartPolicy'];
  if (restartPolicy !== undefined && restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  return errs;
}

function validateDeployment(obj: JsonObject): FieldError[] {
  return [...validateObjectMeta(obj, true, dns1123Subdomain), ...validateSpec(obj)];
}

export const deploymentKind: KindDef = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  namespaced: true,
  nameErrors: dns1123Subdomain,
  decode: defaultDeployment,
  prepareForCreate(obj) {
    metadataOf(obj)['generation'] = 1;
    delete obj['status'];
    reconcileDeploymentStatus(obj, null);
  },
  prepareForUpdate(obj, old) {
    // Spec and annotation changes bump the generation (annotations are copied to ReplicaSets).
    const changed = !deepEqual(obj['spec'], old['spec']) || !deepEqual(metadataOf(obj)['annotations'], metadataOf(old)['annotations']);
    metadataOf(obj)['generation'] = generationOf(old) + (changed ? 1 : 0);
    obj['status'] = structuredClone(objectAt(old, 'status') ?? {});
    reconcileDeploymentStatus(obj, old);
  },
  validate: validateDeployment,
  validateUpdate(obj, old) {
    const errs = validateObjectMetaUpdate(obj, old);
    const selector = objectAt(obj, 'spec')?.['selector'];
    if (!deepEqual(selector, objectAt(old, 'spec')?.['selector'])) errs.push(immutable('spec.selector', selector));
    return [...errs, ...validateDeployment(obj)];
  },
};
