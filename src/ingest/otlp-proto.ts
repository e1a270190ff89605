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
 * An ExportTraceServiceRequest as plain data in the shape of its OTLP/JSON mapping: lowerCamelCase
 * keys, 64-bit integers as decimal strings, enums as numbers, unset fields absent. Ids and
 * `bytesValue` stay bytes (Uint8Array), which src/ingest/otlp-request.ts reads alongside the hex
 * and base64 strings of OTLP/JSON. Unknown fields are skipped, as proto3 requires.
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  let message: protobuf.Message;
  try {
    message = requestType.decode(bytes);
  } catch (error) {
    throw new ProtobufDecodeError(error instanceof Error ? error.message : String(error));
  }
  return requestType.toObject(message, { longs: String, enums: Number, defaults: false, arrays: false, oneofs: false });
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
