import { clone, deepEqual, isObject, isString } from './json.js';
import { badRequest, failure, KubeError } from './status.js';

/**
 * The apiserver's patch mechanisms. Strategic merge patch is applied as a JSON merge patch
 * (no list merge keys: a patched `containers` list replaces the old one).
 * Server-side apply is not served.
 */

export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_MERGE_PATCH, 'application/apply-patch+cbor'];

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function isOperation(value: unknown): value is Operation {
  return isObject(value) && isString(value['op']) && isString(value['path']) && (value['from'] === undefined || isString(value['from']));
}

function unprocessable(message: string): KubeError {
  return new KubeError(failure(422, 'Invalid', message, {}));
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw unprocessable(`JSON pointer must be empty or start with a "/": ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the last token of `path`, and that token. */
function parentOf(doc: unknown, path: string, op: string): { parent: unknown; token: string } {
  const tokens = pointer(path);
  const token = tokens.pop();
  if (token === undefined) throw unprocessable(`${op} operation does not apply: cannot ${op} the document root`);
  let parent: unknown = doc;
  for (const t of tokens) {
    parent = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
    if (parent === undefined) throw unprocessable(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  return { parent, token };
}

function read(doc: unknown, path: string, op: string): unknown {
  let value: unknown = doc;
  for (const t of pointer(path)) {
    value = Array.isArray(value) ? value[Number(t)] : isObject(value) ? value[t] : undefined;
    if (value === undefined) throw unprocessable(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  return value;
}

function add(doc: unknown, path: string, value: unknown, op = 'add'): void {
  const { parent, token } = parentOf(doc, path, op);
  if (Array.isArray(parent)) {
    const index = token === '-' ? parent.length : Number(token);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw unprocessable(`${op} operation does not apply: index out of bounds: ${token}`);
    parent.splice(index, 0, clone(value));
  } else if (isObject(parent)) {
    parent[token] = clone(value);
  } else {
    throw unprocessable(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
}

function remove(doc: unknown, path: string, op = 'remove'): void {
  const { parent, token } = parentOf(doc, path, op);
  if (Array.isArray(parent) && Number(token) >= 0 && Number(token) < parent.length) parent.splice(Number(token), 1);
  else if (isObject(parent) && Object.hasOwn(parent, token)) delete parent[token];
  else throw unprocessable(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
}

/** RFC 6902, with evanphx/json-patch's error messages. */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${isObject(patch) ? 'object' : typeof patch} into Go value of type jsonpatch.Patch`);
  const doc = { root: clone(target) };
  const at = (path: string): string => `/root${path}`;
  for (const operation of patch) {
    if (!isOperation(operation)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const { op, path } = operation;
    switch (op) {
      case 'add':
        add(doc, at(path), operation.value);
        break;
      case 'remove':
        remove(doc, at(path));
        break;
      case 'replace':
        read(doc, at(path), 'replace');
        remove(doc, at(path), 'replace');
        add(doc, at(path), operation.value, 'replace');
        break;
      case 'move':
      case 'copy': {
        const value = clone(read(doc, at(operation.from ?? ''), op));
        if (op === 'move') remove(doc, at(operation.from ?? ''), op);
        add(doc, at(path), value, op);
        break;
      }
      case 'test':
        if (!deepEqual(read(doc, at(path), 'test'), operation.value)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw unprocessable(`Unexpected kind: ${op}`);
    }
  }
  return doc.root;
}
