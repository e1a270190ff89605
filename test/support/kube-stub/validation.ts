import { goValue, isString, isStringMap, objectAt, stringAt } from './json.js';
import type { FieldError } from './status.js';
import type { JsonObject } from './types.js';

/** Name, label and object-meta validation, with k8s.io/apimachinery's exact messages. */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const full = (fmt: string): RegExp => new RegExp(`^${fmt}$`);
const labelRe = full(DNS1123_LABEL_FMT);
const subdomainRe = full(DNS1123_SUBDOMAIN_FMT);
const qnameRe = full(QNAME_FMT);
const labelValueRe = full(LABEL_VALUE_FMT);

/** validation.RegexError, including its double space between examples. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!labelRe.test(value)) {
    errs.push(subdomainRe.test(value) ? 'must not contain dots' : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!subdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function qualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!qnameRe.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

export const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  body: `Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}`,
});

export const required = (field: string, detail = ''): FieldError => ({
  type: 'FieldValueRequired',
  field,
  body: `Required value${detail ? `: ${detail}` : ''}`,
});

export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  body: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

export const forbiddenField = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, body: `Forbidden: ${detail}` });

export function immutable(field: string, value: unknown): FieldError {
  return invalidValue(field, value, 'field is immutable');
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isStringMap(labels)) return [invalidValue(field, labels, 'labels must be a map of string to string')];
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of qualifiedName(key)) errs.push(invalidValue(field, key, msg));
    for (const msg of labelValue(value)) errs.push(invalidValue(field, value, msg));
  }
  return errs;
}

function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isStringMap(annotations)) return [invalidValue(field, annotations, 'annotations must be a map of string to string')];
  const errs: FieldError[] = [];
  for (const key of Object.keys(annotations)) {
    for (const msg of qualifiedName(key.toLowerCase())) errs.push(invalidValue(field, key, msg));
  }
  const size = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > 256 * 1024) errs.push({ type: 'FieldValueTooLong', field, body: 'Too long: must have at most 262144 bytes' });
  return errs;
}

/** ValidateObjectMeta: name (or generateName), namespace presence, labels, annotations. */
export function validateObjectMeta(obj: JsonObject, namespaced: boolean, nameFn: (name: string) => string[]): FieldError[] {
  const meta = objectAt(obj, 'metadata') ?? {};
  const errs: FieldError[] = [];
  const name = stringAt(meta, 'name') ?? '';
  if (!name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameFn(name)) errs.push(invalidValue('metadata.name', name, msg));
  const namespace = stringAt(meta, 'namespace') ?? '';
  if (namespaced && !namespace) errs.push(required('metadata.namespace'));
  if (!namespaced && namespace) errs.push(forbiddenField('metadata.namespace', 'not allowed on this type'));
  errs.push(...validateLabels(meta['labels'], 'metadata.labels'));
  errs.push(...validateAnnotations(meta['annotations'], 'metadata.annotations'));
  if (meta['finalizers'] !== undefined && !isStringArrayOrNull(meta['finalizers'])) {
    errs.push(invalidValue('metadata.finalizers', meta['finalizers'], 'must be a list of strings'));
  }
  return errs;
}

function isStringArrayOrNull(value: unknown): boolean {
  return value === null || (Array.isArray(value) && value.every(isString));
}

/** ValidateObjectMetaUpdate: uid cannot change. */
export function validateObjectMetaUpdate(obj: JsonObject, old: JsonObject): FieldError[] {
  const uid = stringAt(objectAt(obj, 'metadata'), 'uid');
  const oldUid = stringAt(objectAt(old, 'metadata'), 'uid');
  return uid !== oldUid ? [immutable('metadata.uid', uid ?? '')] : [];
}
