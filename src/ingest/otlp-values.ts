import protobuf from 'protobufjs';
import { storableText } from '../db/storable-text.js';
import type { JsonValue } from '../modules/executions/spans.table.js';

/**
 * OTLP `AnyValue` and `KeyValue` lists (opentelemetry-proto common.proto) turned into plain JSON
 * values for storage, from either encoding: OTLP/JSON (the protobuf JSON mapping), or the message
 * protobufjs decoded (src/ingest/otlp-proto.ts), read as it is: bytes are Uint8Array, 64-bit
 * integers Long, and a field that was not sent reads its prototype's default ('', 0, null, an
 * empty list), which every reader here takes for absent, as a key missing from OTLP/JSON.
 * Every check names where in the request it failed; those paths are put together only then.
 */

/** A request that does not follow the OTLP schema; the message names the offending path. */
export class OtlpSchemaError extends Error {}

export function fail(path: string, what: string): never {
  throw new OtlpSchemaError(`${path} ${what}`);
}

/** `path.field`, the place of a field, for a message. */
export function at(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// protobufjs's 64-bit integers (an instance of the `long` package's class); JSON.parse makes no
// class instances, so an OTLP/JSON body cannot pass one off.
const Long = protobuf.util.Long;

function isLong(value: unknown): value is protobuf.Long {
  return Long !== undefined && value instanceof Long;
}

/** A protobufjs Long as a bigint, every bit kept: fixed64 is unsigned, int64 signed. */
export function longBigInt(value: unknown): bigint | null {
  if (!isLong(value)) return null;
  return ((value.unsigned ? BigInt(value.high >>> 0) : BigInt(value.high)) << 32n) | BigInt(value.low >>> 0);
}

// Either character storableText may replace; text with neither (nearly all) is kept without the
// full check, whose lookarounds cost more than this scan.
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

function cleaned(text: string): string {
  return MAYBE_UNSTORABLE.test(text) ? storableText(text) : text;
}

/** The bytes as a Buffer, without copying them (protobufjs hands out Buffers already). */
export function bufferOf(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
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
    const bytes = bufferOf(value);
    if (bytes.length <= this.valueLength) return bytes.toString('base64');
    this.truncated++;
    return bytes.subarray(0, this.valueLength).toString('base64');
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

/** int64: a number or a decimal string (a Long, from protobuf); beyond 2^53 it stays a string rather than lose digits. Undefined: not an integer. */
function int64(value: unknown): number | string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (isLong(value)) {
    // Exact up to 2^53; past it rounded, but then no safe integer either way.
    const number = (value.unsigned ? value.high >>> 0 : value.high) * 4294967296 + (value.low >>> 0);
    return Number.isSafeInteger(number) ? number : (longBigInt(value) ?? 0n).toString();
  }
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : value;
  }
  return undefined;
}

