import { isObject, isString, objectAt, stringAt } from './json.js';
import type { KindDef } from './kinds.js';
import type { FieldError } from './status.js';
import type { JsonObject } from './types.js';
import {
  dns1123Label,
  immutable,
  invalidValue,
  notSupported,
  regexError,
  required,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

/**
 * core/v1 Service, ClusterIP only as a gateway uses it: SetDefaults_Service, the cluster IP
 * allocator, ValidateService for ports, selector and type, and the update rules (clusterIP is
 * immutable; an update that leaves it empty keeps the allocated one, as patchAllocatedValues does).
 */

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

let allocated = 0;

/** The next free address of the stub's service CIDR, 10.96.0.0/12 as kubeadm's default. */
function allocateClusterIp(): string {
  allocated += 1;
  return `10.96.${Math.floor(allocated / 254) % 256}.${(allocated % 254) + 1}`;
}

function dns1035Label(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1035_LABEL_FMT}$`).test(name)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

function portsOf(obj: JsonObject): unknown[] {
  const ports = objectAt(obj, 'spec')?.['ports'];
  return Array.isArray(ports) ? ports : [];
}

function validPort(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function validatePorts(obj: JsonObject): FieldError[] {
  const ports = portsOf(obj);
  const type = stringAt(objectAt(obj, 'spec'), 'type');
  if (ports.length === 0 && type !== 'ExternalName') return [required('spec.ports')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const at = `spec.ports[${i}]`;
    const port = isObject(raw) ? raw : {};
    const name = stringAt(port, 'name') ?? '';
    if (ports.length > 1 && !name) errs.push(required(`${at}.name`));
    if (name) for (const msg of dns1123Label(name)) errs.push(invalidValue(`${at}.name`, name, msg));
    if (name && names.has(name)) errs.push({ type: 'FieldValueInvalid', field: `${at}.name`, body: `Duplicate value: ${JSON.stringify(name)}` });
    names.add(name);
    if (!validPort(port['port'])) errs.push(invalidValue(`${at}.port`, port['port'], 'must be between 1 and 65535, inclusive'));
    const protocol = port['protocol'];
    if (!isString(protocol) || !PROTOCOLS.includes(protocol)) errs.push(notSupported(`${at}.protocol`, protocol, PROTOCOLS));
    const target = port['targetPort'];
    if (isString(target)) {
      if (target.length > 15 || !IANA_SVC_NAME.test(target) || !/[a-z]/.test(target) || target.includes('--')) {
        errs.push(invalidValue(`${at}.targetPort`, target, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
      }
    } else if (!validPort(target)) {
      errs.push(invalidValue(`${at}.targetPort`, target, 'must be between 1 and 65535, inclusive'));
    }
  });
  return errs;
}

function validateService(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj, true, dns1035Label);
  const spec = objectAt(obj, 'spec') ?? {};
  const type = spec['type'];
  if (!isString(type) || !TYPES.includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  errs.push(...validatePorts(obj));
  errs.push(...validateLabels(spec['selector'], 'spec.selector'));
  return errs;
}

export const serviceKind: KindDef = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  listKind: 'ServiceList',
  namespaced: true,
  nameErrors: dns1035Label,
  decode(obj) {
    const spec = objectAt(obj, 'spec') ?? {};
    obj['spec'] = spec;
    if (!isString(spec['type']) || spec['type'] === '') spec['type'] = 'ClusterIP';
    if (spec['sessionAffinity'] === undefined) spec['sessionAffinity'] = 'None';
    for (const port of portsOf(obj)) {
      if (!isObject(port)) continue;
      if (port['protocol'] === undefined) port['protocol'] = 'TCP';
      // SetDefaults_Service: an unset targetPort is the port itself.
      if (port['targetPort'] === undefined || port['targetPort'] === 0 || port['targetPort'] === '') port['targetPort'] = port['port'];
    }
  },
  prepareForCreate(obj) {
    const spec = objectAt(obj, 'spec') ?? {};
    if (spec['type'] !== 'ExternalName' && (spec['clusterIP'] === undefined || spec['clusterIP'] === '')) {
      const ip = allocateClusterIp();
      spec['clusterIP'] = ip;
      spec['clusterIPs'] = [ip];
    }
    obj['status'] = { loadBalancer: {} };
  },
  prepareForUpdate(obj, old) {
    const spec = objectAt(obj, 'spec') ?? {};
    const oldSpec = objectAt(old, 'spec') ?? {};
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      spec['clusterIP'] = oldSpec['clusterIP'];
      spec['clusterIPs'] = structuredClone(oldSpec['clusterIPs']);
    }
    obj['status'] = structuredClone(objectAt(old, 'status') ?? {});
  },
  validate: validateService,
  validateUpdate(obj, old) {
    const errs = validateObjectMetaUpdate(obj, old);
    const ip = objectAt(obj, 'spec')?.['clusterIP'];
    if (ip !== objectAt(old, 'spec')?.['clusterIP']) errs.push(immutable('spec.clusterIP', ip));
    return [...errs, ...validateService(obj)];
  },
};
