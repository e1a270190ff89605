import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How long the rest of a body the gateway answered without reading is read and thrown away (nginx's
 * lingering_time has the same default): enough for a client on a slow link to finish sending the
 * archive it is uploading and read the refusal, not so long that a client may keep a connection
 * busy by never finishing.
 */
export const UNREAD_BODY_LINGER_MS = 30_000;

/**
 * A request answered before its body was read whole (too large, rate limited, unauthenticated) keeps
 * its connection while the rest of the body arrives, read and thrown away, for at most `lingerMs`;
 * then the connection is closed. Closing it at once, with the client still sending, resets it, and
 * a reset loses the answer the client has not read yet: Node's fetch then fails with EPIPE or
 * ECONNRESET, and an OpenTelemetry exporter takes a 413 for a network error and sends the batch
 * again. Nothing of the rest is kept: it costs bandwidth, not memory.
 */
export function lingerOnUnreadBody(req: IncomingMessage, res: ServerResponse, lingerMs: number = UNREAD_BODY_LINGER_MS): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    // A reader that stopped part-way left the request paused; Node drains only one never read.
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), lingerMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    req.once('end', done);
    req.once('close', done);
  });
}
