import type { ServerResponse } from 'node:http';
import { encodeStatus, encodeTraceResponse, type PartialSuccess } from './otlp-proto.js';

/**
 * Answers of `POST /v1/traces` as the OTLP/HTTP specification defines them, in the encoding of
 * the request: 200 with an ExportTraceServiceResponse, 4xx and 5xx with a google.rpc.Status
 * whose message says what to fix; 429 and 503 carry Retry-After, which exporters honour.
 */
export type OtlpEncoding = 'protobuf' | 'json';

/** google.rpc.Code of each HTTP status this endpoint answers. */
const RPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  405: 12, // UNIMPLEMENTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

export interface OtlpRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

const CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export function sendRefusal(res: ServerResponse, encoding: OtlpEncoding, refusal: OtlpRefusal): void {
  const code = RPC_CODE[refusal.status] ?? 2; // UNKNOWN
  const body = encoding === 'protobuf' ? encodeStatus(code, refusal.message) : JSON.stringify({ code, message: refusal.message });
  res.writeHead(refusal.status, { 'content-type': CONTENT_TYPE[encoding], ...refusal.headers });
  res.end(body);
}

export function sendSuccess(res: ServerResponse, encoding: OtlpEncoding, partial: PartialSuccess | null): void {
  const body = encoding === 'protobuf' ? encodeTraceResponse(partial) : JSON.stringify(partial ? { partialSuccess: partial } : {});
  res.writeHead(200, { 'content-type': CONTENT_TYPE[encoding] });
  res.end(body);
}
