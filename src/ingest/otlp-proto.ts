import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import protobuf from 'protobufjs';
import { ROOT_DIR } from '../paths.js';

/**
 * OTLP's protobuf messages, read with protobufjs from the declarations in `proto/` (README there:
 * opentelemetry-proto v1.5.0 field numbers, and google.rpc.Status). protobufjs builds each type's
 * decoder once, at first use; nothing here parses the wire format by hand.
 */
const PROTO_DIR = path.join(ROOT_DIR, 'proto');

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports resolve under proto/; google/protobuf/* are protobufjs's bundled well-known types.
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTO_DIR, target));
  root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'google/rpc/status.proto'], { keepCase: false });
  root.resolveAll();
  return root;
}

const root = loadRoot();
const requestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const statusType = root.lookupType('google.rpc.Status');

/** Bytes that are not an ExportTraceServiceRequest; the message says where protobufjs stopped. */
export class ProtobufDecodeError extends Error {}

/**
 * protobufjs's reader of Node Buffers, but for proto3 strings (`stringVerify`): protobufjs puts a
 * short one together 8 bytes at a time, a rope that every later look at it (the caps' checks,
 * JSON.stringify) has to flatten; here it is Node's one-pass UTF-8 decoding. Invalid UTF-8 is
 * refused all the same: Node would put U+FFFD in its place, and a string holding one is checked
 * strictly (a U+FFFD actually sent passes).
 */
class RequestReader extends protobuf.BufferReader {
  override stringVerify(): string {
    const length = this.size();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    const buffer = this.buf as Buffer;
    const text = (buffer as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end);
    if (text.includes('\uFFFD') && !isUtf8(buffer.subarray(start, end))) throw new TypeError('a string is not valid UTF-8');
    return text;
  }
}

/**
 * An ExportTraceServiceRequest as protobufjs decodes it, read as it is by readTraceRequest
 * (src/ingest/otlp-request.ts): lowerCamelCase fields, 64-bit integers as Long, bytes as Buffers
 * (views of `bytes`), enums as numbers, and an unset field as its type's default on the prototype
 * ('', 0, a zero Long, an empty list, null for a message). No plain copy is made (toObject would
 * build the whole tree a second time). Unknown fields are skipped, as proto3 requires.
 */
export function decodeTraceRequest(bytes: Uint8Array): protobuf.Message {
  try {
    return requestType.decode(new RequestReader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  } catch (error) {
    throw new ProtobufDecodeError(error instanceof Error ? error.message : String(error));
  }
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** ExportTraceServiceResponse; `partial_success` only when something was refused or needs saying. */
export function encodeTraceResponse(partial: PartialSuccess | null): Uint8Array {
  return responseType.encode(responseType.fromObject(partial ? { partialSuccess: partial } : {})).finish();
}

/** google.rpc.Status, the body of every OTLP/HTTP 4xx and 5xx. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.fromObject({ code, message })).finish();
}

/** For tests and the benchmark: a request from its OTLP/JSON-shaped plain object. */
export function encodeTraceRequest(request: Record<string, unknown>): Uint8Array {
  return requestType.encode(requestType.fromObject(request)).finish();
}

/** For tests: a response or status read back, as the exporter reads it. */
export function decodeTraceResponse(bytes: Uint8Array): unknown {
  return responseType.toObject(responseType.decode(bytes), { longs: Number, defaults: false });
}

export function decodeStatus(bytes: Uint8Array): unknown {
  return statusType.toObject(statusType.decode(bytes), { defaults: false });
}
