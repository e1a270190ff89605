import type { IncomingMessage } from 'node:http';

export class PayloadTooLargeError extends Error {}

/**
 * Reads a request body as bytes, refusing past `limit` bytes: at once when Content-Length declares
 * more, otherwise as soon as the running total passes the limit, before buffering the rest.
 */
export async function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
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
  return Buffer.concat(chunks, size);
}

/** Reads a request body as UTF-8 text, with the limit of `readBodyBytes`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}
