import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';

export class PayloadTooLargeError extends Error {}

export interface ReadBodyOptions {
  /**
   * Without Content-Length (chunked), reserve `limit` bytes up front and copy each chunk into them,
   * rather than keep the chunks and concatenate them at the end, which holds the body twice for a
   * moment. For large bodies whose concurrency is capped (uploads): the reservation is the bound
   * that cap was chosen for, and pages never written to are not resident.
   */
  reserveLimit?: boolean;
}

/**
 * Reads a request body as bytes, refusing past `limit` bytes: at once when Content-Length declares
 * more, otherwise as soon as the running total passes the limit, before buffering the rest.
 *
 * With Content-Length, the bytes are copied into one buffer of that size as they arrive: the body
 * is held once, never as chunks and their concatenation. (Node's parser delivers no more than the
 * declared length, and a body cut short ends with an error.)
 */
export async function readBodyBytes(req: IncomingMessage, limit: number, options: ReadBodyOptions = {}): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) throw new PayloadTooLargeError(`The request body is ${declared} bytes; the limit is ${limit}.`);
  const reserved = declared ?? (options.reserveLimit ? limit : undefined);
  if (reserved === undefined) {
    const chunks: Buffer[] = [];
    let size = 0;
    await eachChunk(req, (buffer) => {
      size += buffer.length;
      if (size > limit) throw new PayloadTooLargeError(`The request body exceeds the limit of ${limit} bytes.`);
      chunks.push(buffer);
    });
    return Buffer.concat(chunks, size);
  }
  const body = Buffer.allocUnsafe(reserved);
  let size = 0;
  await eachChunk(req, (buffer) => {
    if (size + buffer.length > reserved) throw new PayloadTooLargeError(`The request body exceeds the limit of ${limit} bytes.`);
    buffer.copy(body, size);
    size += buffer.length;
  });
  return size === reserved ? body : body.subarray(0, size);
}

/** Content-Length as a number; undefined when absent (chunked) or not a length. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Hands each chunk of the body to `take` until the body ends. When `take` throws (the body is too
 * large), the rest is read and thrown away rather than the request destroyed: destroying it
 * destroys the connection, and the client, still sending, gets a reset instead of the answer
 * (src/http/unread-body.ts bounds how long the rest may take). A body cut short by the client
 * rejects with the stream's error.
 */
function eachChunk(req: IncomingMessage, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      cleanup();
    };
    const onData = (chunk: Buffer | string) => {
      try {
        take(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      } catch (error) {
        stop();
        req.resume();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = () => {
      stop();
      resolve();
    };
    // `finished` reports an error or a premature close (the client went away) once, however it shows.
    const cleanup = finished(req, { readable: true, writable: false }, (error) => {
      if (!error) return;
      stop();
      reject(error);
    });
    req.on('data', onData);
    req.once('end', onEnd);
  });
}

/** Reads a request body as UTF-8 text, with the limit of `readBodyBytes`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}
