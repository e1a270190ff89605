import type { JsonObject } from './types.js';

/** Type guards and helpers for decoded JSON. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

/** A map of string to string (labels, annotations, secret data); undefined/null count as absent. */
export function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every(isString);
}

export function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const value = obj[key];
  return isObject(value) ? value : undefined;
}

/** Returns obj[key] as an object, creating it when absent (or not an object). */
export function ensureObject(obj: JsonObject, key: string): JsonObject {
  const existing = obj[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

export function stringAt(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return isString(value) ? value : undefined;
}

export function metadataOf(obj: JsonObject): JsonObject {
  return ensureObject(obj, 'metadata');
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      // Go's omitempty: an absent field equals a null one.
      if (!deepEqual(a[key] ?? null, b[key] ?? null)) return false;
    }
    return true;
  }
  return false;
}

/** Parses JSON; on malformed input returns the parser's message instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Go's %q-ish quoting of a value, as field errors print it. */
export function goValue(value: unknown): string {
  if (isString(value)) return JSON.stringify(value);
  if (isStringMap(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  if (value === undefined || value === null) return 'null';
  return JSON.stringify(value);
}