/** double: a number, a numeric string, or "NaN"/"Infinity"/"-Infinity" (kept as strings: JSON has no such numbers). Undefined: not a number. */
function double(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** bytes, or their base64 in OTLP/JSON. Undefined: neither. */
function bytesValue(value: unknown, budget: ValueBudget): string | undefined {
  if (value instanceof Uint8Array) return budget.bytes(value);
  if (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return budget.bytes(Buffer.from(value, 'base64'));
  return undefined;
}

function valuesOf(container: unknown, path: string): unknown[] {
  if (!isRecord(container)) return fail(path, 'must be an object with a "values" list');
  const values = container.values;
  if (values === undefined || values === null) return [];
  return Array.isArray(values) ? values : fail(`${path}.values`, 'must be a list');
}

/** Where the `index`th AnyValue of the list in `field` of `path` is: a KeyValue's value (`keyed`) or an ArrayValue's element. */
function valuePath(path: string, field: string, index: number, keyed: boolean): string {
  return `${at(path, field)}[${index}]${keyed ? '.value' : ''}`;
}

/**
 * An AnyValue, the `index`th of the list in `field` of `path` (see valuePath). Its location is
 * spelled out only for an error or a nested list.
 */
function anyValue(value: unknown, path: string, field: string, index: number, keyed: boolean, budget: ValueBudget, depth: number): JsonValue {
  if (depth > MAX_DEPTH) return fail(valuePath(path, field, index, keyed), `nests deeper than ${MAX_DEPTH} levels`);
  if (!isRecord(value)) return fail(valuePath(path, field, index, keyed), 'must be an AnyValue object such as {"stringValue": "…"} or {"intValue": "42"}');
  // The value field is an own property: a decoded message's unset fields are its prototype's.
  let kind: AnyValueField | null = null;
  let present = 0;
  for (const name of ANY_VALUE_FIELDS) {
    if (Object.hasOwn(value, name)) {
      kind ??= name;
      present++;
    }
  }
  // An empty AnyValue is valid protobuf: the attribute is there without a value.
  if (kind === null) return null;
  if (present > 1) return fail(valuePath(path, field, index, keyed), `must hold one value, not ${Object.keys(value).filter(isAnyValueField).join(' and ')}`);
  const inner = value[kind];
  let scalar: JsonValue | undefined;
  let expected: string;
  switch (kind) {
    case 'stringValue':
      if (typeof inner === 'string') return budget.text(inner);
      expected = 'must be a string';
      break;
    case 'boolValue':
      if (typeof inner === 'boolean') return inner;
      expected = 'must be true or false';
      break;
    case 'intValue':
      if ((scalar = int64(inner)) !== undefined) return scalar;
      expected = 'must be an integer (a JSON number or a decimal string)';
      break;
    case 'doubleValue':
      if ((scalar = double(inner)) !== undefined) return scalar;
      expected = 'must be a number';
      break;
    case 'bytesValue':
      if ((scalar = bytesValue(inner, budget)) !== undefined) return scalar;
      expected = 'must be a base64 string';
      break;
    case 'arrayValue': {
      const list = `${valuePath(path, field, index, keyed)}.arrayValue`;
      const items = valuesOf(inner, list);
      const values = new Array<JsonValue>(items.length);
      for (let i = 0; i < items.length; i++) values[i] = anyValue(items[i], list, 'values', i, false, budget, depth + 1);
      return values;
    }
    case 'kvlistValue': {
      const list = `${valuePath(path, field, index, keyed)}.kvlistValue`;
      return keyValues(valuesOf(inner, list), list, 'values', budget, depth + 1).values;
    }
    default: {
      const unreachable: never = kind;
      return fail(valuePath(path, field, index, keyed), `has an unknown value kind ${String(unreachable)}`);
    }
  }
  return fail(`${valuePath(path, field, index, keyed)}.${kind}`, expected);
}

export interface Attributes {
  values: Record<string, JsonValue>;
  /** Attributes past the budget's count, left out. */
  dropped: number;
}

/**
 * The KeyValue list in field `field` of `path`, as an object; a repeated key keeps its last value.
 * At the top level (depth 0) the budget's attribute count applies: later keys past it are dropped
 * and counted.
 */
export function keyValues(list: unknown, path: string, field: string, budget: ValueBudget, depth = 0): Attributes {
  const values: Record<string, JsonValue> = {};
  if (list === undefined || list === null) return { values, dropped: 0 };
  if (!Array.isArray(list)) return fail(at(path, field), 'must be a list of {"key": …, "value": …}');
  let size = 0;
  let dropped = 0;
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    // A decoded KeyValue without a key reads its prototype's '': no key, as before.
    if (!isRecord(entry) || typeof entry.key !== 'string' || (entry.key === '' && !Object.hasOwn(entry, 'key'))) {
      return fail(`${at(path, field)}[${i}]`, 'must be {"key": "<string>", "value": {…}}');
    }
    const key = budget.text(entry.key);
    const known = Object.hasOwn(values, key);
    if (depth === 0 && !known && size >= budget.attributeCount) {
      dropped++;
      continue;
    }
    const value = entry.value === undefined || entry.value === null ? null : anyValue(entry.value, path, field, i, true, budget, depth);
    // A key such as "__proto__" becomes a plain property, never a prototype.
    if (key === '__proto__') Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true });
    else values[key] = value;
    if (!known) size++;
  }
  return { values, dropped };
}

/** A uint32 count (the dropped_*_count fields) in `field` of `path`; absent is 0. */
export function count(value: unknown, path: string, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  return fail(at(path, field), 'must be a whole number from 0 to 4294967295');
}

/** A string field that may be absent (proto3 default ""), cut to the budget like an attribute value. */
export function optionalText(value: unknown, path: string, field: string, budget: ValueBudget): string {
  if (value === undefined || value === null || value === '') return '';
  return typeof value === 'string' ? budget.text(value) : fail(at(path, field), 'must be a string');
}
