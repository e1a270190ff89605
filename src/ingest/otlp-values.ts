import { storableText } from '../db/storable-text.js';
import type { JsonValue } from '../modules/executions/spans.table.js';

/**
 * OTLP `AnyValue` and `KeyValue` lists (opentelemetry-proto common.proto) turned into plain JSON
 * values for storage, from either encoding: OTLP/JSON (the protobuf JSON mapping) or a decoded
 * protobuf message in the same shape (src/ingest/otlp-proto.ts), where bytes are Uint8Array.
 * Every check names where in the request it failed.
 */

/** A request that does not follow the OTLP schema; the message names the offending path. */
export class OtlpSchemaError extends Error {}

export function fail(path: string, what: string): never {
  throw new OtlpSchemaError(`${path} ${what}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// Either character storableText may replace; text with neither (nearly all) is kept without the
// full check, whose lookarounds cost more than this scan.
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

function cleaned(text: string): string {
  return MAYBE_UNSTORABLE.test(text) ? storableText(text) : text;
}

/**
 * The caps of SPEC §7 on what one attribute list may hold, with the semantics of the SDKs'
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT and OTEL_ATTRIBUTE_COUNT_LIMIT: longer strings and byte values
 * are cut to the limit (each counted in `truncated`), attributes past the count are dropped and
 * added to the list's dropped count.
 */
export class ValueBudget {
  truncated = 0;
  constructor(
    readonly valueLength: number,
    readonly attributeCount: number,
  ) {}

  text(value: string): string {
    if (value.length <= this.valueLength) return cleaned(value);
    this.truncated++;
    return cleaned(value.slice(0, this.valueLength));
  }

  bytes(value: Uint8Array): string {
    if (value.length <= this.valueLength) return Buffer.from(value).toString('base64');
    this.truncated++;
    return Buffer.from(value.subarray(0, this.valueLength)).toString('base64');
  }
}

// Attribute values nest (arrays, kvlists); deeper than this is no telemetry anyone sends, and the
// bound keeps a hostile request from exhausting the stack.
const MAX_DEPTH = 16;
const ANY_VALUE_FIELDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;
type AnyValueField = (typeof ANY_VALUE_FIELDS)[number];

function isAnyValueField(key: string): key is AnyValueField {
  return (ANY_VALUE_FIELDS as readonly string[]).includes(key);
}

/** int64: a number or a decimal string; beyond 2^53 it stays a string rather than lose digits. */
function int64(value: unknown, path: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : value;
  }
  return fail(path, 'must be an integer (a JSON number or a decimal string)');
}

/** double: a number, a numeric string, or "NaN"/"Infinity"/"-Infinity" (kept as strings: JSON has no such numbers). */
function double(value: unknown, path: string): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fail(path, 'must be a number');
}

function bytesValue(value: unknown, path: string, budget: ValueBudget): string {
  if (value instanceof Uint8Array) return budget.bytes(value);
  if (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return budget.bytes(Buffer.from(value, 'base64'));
  return fail(path, 'must be a base64 string');
}

function valuesOf(container: unknown, path: string): unknown[] {
  if (!isRecord(container)) return fail(path, 'must be an object with a "values" list');
  const values = container.values;
  if (values === undefined || values === null) return [];
  return Array.isArray(values) ? values : fail(`${path}.values`, 'must be a list');
}

export function anyValue(value: unknown, path: string, budget: ValueBudget, depth = 0): JsonValue {
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
      return typeof inner === 'string' ? budget.text(inner) : fail(at, 'must be a string');
    case 'boolValue':
      return typeof inner === 'boolean' ? inner : fail(at, 'must be true or false');
    case 'intValue':
      return int64(inner, at);
    case 'doubleValue':
      return double(inner, at);
    case 'bytesValue':
      return bytesValue(inner, at, budget);
    case 'arrayValue':
      return valuesOf(inner, at).map((item, i) => anyValue(item, `${at}.values[${i}]`, budget, depth + 1));
    case 'kvlistValue':
      return keyValues(valuesOf(inner, at), `${at}.values`, budget, depth + 1).values;
    default: {
      const unreachable: never = field;
      return fail(path, `has an unknown value kind ${String(unreachable)}`);
    }
  }
}

export interface Attributes {
  values: Record<string, JsonValue>;
  /** Attributes past the budget's count, left out. */
  dropped: number;
}

/**
 * A KeyValue list as an object; a repeated key keeps its last value. At the top level (depth 0)
 * the budget's attribute count applies: later keys past it are dropped and counted.
 */
export function keyValues(list: unknown, path: string, budget: ValueBudget, depth = 0): Attributes {
  if (list === undefined || list === null) return { values: {}, dropped: 0 };
  if (!Array.isArray(list)) return fail(path, 'must be a list of {"key": …, "value": …}');
  // Through a Map and fromEntries: a key such as "__proto__" becomes a plain property, never a prototype.
  const out = new Map<string, JsonValue>();
  let dropped = 0;
  list.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(entry) || typeof entry.key !== 'string') return fail(at, 'must be {"key": "<string>", "value": {…}}');
    const key = budget.text(entry.key);
    if (depth === 0 && !out.has(key) && out.size >= budget.attributeCount) {
      dropped++;
      return;
    }
    out.set(key, entry.value === undefined || entry.value === null ? null : anyValue(entry.value, `${at}.value`, budget, depth));
  });
  return { values: Object.fromEntries(out), dropped };
}

/** A uint32 count (the dropped_*_count fields); absent is 0. */
export function count(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  return fail(path, 'must be a whole number from 0 to 4294967295');
}

/** A string field that may be absent (proto3 default ""), cut to the budget like an attribute value. */
export function optionalText(value: unknown, path: string, budget: ValueBudget): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? budget.text(value) : fail(path, 'must be a string');
}
