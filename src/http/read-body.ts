import type { IncomingMessage } from 'node:http';

export class PayloadTooLargeError extends Error {}

/** Reads a request body, refusing (413) past `limit` bytes before buffering more. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new PayloadTooLargeError(`The request body is ${declared} bytes; the limit is ${limit}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new PayloadTooLargeError(`The request body exceeds the limit of ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
