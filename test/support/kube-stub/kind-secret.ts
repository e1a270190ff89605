import { deepEqual, isObject, isString, isStringMap, objectAt, stringAt } from './json.js';
import type { KindDef } from './kinds.js';
import { badRequest, type FieldError } from './status.js';
import type { JsonObject } from './types.js';
import { dns1123Subdomain, forbiddenField, immutable, invalidValue, regexError, required, validateObjectMeta, validateObjectMetaUpdate } from './validation.js';

/** core/v1 Secret: v1 conversion (stringData, base64 data), defaulting and ValidateSecret. */

const MAX_SECRET_SIZE = 1024 * 1024;
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

function decodeError(message: string): never {
  throw badRequest(`Secret in version "v1" cannot be handled as a Secret: ${message}`);
}

/** Go's base64.StdEncoding strictness: the offset of the first illegal byte, or -1 if valid. */
function illegalBase64At(value: string): number {
  const bad = /[^A-Za-z0-9+/=]/.exec(value);
  if (bad) return bad.index;
  const pad = value.indexOf('=');
  if (pad >= 0 && (!/^=*$/.test(value.slice(pad)) || value.length - pad > 2)) return pad;
  if (value.length % 4 !== 0) return value.length - (value.length % 4);
  return -1;
}

function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${CONFIG_KEY_FMT}$`).test(key)) errs.push(regexError(CONFIG_KEY_MSG, CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function dataOf(obj: JsonObject): Record<string, string> {
  const data = obj['data'];
  return isStringMap(data) ? data : {};
}

function validateJsonKey(data: Record<string, string>, key: string): FieldError[] {
  const value = data[key];
  if (value === undefined) return [required(`data[${key}]`)];
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    if (!isObject(parsed))
      return [invalidValue(`data[${key}]`, '<secret contents redacted>', 'json: cannot unmarshal into Go value of type map[string]interface {}')];
  } catch (error) {
    return [invalidValue(`data[${key}]`, '<secret contents redacted>', error instanceof Error ? error.message : String(error))];
  }
  return [];
}

function validateSecret(obj: JsonObject): FieldError[] {
  const errs = validateObjectMeta(obj, true, dns1123Subdomain);
  const data = dataOf(obj);
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of configKeyErrors(key)) errs.push(invalidValue(`data[${key}]`, key, msg));
    size += Buffer.from(value, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) errs.push({ type: 'FieldValueTooLong', field: 'data', body: `Too long: must have at most ${MAX_SECRET_SIZE} bytes` });
  switch (stringAt(obj, 'type')) {
    case 'kubernetes.io/dockercfg':
      errs.push(...validateJsonKey(data, '.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      errs.push(...validateJsonKey(data, '.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      if (data['username'] === undefined && data['password'] === undefined) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (data['tls.crt'] === undefined) errs.push(required('data[tls.crt]'));
      if (data['tls.key'] === undefined) errs.push(required('data[tls.key]'));
      break;
    case 'kubernetes.io/service-account-token':
      if (!stringAt(objectAt(objectAt(obj, 'metadata') ?? {}, 'annotations'), 'kubernetes.io/service-account.name')) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    default:
      // Opaque, unset and any other type: the API server requires no particular keys.
      break;
  }
  return errs;
}

export const secretKind: KindDef = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  listKind: 'SecretList',
  namespaced: true,
  nameErrors: dns1123Subdomain,
  decode(obj) {
    const data = obj['data'] ?? {};
    if (!isStringMap(data)) decodeError('data: expected a map of string to base64 string');
    for (const value of Object.values(data)) {
      const at = illegalBase64At(value);
      if (at >= 0) decodeError(`illegal base64 data at input byte ${at}`);
    }
    const stringData = obj['stringData'] ?? {};
    if (!isStringMap(stringData)) decodeError('stringData: expected a map of string to string');
    const merged = { ...data };
    for (const [key, value] of Object.entries(stringData)) merged[key] = Buffer.from(value, 'utf8').toString('base64');
    delete obj['stringData'];
    if (Object.keys(merged).length > 0) obj['data'] = merged;
    else delete obj['data'];
    if (!isString(obj['type']) || obj['type'] === '') obj['type'] = 'Opaque';
  },
  prepareForCreate() {},
  prepareForUpdate() {},
  validate: validateSecret,
  validateUpdate(obj, old) {
    const errs = validateObjectMetaUpdate(obj, old);
    if (obj['type'] !== old['type']) errs.push(immutable('type', obj['type']));
    if (old['immutable'] === true) {
      if (obj['immutable'] !== true) errs.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
      if (!deepEqual(obj['data'], old['data'])) errs.push(forbiddenField('data', 'field is immutable when `immutable` is set'));
    }
    return [...errs, ...validateSecret(obj)];
  },
};
