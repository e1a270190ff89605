import { storableText } from '../db/storable-text.js';
import type { JsonValue } from '../modules/executions/executions.table.js';

/**
 * OTLP/JSON `AnyValue` and `KeyValue` lists (opentelemetry-proto common.proto, in the protobuf
 * JSON mapping the OTLP specification prescribes) turned into plain JSON values for storage.
 * Every check names where in the request it failed.
 */

/** A request that does not follow the OTLP/JSON schema; the message names the offending path. */
export class OtlpSchemaError extends Error {}

export function fail(path: string, what: string): never {
  throw new OtlpSchemaError(`${path} ${what}`);
}

/**
 * Text as it can be stored (src/db/storable-text.ts): telemetry is kept, with U+FFFD in place of
 * what PostgreSQL cannot hold, rather than refused over a stray byte of model output.
 */
export const storable = storableText;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Attribute values nest (arrays, kvlists); deeper than this is no telemetry anyone sends, and the
// bound keeps a hostile request from exhausting the stack.
const MAX_DEPTH = 16;
const ANY_VALUE_FIELDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
type AnyValueField = (typeof ANY_VALUE_FIELDS)[number];

function isAnyValueField(key: string): key is AnyValueField {
  return (ANY_VALUE_FIELDS as readonly string[]).includes(key);
}

/** int64 in proto3 JSON: a number or a decimal string; beyond 2^53 it stays a string rather than lose digits. */
function int64(value: unknown, path: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : value;
  }
  return fail(path, 'must be an integer (a JSON number or a decimal string)');
}

/** double in proto3 JSON: a number, a numeric string, or "NaN"/"Infinity"/"-Infinity" (kept as strings: JSON has no such numbers). */
function double(value: unknown, path: string): number | string {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fail(path, 'must be a number');
}

function valuesOf(container: unknown, path: string): unknown[] {
  if (!isRecord(container)) return fail(path, 'must be an object with a "values" list');
  const values = container.values;
  if (values === undefined || values === null) return [];
  return Array.isArray(values) ? values : fail(`${path}.values`, 'must be a list');
}

export function anyValue(value: unknown, path: string, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) return fail(path, `nests deeper than ${MAX_DEPTH} levels`);
  if (!isRecord(value)) return fail(path, 'must be an AnyValue object such as {"stringValue": "…"} or {"intValue": "42"}');
  const present = Object.keys(value).filter(isAnyValueField);
  // An empty AnyValue is valid protobuf: the attribute is there without a value.
  if (present.length === 0) return null;
  const [field] = present;
  if (present.length > 1 || !field) return fail(path, `must hold one value, not ${present.join(' and ')}`);
  const inner = value[field];
  const at = `${path}.${field}`;
  switch (field) {
    case 'stringValue':
      return typeof inner === 'string' ? storable(inner) : fail(at, 'must be a string');
    case 'boolValue':
      return typeof inner === 'boolean' ? inner : fail(at, 'must be true or false');
    case 'intValue':
      return int64(inner, at);
    case 'doubleValue':
      return double(inner, at);
    case 'bytesValue':
      return typeof inner === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(inner) ? inner : fail(at, 'must be a base64 string');
    case 'arrayValue':
      return valuesOf(inner, at).map((item, i) => anyValue(item, `${at}.values[${i}]`, depth + 1));
    case 'kvlistValue':
      return keyValues(valuesOf(inner, at), `${at}.values`, depth + 1);
    default: {
      const unreachable: never = field;
      return fail(path, `has an unknown value kind ${String(unreachable)}`);
    }
  }
}

/** A KeyValue list as an object; a repeated key keeps its last value. */
export function keyValues(list: unknown, path: string, depth = 0): Record<string, JsonValue> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) return fail(path, 'must be a list of {"key": …, "value": …}');
  // Through a Map and fromEntries: a key such as "__proto__" becomes a plain property, never a prototype.
  const out = new Map<string, JsonValue>();
  list.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(entry) || typeof entry.key !== 'string') return fail(at, 'must be {"key": "<string>", "value": {…}}');
    out.set(storable(entry.key), entry.value === undefined || entry.value === null ? null : anyValue(entry.value, `${at}.value`, depth));
  });
  return Object.fromEntries(out);
}
